import { esc } from '../html';
/**
 * The small public pages a recipient reaches from a message: confirming an
 * unsubscribe, and the result. Plain server-rendered HTML in French or
 * English, no script, no external asset.
 */

export type PageLocale = 'fr' | 'en';

export function pageLocale(
  contactLocale: string | undefined,
  acceptLanguage: string | undefined,
): PageLocale {
  const wanted = (contactLocale ?? acceptLanguage ?? 'fr').toLowerCase();
  return wanted.startsWith('en') ? 'en' : 'fr';
}

const TEXT = {
  fr: {
    title: 'Désabonnement',
    confirm: (company: string) => `Vous ne souhaitez plus recevoir les emails de ${company} ?`,
    address: (email: string) => `Adresse concernée : ${email}`,
    button: 'Me désabonner',
    done: 'Vous êtes désabonné(e).',
    doneDetail: (company: string) =>
      `Vous ne recevrez plus d’emails marketing de ${company}. Vous pouvez toujours passer nous voir en magasin.`,
    notFound: 'Ce lien n’est pas valide.',
    notFoundDetail: 'Il a peut-être été mal copié. Vérifiez le lien reçu par email.',
  },
  en: {
    title: 'Unsubscribe',
    confirm: (company: string) => `Stop receiving emails from ${company}?`,
    address: (email: string) => `Address: ${email}`,
    button: 'Unsubscribe me',
    done: 'You are unsubscribed.',
    doneDetail: (company: string) =>
      `You will not receive marketing emails from ${company} any more. You are always welcome in our shops.`,
    notFound: 'This link is not valid.',
    notFoundDetail: 'It may have been copied incompletely. Check the link in your email.',
  },
} as const;

/** The shared frame of the public pages (the sign-up confirmation pages use it too). */
export function layout(locale: PageLocale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f3ee;color:#222;margin:0;padding:2rem 1rem}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1rem}p{line-height:1.5}button{font:inherit;font-weight:600;background:#8a3b12;color:#fff;border:0;border-radius:8px;padding:.8rem 1.4rem;cursor:pointer}
.muted{color:#666;font-size:.95rem}</style></head>
<body><main>${body}</main></body></html>`;
}

export function unsubscribeConfirmPage(
  locale: PageLocale,
  company: string,
  email: string | undefined,
  action: string,
) {
  const t = TEXT[locale];
  return layout(
    locale,
    t.title,
    `<h1>${esc(t.confirm(company))}</h1>${email ? `<p class="muted">${esc(t.address(email))}</p>` : ''}
<form method="post" action="${esc(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${esc(t.button)}</button></form>`,
  );
}

export function unsubscribedPage(locale: PageLocale, company: string) {
  const t = TEXT[locale];
  return layout(locale, t.title, `<h1>${esc(t.done)}</h1><p>${esc(t.doneDetail(company))}</p>`);
}

export function linkNotFoundPage(locale: PageLocale) {
  const t = TEXT[locale];
  return layout(
    locale,
    t.notFound,
    `<h1>${esc(t.notFound)}</h1><p class="muted">${esc(t.notFoundDetail)}</p>`,
  );
}
