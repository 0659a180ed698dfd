/**
 * SMS bodies: one Liquid template per locale, rendered per recipient as plain
 * text, then every link in it replaced by a short tracked link. Bundled into
 * the sender, so it imports neither mjml nor the file system.
 */
import { Liquid, type Template } from 'liquidjs';
import { liquidOptions, type MessageVars } from '../templates/render';

/** What a campaign stores of an SMS template, per locale. */
export interface CompiledSms {
  body: string;
}

export interface SmsContent {
  defaultLocale: string;
  byLocale: Record<string, CompiledSms>;
}

/** Everything an SMS template may use: the email's variables without the email-only links. */
export type SmsVars = Omit<MessageVars, 'unsubscribeUrl' | 'viewInBrowserUrl'>;

const engine = new Liquid({ ...liquidOptions });

export type PreparedSms = Template[];

export const prepareSms = (sms: CompiledSms): PreparedSms => engine.parse(sms.body);

/**
 * Typographic characters with a plain equivalent in the GSM alphabet. One
 * curly apostrophe in an offer's text would otherwise send the whole message
 * as UCS-2: 70 characters per part instead of 160, at the same price per part.
 */
const GSM_EQUIVALENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u2032': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
};
const TYPOGRAPHIC = new RegExp(`[${Object.keys(GSM_EQUIVALENTS).join('')}]`, 'g');

/** Replaces typographic quotes, dashes, ellipses and special spaces by their GSM equivalents. */
export const gsmFriendly = (text: string) => text.replace(TYPOGRAPHIC, (c) => GSM_EQUIVALENTS[c] ?? c);

/**
 * Renders a body as plain text: typographic characters become their GSM
 * equivalents, spaces at line ends and runs of blank lines (left by
 * conditional blocks) are removed, since every character is paid for.
 */
export function renderSms(prepared: PreparedSms, vars: SmsVars): string {
  return gsmFriendly(String(engine.renderSync(prepared, vars)))
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An http(s) URL in running text; a sentence's closing punctuation is not part of it. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'’]/g;

/** The distinct URLs of a text, in order of first appearance: link 0, link 1… */
export function linksIn(text: string): string[] {
  return [...new Set(text.match(URL_IN_TEXT) ?? [])];
}

/** Replaces each distinct URL by what `shorten` gives for it (same URL, same short link). */
export async function replaceLinks(
  text: string,
  shorten: (url: string, index: number) => Promise<string>,
): Promise<string> {
  const urls = linksIn(text);
  if (urls.length === 0) return text;
  const short = new Map<string, string>();
  for (const [i, url] of urls.entries()) short.set(url, await shorten(url, i));
  return text.replace(URL_IN_TEXT, (url) => short.get(url) ?? url);
}
