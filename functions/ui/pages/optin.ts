import { esc } from '../html';
import { layout, type PageLocale } from './public';

/**
 * The pages of the sign-up confirmation link (double opt-in), in the frame of
 * the other public pages: asking to confirm (a GET never confirms: link
 * scanners follow GETs), confirmed, already confirmed, and expired.
 */
const TEXT = {
  fr: {
    title: 'Confirmation d’inscription',
    confirm: (company: string) => `Recevoir les actualités et offres de ${company} par email ?`,
    address: (email: string) => `Adresse : ${email}`,
    button: 'Je confirme mon inscription',
    done: 'Merci, votre inscription est confirmée.',
    doneDetail: (company: string) =>
      `Vous recevrez désormais les emails de ${company}. Chacun contient un lien pour vous désabonner à tout moment.`,
    already: 'Votre inscription est déjà confirmée.',
    alreadyDetail: (company: string) => `Vous recevez déjà les emails de ${company}. Rien d’autre à faire.`,
    expired: 'Ce lien a expiré.',
    expiredDetail: 'Demandez à être inscrit(e) de nouveau lors de votre prochain passage en magasin.',
  },
  en: {
    title: 'Confirm your subscription',
    confirm: (company: string) => `Receive news and offers from ${company} by email?`,
    address: (email: string) => `Address: ${email}`,
    button: 'Confirm my subscription',
    done: 'Thank you, your subscription is confirmed.',
    doneDetail: (company: string) =>
      `You will now receive emails from ${company}. Each one has a link to unsubscribe at any time.`,
    already: 'Your subscription is already confirmed.',
    alreadyDetail: (company: string) => `You already receive emails from ${company}. Nothing else to do.`,
    expired: 'This link has expired.',
    expiredDetail: 'Ask to be signed up again on your next visit to the shop.',
  },
} as const;

export function optinConfirmPage(locale: PageLocale, company: string, email: string, action: string): string {
  const t = TEXT[locale];
  return layout(
    locale,
    t.title,
    `<h1>${esc(t.confirm(company))}</h1><p class="muted">${esc(t.address(email))}</p>
<form method="post" action="${esc(action)}"><button type="submit">${esc(t.button)}</button></form>`,
  );
}

export function optinConfirmedPage(locale: PageLocale, company: string): string {
  const t = TEXT[locale];
  return layout(locale, t.title, `<h1>${esc(t.done)}</h1><p>${esc(t.doneDetail(company))}</p>`);
}

export function optinAlreadyPage(locale: PageLocale, company: string): string {
  const t = TEXT[locale];
  return layout(locale, t.title, `<h1>${esc(t.already)}</h1><p>${esc(t.alreadyDetail(company))}</p>`);
}

export function optinExpiredPage(locale: PageLocale): string {
  const t = TEXT[locale];
  return layout(locale, t.expired, `<h1>${esc(t.expired)}</h1><p class="muted">${esc(t.expiredDetail)}</p>`);
}
