import type { Contact } from '../contacts/contact';
import { formatCode } from '../coupons/codes';
import { type Coupon, offerText } from '../coupons/coupon';
import type { Company } from '../shared/company';
import type { Keyring } from '../shared/hashing';
import type { OutboundEmail, OutboundSms } from '../shared/messaging';
import type { Clock } from '../shared/ports';
import { signToken } from '../shared/tokens';
import { smsSize } from '../sms/encoding';
import type { ShortLinkRepository } from '../sms/ports';
import { type PreparedSms, prepareSms, renderSms, replaceLinks, type SmsVars } from '../sms/render';
import { shortCode, shortUrl } from '../sms/short-links';
import type { Store } from '../stores/store';
import { pickLocale } from '../templates/locales';
import {
  contactVars,
  type MessageVars,
  type PreparedEmail,
  prepareEmail,
  renderSpecialised,
  type SpecialisedEmail,
  type StoreVars,
  specialiseEmail,
  storeVars,
} from '../templates/render';
import { trackLinks } from '../tracking/links';
import type { Campaign, CampaignContent } from './campaign';
import type { CampaignRepository } from './ports';
import type { SmsPolicy } from './send-window';

export type PreparedContent = {
  byLocale: Record<string, PreparedEmail>;
  defaultLocale: string;
  sms?: { byLocale: Record<string, PreparedSms>; defaultLocale: string };
};

/** Parses a campaign's compiled templates (Liquid), once per campaign. */
export function prepareContent(content: CampaignContent): PreparedContent {
  return {
    byLocale: Object.fromEntries(Object.entries(content.byLocale).map(([l, c]) => [l, prepareEmail(c)])),
    defaultLocale: content.defaultLocale,
    ...(content.sms
      ? {
          sms: {
            byLocale: Object.fromEntries(
              Object.entries(content.sms.byLocale).map(([l, c]) => [l, prepareSms(c)]),
            ),
            defaultLocale: content.sms.defaultLocale,
          },
        }
      : {}),
  };
}

/** The public links of one message: unsubscribe and view in browser, each with its own signed token. */
export function messageLinks(ring: Keyring, baseUrl: string, campaignId: string, contactId: string) {
  const data = { c: campaignId, k: contactId };
  return {
    unsubscribeUrl: `${baseUrl}/u/${signToken(ring, 'unsubscribe', data)}`,
    viewInBrowserUrl: `${baseUrl}/v/${signToken(ring, 'view', data)}`,
  };
}

/** A bounded map that forgets everything when it grows past `max` (content never changes, keys carry versions). */
class Bounded<V> {
  private readonly items = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => V): V {
    let value = this.items.get(key);
    if (value === undefined) {
      if (this.items.size > this.max) this.items.clear();
      value = make();
      this.items.set(key, value);
    }
    return value;
  }
  delete(key: string): void {
    this.items.delete(key);
  }
}

/**
 * What is the same for many recipients, computed for the first and reused for the others, for as
 * long as the instance that owns the cache lives (a Lambda instance, the local stack): parsed
 * templates per campaign, templates with their shop-, language- and campaign-wide pieces
 * rendered per (campaign, locale, shop), and shop blocks.
 */
export class MessageCache {
  private readonly prepared = new Bounded<Promise<PreparedContent>>(50);
  private readonly specialised = new Bounded<SpecialisedEmail>(1000);
  private readonly shopBlocks = new Bounded<StoreVars>(1000);

  /** A campaign's templates, parsed once; a failed read is not kept. */
  content(campaigns: Pick<CampaignRepository, 'getContent'>, campaignId: string): Promise<PreparedContent> {
    const entry = this.prepared.get(campaignId, async () => {
      const content = await campaigns.getContent(campaignId);
      if (!content) throw new Error(`Campaign ${campaignId} has no content`);
      return prepareContent(content);
    });
    entry.catch(() => this.prepared.delete(campaignId));
    return entry;
  }

  specialisedFor(
    campaign: Campaign,
    locale: string,
    store: Store | undefined,
    template: PreparedEmail,
    vars: MessageVars,
  ): SpecialisedEmail {
    const key = `${campaign.id}\u0000${locale}\u0000${store?.id ?? ''}\u0000${store?.updatedAt ?? ''}`;
    return this.specialised.get(key, () => specialiseEmail(template, vars));
  }

  shopBlock(store: Store, locale: string): StoreVars {
    return this.shopBlocks.get(`${store.id}\u0000${store.updatedAt}\u0000${locale}`, () =>
      storeVars(store, locale),
    );
  }
}

/** What building a message needs besides the campaign, the contact and its shop. */
export interface MessageDeps {
  clock: Clock;
  company: Company;
  /** Dates (a coupon's end) are shown in this zone. */
  timeZone: string;
  /** Reused across recipients; a fresh one when not given (one message, e.g. the view-in-browser page). */
  cache?: MessageCache;
}

/** What building an SMS needs on top: where its short links are stored, and their base. */
export interface SmsMessageDeps extends MessageDeps {
  shortLinks: ShortLinkRepository;
  smsPolicy: Pick<SmsPolicy, 'shortLinkBase'>;
}

/** What templates show of a coupon: the code, the offer, the validity, the images and the printable page. */
export function couponVars(
  ring: Keyring,
  baseUrl: string,
  coupon: Coupon,
  locale: string,
  timeZone: string,
): NonNullable<MessageVars['coupon']> {
  const token = signToken(ring, 'coupon', { d: coupon.code });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
  return {
    code: formatCode(coupon.code),
    offer: offerText(coupon.offer, locale),
    validUntil: date.format(new Date(coupon.validUntil)),
    barcodeUrl: `${baseUrl}/c/${token}/barcode.png`,
    qrUrl: `${baseUrl}/c/${token}/qr.png`,
    printUrl: `${baseUrl}/c/${token}`,
  };
}

/** Everything a template may use for this recipient. */
export function messageVars(
  campaign: Campaign,
  contact: Contact,
  store: Store | undefined,
  locale: string,
  links: { unsubscribeUrl: string; viewInBrowserUrl: string },
  company: Company,
  cache: MessageCache,
): MessageVars {
  return {
    contact: contactVars(contact),
    ...(store ? { store: cache.shopBlock(store, locale) } : {}),
    ...links,
    company,
    campaign: { id: campaign.id, name: campaign.name },
    ...(campaign.event ? { event: campaign.event } : {}),
  };
}

/** Builds the email for one recipient: Liquid only, the MJML was compiled when the campaign was created. */
export async function buildEmail(
  deps: MessageDeps,
  ring: Keyring,
  campaign: Campaign,
  content: PreparedContent,
  contact: Contact & { email: string },
  store: Store | undefined,
  coupon?: Coupon,
  /** When the message was sent: tracking tokens carry it (the view-in-browser page passes the original). */
  sentAt: number = deps.clock.now().getTime(),
): Promise<{ email: OutboundEmail; locale: string }> {
  const locale = pickLocale(Object.keys(content.byLocale), contact.locale, content.defaultLocale);
  const template = content.byLocale[locale] as PreparedEmail;
  const links = messageLinks(ring, campaign.baseUrl ?? '', campaign.id, contact.id);
  const cache = deps.cache ?? new MessageCache();
  const vars = messageVars(campaign, contact, store, locale, links, deps.company, cache);
  if (coupon) vars.coupon = couponVars(ring, campaign.baseUrl ?? '', coupon, locale, deps.timeZone);
  const rendered = renderSpecialised(cache.specialisedFor(campaign, locale, store, template, vars), vars);
  return {
    locale,
    email: {
      to: contact.email,
      from: campaign.from ? `${quoteName(campaign.from.name)} <${campaign.from.address}>` : '',
      ...(campaign.replyTo ? { replyTo: [campaign.replyTo] } : {}),
      subject: rendered.subject,
      html: trackLinks(rendered.html, {
        ring,
        baseUrl: campaign.baseUrl ?? '',
        campaignId: campaign.id,
        contactId: contact.id,
        sentAt,
      }),
      text: rendered.text,
      headers: {
        // RFC 8058: mailbox providers show an unsubscribe button that POSTs here.
        'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      tags: { campaignId: campaign.id, contactId: contact.id },
    },
  };
}

/** A display name safe in a From header: quoted when it has specials. */
function quoteName(name: string): string {
  return /[",.<>@;:()[\]\\]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name;
}

/**
 * The short link of one link of one recipient's SMS, stored once: its code is
 * derived from (campaign, contact, link), so a retried send reuses it.
 */
async function shortenLink(
  deps: Pick<SmsMessageDeps, 'shortLinks' | 'smsPolicy'>,
  ring: Keyring,
  campaign: Campaign,
  contactId: string,
  url: string,
  index: number,
  sentAt: number,
  keepUntil?: string,
): Promise<string> {
  const base = deps.smsPolicy.shortLinkBase ?? campaign.baseUrl ?? '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const code = shortCode(ring, campaign.id, contactId, index, attempt);
    const link = { code, campaignId: campaign.id, contactId, link: index, url, sentAt };
    if (await deps.shortLinks.create(keepUntil ? { ...link, keepUntil } : link)) return shortUrl(base, code);
    const existing = await deps.shortLinks.get(code);
    if (existing?.campaignId === campaign.id && existing.contactId === contactId && existing.link === index) {
      return shortUrl(base, code);
    }
  }
  throw new Error('Could not create a unique short link');
}

/**
 * Builds the SMS for one recipient: Liquid, then every link replaced by a
 * short tracked link, then measured (GSM-7 or UCS-2, parts).
 */
export async function buildSms(
  deps: SmsMessageDeps,
  ring: Keyring,
  campaign: Campaign,
  content: NonNullable<PreparedContent['sms']>,
  contact: Contact & { phone: string },
  store: Store | undefined,
  coupon?: Coupon,
): Promise<{ sms: OutboundSms; locale: string; segments: number }> {
  const sentAt = deps.clock.now().getTime();
  const locale = pickLocale(Object.keys(content.byLocale), contact.locale, content.defaultLocale);
  const {
    unsubscribeUrl: _u,
    viewInBrowserUrl: _v,
    ...vars
  } = messageVars(
    campaign,
    contact,
    store,
    locale,
    { unsubscribeUrl: '', viewInBrowserUrl: '' },
    deps.company,
    deps.cache ?? new MessageCache(),
  );
  const smsVars: SmsVars = { ...vars };
  if (coupon) smsVars.coupon = couponVars(ring, campaign.baseUrl ?? '', coupon, locale, deps.timeZone);
  const rendered = renderSms(content.byLocale[locale] as PreparedSms, smsVars);
  const body = await replaceLinks(rendered, (url, i) =>
    shortenLink(deps, ring, campaign, contact.id, url, i, sentAt, coupon?.validUntil),
  );
  return {
    locale,
    segments: smsSize(body).segments,
    sms: { to: contact.phone, body, tags: { campaignId: campaign.id, contactId: contact.id } },
  };
}
