/**
 * The SMS templates shipped in `templates/sms/<name>.<locale>.liquid`: read by
 * the API when a campaign is created or previewed, compiled (checked) once and
 * stored on the campaign. Never bundled into the sender.
 */
import { type Offer, offerText, validity } from '../coupons/coupon';
import { notFound } from '../shared/errors';
import { DEFAULT_TIME_ZONE } from '../shared/time';
import { checkLiquidTemplate } from '../templates/compile';
import { pickLocale } from '../templates/locales';
import type { TemplateSource } from '../templates/ports';
import { smsSize } from './encoding';
import { prepareSms, renderSms, replaceLinks, type SmsContent, type SmsVars } from './render';

const NAME = /^[a-z0-9-]+$/;
/** The SMS templates, by name, with their locales. */
export async function listSmsTemplates(
  source: TemplateSource,
): Promise<{ name: string; locales: string[] }[]> {
  return (await source.smsTemplates())
    .filter((t) => NAME.test(t.name))
    .map((t) => ({ name: t.name, locales: [...t.locales].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Reads and checks every locale of one SMS template (Liquid syntax, known
 * filters, no file tags): a 400 naming the file and line, or the content a
 * campaign stores. An unknown or unsafe name is a 404.
 */
export async function compileSmsTemplate(source: TemplateSource, name: string): Promise<SmsContent> {
  if (!NAME.test(name)) throw notFound('SMS template');
  const sources = await source.smsSources(name);
  if (Object.keys(sources).length === 0) throw notFound('SMS template');
  const byLocale: SmsContent['byLocale'] = {};
  for (const [locale, text] of Object.entries(sources)) {
    // Windows line endings would cost a character per line.
    const body = text.replace(/\r\n?/g, '\n').trim();
    checkLiquidTemplate(body, `${name}.${locale}.liquid`);
    byLocale[locale] = { body };
  }
  return { byLocale, defaultLocale: pickLocale(Object.keys(byLocale), undefined) };
}

/** How one locale of an SMS will go out: its encoding, its size, and what to fix. */
export interface SmsEstimate {
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  segments: number;
  nonGsmCharacters: string[];
}

/** Stand-in for a short link's code, the length real ones have. */
const SAMPLE_CODE = 'Xy12Ab34Cd5';

/**
 * Renders a template for sample (or given) variables, with every link
 * replaced by a short link of real length, and measures it: what the marketer
 * sees at creation and in the preview. Warnings name the locale and say why:
 * above `maxSegments` parts, or UCS-2 because of a few characters.
 */
export async function estimateSms(
  content: SmsContent,
  vars: (locale: string) => SmsVars,
  shortBase: string,
  maxSegments: number,
): Promise<{ byLocale: Record<string, SmsEstimate>; warnings: string[] }> {
  const byLocale: Record<string, SmsEstimate> = {};
  const warnings: string[] = [];
  for (const [locale, compiled] of Object.entries(content.byLocale)) {
    const rendered = renderSms(prepareSms(compiled), vars(locale));
    const text = await replaceLinks(rendered, async () => `${shortBase}/s/${SAMPLE_CODE}`);
    const size = smsSize(text);
    byLocale[locale] = {
      text,
      encoding: size.encoding,
      characters: size.units,
      segments: size.segments,
      nonGsmCharacters: size.nonGsmCharacters,
    };
    if (size.segments > maxSegments) {
      warnings.push(
        `SMS (${locale}) takes ${size.segments} segments, more than ${maxSegments}: each segment is billed`,
      );
    }
    if (size.encoding === 'UCS-2') {
      warnings.push(
        `SMS (${locale}) is sent as UCS-2 (70 characters per segment instead of 160) because of ` +
          `${size.nonGsmCharacters.map((c) => `"${c}"`).join(', ')}`,
      );
    }
  }
  return { byLocale, warnings };
}

/**
 * Stand-in values for measuring an SMS before anyone is sent one: a
 * 9-letter first name, a shop name of common length, the real offer text and
 * the longest coupon code. Given values (a preview's contact) win.
 */
export function sampleSmsVars(
  locale: string,
  ctx: {
    company: { name: string; address: string };
    campaign?: { id: string; name: string };
    offer?: Offer;
    event?: SmsVars['event'];
    contact?: Partial<SmsVars['contact']>;
    store?: SmsVars['store'];
    now: Date;
    /** Dates are shown in this zone (DEFAULT_TIME_ZONE). */
    timeZone?: string;
  },
): SmsVars {
  const date = new Intl.DateTimeFormat(locale, {
    dateStyle: 'long',
    timeZone: ctx.timeZone ?? DEFAULT_TIME_ZONE,
  });
  return {
    contact: { id: 'preview', firstName: 'Dominique', ...ctx.contact },
    store: ctx.store ?? {
      id: 'sample',
      name: 'Boutique du Centre',
      address: '12 rue de la République',
      postcode: '69002',
      city: 'Lyon',
      country: 'FR',
      mapUrl: 'https://www.openstreetmap.org/search?query=sample',
      openingHours: [],
    },
    company: ctx.company,
    campaign: ctx.campaign ?? { id: 'preview', name: 'Preview' },
    ...(ctx.event ? { event: ctx.event } : {}),
    ...(ctx.offer
      ? {
          coupon: {
            code: 'XXXX-XXXX-XXXX-X',
            offer: offerText(ctx.offer, locale),
            validUntil: date.format(new Date(validity(ctx.offer, ctx.now).validUntil)),
            barcodeUrl: 'https://example.com/c/sample/barcode.png',
            qrUrl: 'https://example.com/c/sample/qr.png',
            printUrl: 'https://example.com/c/sample',
          },
        }
      : {}),
  };
}
