import type { OptinEmailRenderer } from '../../domain/signups/ports';
import { esc } from '../html';
import { type PageLocale, pageLocale } from '../pages/public';

/**
 * The confirmation email of a shop sign-up (double opt-in), built in code: a
 * transactional message with one button, in French or English, with the
 * company's name and postal address in the footer. No template, no MJML, no
 * tracking, no unsubscribe link — it asks for consent, it does not market.
 */
export interface OptinEmailInput {
  locale: PageLocale;
  firstName?: string | undefined;
  storeName?: string | undefined;
  company: { name: string; address: string };
  url: string;
  validDays: number;
}

const TEXT = {
  fr: {
    subject: (company: string) => `Confirmez votre inscription à ${company}`,
    hello: (name?: string) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    intro: (company: string, store?: string) =>
      store
        ? `Vous venez de vous inscrire aux actualités et offres de ${company} dans notre magasin ${store}.`
        : `Vous venez de vous inscrire aux actualités et offres de ${company} en magasin.`,
    ask: 'Pour recevoir nos emails, confirmez votre adresse :',
    button: 'Je confirme mon inscription',
    validity: (days: number) => `Ce lien est valable ${days} jours.`,
    ignore:
      'Si vous n’êtes pas à l’origine de cette inscription, ignorez ce message : vous ne recevrez aucun email de notre part.',
    footer: 'Vous recevez ce message parce que votre adresse a été saisie lors d’une inscription en magasin.',
  },
  en: {
    subject: (company: string) => `Please confirm your subscription to ${company}`,
    hello: (name?: string) => (name ? `Hello ${name},` : 'Hello,'),
    intro: (company: string, store?: string) =>
      store
        ? `You have just signed up for news and offers from ${company} in our ${store} shop.`
        : `You have just signed up for news and offers from ${company} in one of our shops.`,
    ask: 'To receive our emails, please confirm your address:',
    button: 'Confirm my subscription',
    validity: (days: number) => `This link is valid for ${days} days.`,
    ignore: 'If you did not sign up, just ignore this message: you will not get any email from us.',
    footer: 'You are receiving this message because your address was entered when signing up in a shop.',
  },
} as const;

export function optinEmail(input: OptinEmailInput): { subject: string; html: string; text: string } {
  const t = TEXT[input.locale];
  const { company } = input;
  const subject = t.subject(company.name);
  const p = (text: string, style = '') =>
    `<p style="margin:0 0 16px;line-height:1.5${style ? `;${style}` : ''}">${esc(text)}</p>`;
  const html = `<!doctype html>
<html lang="${input.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:24px 12px;background:#f6f3ee;font-family:system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#fff;border-radius:12px">
<tr><td style="padding:32px 28px">
${p(t.hello(input.firstName))}
${p(t.intro(company.name, input.storeName))}
${p(t.ask)}
<p style="margin:24px 0;text-align:center"><a href="${esc(input.url)}" style="display:inline-block;background:#8a3b12;color:#fff;text-decoration:none;font-weight:600;padding:14px 24px;border-radius:8px">${esc(t.button)}</a></p>
${p(t.validity(input.validDays), 'color:#666;font-size:14px')}
${p(t.ignore, 'color:#666;font-size:14px')}
</td></tr></table>
<p style="max-width:560px;margin:16px auto 0;color:#777;font-size:12px;line-height:1.5">${esc(t.footer)}<br>${esc(company.name)} — ${esc(company.address)}</p>
</td></tr></table>
</body></html>`;
  const text = [
    t.hello(input.firstName),
    '',
    t.intro(company.name, input.storeName),
    '',
    t.ask,
    input.url,
    '',
    t.validity(input.validDays),
    t.ignore,
    '',
    '--',
    t.footer,
    `${company.name} — ${company.address}`,
    '',
  ].join('\n');
  return { subject, html, text };
}

/** The sign-ups' email renderer: French or English from the contact's locale. */
export const renderOptinEmail: OptinEmailRenderer = (view) =>
  optinEmail({ ...view, locale: pageLocale(view.locale, undefined) });
