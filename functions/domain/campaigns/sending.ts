import type { Logger } from '@aws-lambda-powertools/logger';
import { localDay, matchesTrigger } from '../automations/automation';
import type { AutomationRepository } from '../automations/ports';
import { CHANNELS, type Channel, type Contact } from '../contacts/contact';
import { suppressContactChannel } from '../contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../contacts/ports';
import { couponCode, formatCode } from '../coupons/codes';
import { type Coupon, offerText, validity } from '../coupons/coupon';
import type { CouponRepository } from '../coupons/ports';
import { eligibility, inSegment } from '../segments/segment';
import type { Keyring } from '../shared/hashing';
import type { OutboundEmail, OutboundSms } from '../shared/messaging';
import { SendFailure } from '../shared/messaging';
import type { Clock, EmailMessenger, SmsMessenger, WorkQueue } from '../shared/ports';
import type { TokenBucket } from '../shared/rate-limiter';
import { isTimeZone, localInstant, type QuietHours, quietUntil } from '../shared/time';
import { signToken } from '../shared/tokens';
import { smsSize } from '../sms/encoding';
import type { ShortLinkRepository } from '../sms/ports';
import { type PreparedSms, prepareSms, renderSms, replaceLinks, type SmsVars } from '../sms/render';
import { shortCode, shortUrl } from '../sms/short-links';
import type { StoreRepository } from '../stores/ports';
import type { Store } from '../stores/store';
import { pickLocale } from '../templates/locales';
import {
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
import type { EngagementRepository } from '../tracking/ports';
import type { EventPublisher } from '../webhooks/ports';
import type { WebhookEvent } from '../webhooks/webhook';
import {
  type Campaign,
  type CampaignContent,
  type CampaignCounts,
  messagesFor,
  type PlanJob,
  pending,
  type SendJob,
} from './campaign';
import type { FrequencyCap } from './frequency';
import type { CampaignRepository, FrequencyLedger } from './ports';

export interface PlannerDeps {
  campaigns: CampaignRepository;
  contacts: ContactRepository;
  /** A journey's reminder is planned from the send records of the message before it. */
  engagement: Pick<EngagementRepository, 'sendRecords'>;
  clock: Clock;
  planQueue: WorkQueue<PlanJob>;
  sendQueue: WorkQueue<SendJob>;
  pageSize: number;
  recipientsPerJob: number;
}

/**
 * One page of a campaign's audience: the contacts of the base (a segment, and
 * for an automation's run those who newly match its trigger), or, for a
 * journey's reminder, the recipients of the previous message who did not
 * respond to it and have not bought since the journey began.
 */
async function audiencePage(
  deps: PlannerDeps,
  campaign: Campaign,
  now: Date,
): Promise<{ contacts: Contact[]; next?: string }> {
  const auto = campaign.automation;
  if (auto?.parentCampaignId) {
    const page = await deps.engagement.sendRecords(
      auto.parentCampaignId,
      campaign.plan.cursor,
      deps.pageSize,
    );
    const responded = new Set<string>();
    const reached = new Set<string>();
    // A message that went by email and SMS to the same contact has two records, next to each other; one
    // (the email's) stands for the contact, so that a page boundary between them cannot count it twice.
    const parent = await deps.campaigns.get(auto.parentCampaignId);
    const both = parent?.channel === 'email+sms' && parent.sms?.to === 'all';
    for (const r of page.records) {
      if (both && r.channel === 'sms') continue;
      if (r.status === 'sent') reached.add(r.contactId);
      const mark =
        auto.unless === 'opened' ? r.openedAt : auto.unless === 'clicked' ? r.clickedAt : undefined;
      // A redemption always ends the journey; `unless` adds opening or clicking the previous message.
      if (r.redeemedAt || mark) responded.add(r.contactId);
    }
    const ids = [...reached].filter((id) => !responded.has(id));
    const found = await deps.contacts.getMany(ids);
    const start = auto.journeyStart ? Date.parse(auto.journeyStart) : undefined;
    const contacts = [...found.values()].filter(
      (c) => start === undefined || !c.lastPurchaseAt || Date.parse(c.lastPurchaseAt) < start,
    );
    return { contacts, ...(page.next ? { next: page.next } : {}) };
  }
  const page = await deps.contacts.page(campaign.plan.cursor, deps.pageSize);
  const contacts = page.contacts.filter(
    (c) =>
      inSegment(c, campaign.segment, now) &&
      (!auto?.trigger || !auto.window || matchesTrigger(c, auto.trigger, auto.window)),
  );
  return { contacts, ...(page.next ? { next: page.next } : {}) };
}

/**
 * Plans one page of a campaign's segment: puts the eligible recipients on the
 * send queue in jobs, counts the suppressed ones as skipped, saves the cursor
 * and asks for the next page. Paging keeps every invocation short and the
 * memory flat whatever the size of the base; a duplicate planning message
 * finds the cursor moved and counts nothing.
 */
export async function planNextPage(deps: PlannerDeps, job: PlanJob): Promise<'planned' | 'done' | 'stopped'> {
  let campaign = await deps.campaigns.get(job.campaignId);
  if (job.start && campaign?.status === 'scheduled') {
    // Its schedule fired: it starts now (a repeated start finds it sending and plans as usual).
    const started = await deps.campaigns.transition(campaign.id, ['scheduled'], 'sending', {
      sendRequestedAt: deps.clock.now().toISOString(),
    });
    campaign = started ?? (await deps.campaigns.get(job.campaignId));
  }
  if (campaign?.status !== 'sending' || campaign.plan.done) return 'stopped';
  const now = deps.clock.now();
  const { contacts, next } = await audiencePage(deps, campaign, now);
  const recipients: Record<Channel, string[]> = { email: [], sms: [] };
  let skipped = 0;
  for (const contact of contacts) {
    const { channels, reason } = messagesFor(campaign, contact);
    for (const channel of channels) recipients[channel].push(contact.id);
    if (reason === 'suppressed') skipped++;
  }
  const jobs: SendJob[] = [];
  for (const channel of CHANNELS) {
    const ids = recipients[channel];
    for (let i = 0; i < ids.length; i += deps.recipientsPerJob) {
      jobs.push({ campaignId: campaign.id, contactIds: ids.slice(i, i + deps.recipientsPerJob), channel });
    }
  }
  const messages = recipients.email.length + recipients.sms.length;
  // Enqueue before saving the cursor: a crash in between re-plans the page, and the send claims absorb the repeat.
  await deps.sendQueue.enqueue(jobs);
  const advanced = await deps.campaigns.advancePlan(
    campaign.id,
    campaign.plan.cursor,
    next ? { cursor: next, done: false } : { done: true },
    { targeted: messages + skipped, skipped },
  );
  if (!advanced) return 'stopped';
  if (next) {
    await deps.planQueue.enqueue([{ campaignId: campaign.id }]);
    return 'planned';
  }
  await completeIfDone(deps.campaigns, await deps.campaigns.get(campaign.id), deps.clock);
  return 'done';
}

export interface SenderDeps {
  campaigns: CampaignRepository;
  coupons: CouponRepository;
  contacts: ContactRepository;
  stores: StoreRepository;
  messenger: EmailMessenger;
  sms: SmsMessenger;
  shortLinks: ShortLinkRepository;
  /** SMS totals (parts sent, opt-outs) go to the campaign's counters. */
  engagement: Pick<EngagementRepository, 'count'>;
  /** A provider's opt-out list revokes the contact's SMS consent, as a STOP reply does. */
  suppression: SuppressionList;
  smsPolicy: SmsPolicy;
  /** Paces this instance's SMS (SMS_RATE_PER_SECOND). */
  smsLimiter: TokenBucket;
  /** The global frequency cap, across campaigns and automations; none when unset. */
  frequency: FrequencyLedger;
  frequencyCap?: FrequencyCap;
  /** An automation messages a contact at most once per cooldown. */
  automations: Pick<AutomationRepository, 'markMessaged'>;
  /** `sent` events for the webhooks. */
  publisher: EventPublisher;
  sendQueue: WorkQueue<SendJob>;
  clock: Clock;
  keyring: () => Promise<Keyring>;
  limiter: TokenBucket;
  logger: Logger;
  company: { name: string; address: string };
  /** Waits between in-process retries of a throttled call. */
  sleep: (ms: number) => Promise<void>;
  /** How long a paused or throttled job waits on the queue before it is looked at again. */
  requeueDelaySeconds: number;
  /** How long a claim may stay without an outcome before it is counted as failed (unknown). */
  claimLeaseSeconds: number;
  /** Share of failed sends (after `errorThresholdMin` attempts) that pauses the campaign. */
  errorThreshold: number;
  errorThresholdMin: number;
}

/** When and how promotional SMS go out. */
export interface SmsPolicy {
  quietHours: QuietHours;
  /** For contacts with no time zone whose home shop has none either. */
  defaultTimeZone: string;
  /** Base of the short links (a short custom domain); the campaign's base URL by default. */
  shortLinkBase?: string;
}

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

/** Parsed templates per campaign, kept for the life of the Lambda instance: content never changes. */
const prepared = new Map<string, PreparedContent>();

async function preparedContent(deps: SenderDeps, campaignId: string) {
  const cached = prepared.get(campaignId);
  if (cached) return cached;
  const content = await deps.campaigns.getContent(campaignId);
  if (!content) throw new Error(`Campaign ${campaignId} has no content`);
  const entry = prepareContent(content);
  if (prepared.size > 50) prepared.clear();
  prepared.set(campaignId, entry);
  return entry;
}

/** The public links of one message: unsubscribe and view in browser, each with its own signed token. */
export function messageLinks(ring: Keyring, baseUrl: string, campaignId: string, contactId: string) {
  const data = { c: campaignId, k: contactId };
  return {
    unsubscribeUrl: `${baseUrl}/u/${signToken(ring, 'unsubscribe', data)}`,
    viewInBrowserUrl: `${baseUrl}/v/${signToken(ring, 'view', data)}`,
  };
}

/**
 * Templates with their shop-, language- and campaign-wide pieces rendered, and shop blocks, per
 * (campaign, locale, shop): computed for the first recipient of each, reused for the others.
 */
const specialised = new Map<string, SpecialisedEmail>();
const shopBlocks = new Map<string, StoreVars>();

function specialisedFor(
  campaign: Campaign,
  locale: string,
  store: Store | undefined,
  template: PreparedEmail,
  vars: MessageVars,
): SpecialisedEmail {
  const key = `${campaign.id}\u0000${locale}\u0000${store?.id ?? ''}\u0000${store?.updatedAt ?? ''}`;
  let spec = specialised.get(key);
  if (!spec) {
    if (specialised.size > 1000) specialised.clear();
    spec = specialiseEmail(template, vars);
    specialised.set(key, spec);
  }
  return spec;
}

function shopBlock(store: Store, locale: string): StoreVars {
  const key = `${store.id}\u0000${store.updatedAt}\u0000${locale}`;
  let block = shopBlocks.get(key);
  if (!block) {
    if (shopBlocks.size > 1000) shopBlocks.clear();
    block = storeVars(store, locale);
    shopBlocks.set(key, block);
  }
  return block;
}

/**
 * Issues this recipient's coupon, once: its code is derived from the campaign
 * and the contact, so a retried send finds the same coupon instead of a second one.
 */
export async function issueCoupon(
  deps: Pick<SenderDeps, 'coupons' | 'clock'>,
  ring: Keyring,
  campaign: Campaign,
  contact: Contact,
  channel: Channel = 'email',
  /** Called when this call issued the coupon (not when it found it issued already). */
  onIssued: () => void = () => undefined,
): Promise<Coupon | undefined> {
  const offer = campaign.offer;
  if (!offer) return undefined;
  const now = deps.clock.now();
  // A reminder carries the coupon of the journey's first message: the same code, found again.
  const owner = campaign.couponFrom ?? campaign.id;
  for (let attempt = 0; attempt < 3; attempt++) {
    const coupon: Coupon = {
      code: couponCode(ring, owner, contact.id, attempt),
      campaignId: owner,
      contactId: contact.id,
      status: 'issued',
      offer,
      ...validity(offer, now),
      stores: offer.stores,
      ...(channel === 'email' ? {} : { channel }),
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
      ...(contact.locale ? { locale: contact.locale } : {}),
      issuedAt: now.toISOString(),
      history: [{ action: 'issued', at: now.toISOString() }],
    };
    if (await deps.coupons.issue(coupon)) {
      onIssued();
      return coupon;
    }
    const existing = await deps.coupons.get(coupon.code);
    if (existing?.campaignId === owner && existing.contactId === contact.id) return existing;
    // Another recipient's code (2^-60 odds): derive the next one.
  }
  throw new Error('Could not issue a unique coupon code');
}

/** What templates show of a coupon: the code, the offer, the validity, the images and the printable page. */
export function couponVars(
  ring: Keyring,
  baseUrl: string,
  coupon: Coupon,
  locale: string,
): NonNullable<MessageVars['coupon']> {
  const token = signToken(ring, 'coupon', { d: coupon.code });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'Europe/Paris' });
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
  company: { name: string; address: string },
): MessageVars {
  return {
    contact: {
      id: contact.id,
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
      ...(contact.lastName ? { lastName: contact.lastName } : {}),
      ...(contact.email ? { email: contact.email } : {}),
      ...(contact.locale ? { locale: contact.locale } : {}),
    },
    ...(store ? { store: shopBlock(store, locale) } : {}),
    ...links,
    company,
    campaign: { id: campaign.id, name: campaign.name },
    ...(campaign.event ? { event: campaign.event } : {}),
  };
}

/** Builds the email for one recipient: Liquid only, the MJML was compiled when the campaign was created. */
export async function buildEmail(
  deps: Pick<SenderDeps, 'company' | 'clock'>,
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
  const vars = messageVars(campaign, contact, store, locale, links, deps.company);
  if (coupon) vars.coupon = couponVars(ring, campaign.baseUrl ?? '', coupon, locale);
  const rendered = renderSpecialised(specialisedFor(campaign, locale, store, template, vars), vars);
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
  deps: Pick<SenderDeps, 'shortLinks' | 'smsPolicy'>,
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
  deps: Pick<SenderDeps, 'company' | 'clock' | 'shortLinks' | 'smsPolicy'>,
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
  );
  // What a customer typed (a name given at a till) must not become a tracked link on our domain.
  const smsVars: SmsVars = { ...vars, contact: withoutLinks(vars.contact) };
  if (coupon) smsVars.coupon = couponVars(ring, campaign.baseUrl ?? '', coupon, locale);
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

/**
 * Why a message may not go out although the contact can be messaged: its
 * automation messaged it within its cooldown, or it had its share of
 * marketing messages (the global frequency cap). Each check records the
 * message when it passes, so the next campaign sees it.
 */
async function beyondLimits(
  deps: SenderDeps,
  campaign: Campaign,
  contactId: string,
  channel: Channel,
): Promise<'cooldown' | 'capped' | undefined> {
  const at = deps.clock.now().toISOString();
  // The cap first: a capped contact keeps its automation's cooldown for a message it will get.
  if (deps.frequencyCap) {
    const fits = await deps.frequency.reserve(
      contactId,
      { campaignId: campaign.id, channel, at },
      deps.frequencyCap,
    );
    if (!fits) return 'capped';
  }
  const auto = campaign.automation;
  if (auto?.step === 0 && auto.cooldownDays) {
    if (!(await deps.automations.markMessaged(auto.id, contactId, campaign.id, at, auto.cooldownDays))) {
      return 'cooldown';
    }
  }
  return undefined;
}

/** The contact's fields with any `http(s)://` removed, so that only the template's links are shortened. */
function withoutLinks<T extends Record<string, unknown>>(fields: T): T {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/https?:\/\//gi, '') : v]),
  ) as T;
}

/** The time zones of a country, from the runtime's ICU data (`Intl.Locale`), or none; kept per country. */
function countryTimeZones(country: string | undefined): string[] {
  if (!country) return [];
  let zones = countryZones.get(country);
  if (!zones) {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & {
      getTimeZones?: () => string[];
      timeZones?: string[];
    };
    zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
    countryZones.set(country, zones);
  }
  return zones;
}
const countryZones = new Map<string, string[]>();

/**
 * Where the contact may be, for quiet hours: its own time zone, else its home
 * shop's, else every time zone of its phone number's country (a `+1` number
 * is quiet when it is night anywhere in the United States), else the default.
 */
function timeZonesOf(contact: Contact, store: Store | undefined, policy: SmsPolicy): string[] {
  const known = [contact.timeZone, store?.timeZone].find((tz) => tz && isTimeZone(tz));
  if (known) return [known];
  const zones = countryTimeZones(contact.phone ? contact.phoneCountry : undefined);
  return zones.length > 0 ? zones : [policy.defaultTimeZone];
}

/**
 * When this message may go out, if not now: an SMS not in quiet hours, and a
 * campaign with a local delivery time (`localTime`) not before that hour on
 * the day sending started, in every time zone the contact may be in.
 */
function notBefore(
  deps: Pick<SenderDeps, 'clock' | 'smsPolicy'>,
  campaign: Campaign,
  channel: Channel,
  /** Asked only when needed: an email without a local delivery time waits for nothing. */
  zonesOf: () => string[],
): Date | undefined {
  if (channel !== 'sms' && !campaign.localTime) return undefined;
  const now = deps.clock.now();
  const zones = zonesOf();
  let until = channel === 'sms' ? quietFor(now, zones, deps.smsPolicy.quietHours) : undefined;
  if (campaign.localTime && campaign.sendRequestedAt) {
    const started = new Date(campaign.sendRequestedAt);
    for (const tz of zones) {
      const at = localInstant(localDay(started, tz), campaign.localTime, tz);
      if (at > now && (!until || at > until)) until = at;
    }
  }
  return until;
}

/** When the contact may be texted, if it is quiet hours in any of its possible time zones now. */
function quietFor(now: Date, zones: string[], quiet: QuietHours): Date | undefined {
  let until: Date | undefined;
  for (const tz of zones) {
    const end = quietUntil(now, tz, quiet);
    if (end && (!until || end > until)) until = end;
  }
  return until;
}

export interface JobOutcome {
  counted: Partial<CampaignCounts>;
  requeued: number;
}

/**
 * Sends one job's recipients, each at most once: a send record is claimed with
 * a conditional write before the provider is called, so a retried or
 * duplicated job skips whoever was already handled. Throttling is retried in
 * process with backoff, then the rest of the job goes back on the queue with a
 * delay; a permanent failure fails that recipient only; a fatal one (the
 * account cannot send) pauses the campaign.
 */
export async function sendJob(
  deps: SenderDeps,
  job: SendJob,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<JobOutcome> {
  const campaign = await deps.campaigns.get(job.campaignId);
  if (!campaign || campaign.status === 'cancelled' || campaign.status === 'sent')
    return { counted: {}, requeued: 0 };
  if (campaign.status !== 'sending') {
    await deps.sendQueue.enqueue([job], deps.requeueDelaySeconds);
    return { counted: {}, requeued: job.contactIds.length };
  }
  const channel = job.channel ?? 'email';
  // An SMS contact is read just before its send: a STOP that arrived a moment ago is seen.
  const [content, ring, contacts] = await Promise.all([
    preparedContent(deps, campaign.id),
    deps.keyring(),
    channel === 'email' ? deps.contacts.getMany(job.contactIds) : undefined,
  ]);
  const counted = { sent: 0, failed: 0, skipped: 0 };
  const sms = { sms_sent: 0, sms_segments: 0, sms_failed: 0, sms_opted_out: 0 };
  /** Recipients held back by the frequency cap or an automation's cooldown (counted in `skipped` too). */
  const totals = { capped: 0, cooldown: 0, coupons_issued: 0 };
  const sent: WebhookEvent[] = [];
  let requeue: string[] = [];
  /** SMS recipients in their quiet hours, and when the first of them may be texted. */
  const deferred: string[] = [];
  let wakeAt = Number.POSITIVE_INFINITY;
  let pauseReason: string | undefined;
  const provider = channel === 'email' ? 'email' : 'SMS';

  for (const [i, contactId] of job.contactIds.entries()) {
    // Stop well before the function's timeout: what is left goes back on the queue, unclaimed.
    if (remainingMs() < 10_000) {
      requeue = job.contactIds.slice(i);
      break;
    }
    let claimed = false;
    // The provider accepted the message: from then on, whatever fails, this recipient is never sent again.
    let accepted = false;
    let locale: string | undefined;
    try {
      const contact = contacts
        ? contacts.get(contactId)
        : await deps.contacts.get(contactId, { consistent: true });
      const e = contact ? eligibility(contact, channel) : 'erased';
      const address = channel === 'email' ? contact?.email : contact?.phone;
      if (e !== 'eligible' || !contact || !address) {
        if (await deps.campaigns.claimSend(campaign.id, contactId, 'skipped', e, channel)) counted.skipped++;
        continue;
      }
      const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
      const until = notBefore(deps, campaign, channel, () => timeZonesOf(contact, store, deps.smsPolicy));
      if (until) {
        // Quiet hours, or the campaign's local delivery time not reached for this contact yet.
        deferred.push(contactId);
        wakeAt = Math.min(wakeAt, until.getTime());
        continue;
      }
      const limit = await beyondLimits(deps, campaign, contactId, channel);
      if (limit) {
        if (await deps.campaigns.claimSend(campaign.id, contactId, 'skipped', limit, channel)) {
          counted.skipped++;
          totals[limit]++;
        }
        continue;
      }
      if (!(await deps.campaigns.claimSend(campaign.id, contactId, 'claimed', undefined, channel))) {
        // Already handled, or claimed by a sender that died before recording the outcome.
        const before = new Date(deps.clock.now().getTime() - deps.claimLeaseSeconds * 1000).toISOString();
        if (await deps.campaigns.expireClaim(campaign.id, contactId, before, channel)) {
          counted.failed++;
          if (channel === 'sms') sms.sms_failed++;
        }
        continue;
      }
      claimed = true;
      const issued = await issueCoupon(deps, ring, campaign, contact, channel, () => totals.coupons_issued++);
      // A reminder whose coupon has expired since the first message says nothing of it.
      const coupon =
        issued && Date.parse(issued.validUntil) > deps.clock.now().getTime() ? issued : undefined;
      let messageId: string;
      let segments: number | undefined;
      if (channel === 'email') {
        const built = await buildEmail(
          deps,
          ring,
          campaign,
          content,
          contact as Contact & { email: string },
          store,
          coupon,
        );
        locale = built.locale;
        ({ messageId } = await sendWithRetries(deps, deps.limiter, () => deps.messenger.send(built.email)));
      } else {
        if (!content.sms) throw new Error(`Campaign ${campaign.id} has no SMS content`);
        const built = await buildSms(
          deps,
          ring,
          campaign,
          content.sms,
          contact as Contact & { phone: string },
          store,
          coupon,
        );
        locale = built.locale;
        segments = built.segments;
        ({ messageId } = await sendWithRetries(deps, deps.smsLimiter, () => deps.sms.send(built.sms)));
      }
      accepted = true;
      await deps.campaigns.settleSend(
        campaign.id,
        contactId,
        {
          status: 'sent',
          messageId,
          locale,
          ...(coupon ? { couponCode: coupon.code } : {}),
          ...(segments ? { segments } : {}),
        },
        channel,
      );
      counted.sent++;
      sent.push({
        type: 'sent',
        at: deps.clock.now().toISOString(),
        campaignId: campaign.id,
        contactId,
        channel,
        data: { messageId },
      });
      if (segments) {
        sms.sms_sent++;
        sms.sms_segments += segments;
      }
    } catch (err) {
      if (claimed && err instanceof SendFailure && (err.kind === 'permanent' || err.kind === 'opted_out')) {
        const optedOut = err.kind === 'opted_out';
        await deps.campaigns.settleSend(
          campaign.id,
          contactId,
          optedOut
            ? { status: 'skipped', reason: 'opted_out', error: err.message }
            : { status: 'failed', error: err.message, ...(locale ? { locale } : {}) },
          channel,
        );
        if (optedOut) {
          counted.skipped++;
          sms.sms_opted_out++;
          // The provider's opt-out list is the customer's word: no SMS again, from any campaign.
          await suppressContactChannel(deps, contactId, 'sms', 'opt-out:provider').catch((e: unknown) =>
            deps.logger.error('Could not record a provider opt-out', { contactId, error: e as Error }),
          );
        } else {
          counted.failed++;
          if (channel === 'sms') sms.sms_failed++;
        }
        continue;
      }
      // Throttled, transient, fatal, or unexpected (a failed read or write): this recipient — unless the
      // provider already took it, in which case its claim stays and the lease will count it — and the rest
      // of the job go back on the queue, and the counts so far are still written below.
      if (claimed && !accepted) {
        await deps.campaigns
          .settleSend(campaign.id, contactId, { status: 'retry', error: (err as Error).message }, channel)
          .catch(() => undefined);
      }
      requeue = job.contactIds.slice(accepted ? i + 1 : i);
      if (err instanceof SendFailure && err.kind === 'fatal') {
        pauseReason = `The ${provider} provider refused to send: ${err.message}`;
      }
      const log = err instanceof SendFailure ? deps.logger.warn : deps.logger.error;
      log.call(deps.logger, 'Sending deferred', {
        campaignId: campaign.id,
        channel,
        kind: err instanceof SendFailure ? err.kind : 'unexpected',
        error: err as Error,
        remaining: requeue.length,
      });
      break;
    }
  }

  if (deferred.length) {
    // Quiet hours: back on the queue until the first of them wakes up (SQS delays 15 minutes at most).
    const wait = Math.ceil((wakeAt - deps.clock.now().getTime()) / 1000);
    await deps.sendQueue.enqueue(
      [{ campaignId: campaign.id, contactIds: deferred, channel }],
      Math.max(1, Math.min(900, wait)),
    );
  }
  const extra = Object.fromEntries(Object.entries({ ...sms, ...totals }).filter(([, v]) => v > 0));
  if (Object.keys(extra).length > 0) {
    await deps.engagement
      .count(campaign.id, extra)
      .catch((e: unknown) => deps.logger.error('Could not count send totals', { error: e as Error }));
  }
  if (sent.length > 0) {
    await deps.publisher
      .publish(sent)
      .catch((e: unknown) => deps.logger.error('Could not publish sent events', { error: e as Error }));
  }
  if (requeue.length)
    await deps.sendQueue.enqueue(
      [{ campaignId: campaign.id, contactIds: requeue, channel }],
      deps.requeueDelaySeconds,
    );
  const after = await deps.campaigns.addCounts(campaign.id, counted);
  if (after) {
    const attempts = after.counts.sent + after.counts.failed;
    if (
      !pauseReason &&
      after.counts.failed >= deps.errorThresholdMin &&
      after.counts.failed / attempts > deps.errorThreshold
    ) {
      pauseReason = `${after.counts.failed} of ${attempts} sends failed (over ${Math.round(deps.errorThreshold * 100)}%)`;
    }
    if (pauseReason) {
      const paused = await deps.campaigns.transition(campaign.id, ['sending'], 'paused', {
        pausedReason: pauseReason,
      });
      if (paused) deps.logger.warn('Campaign paused', { campaignId: campaign.id, reason: pauseReason });
    } else {
      await completeIfDone(deps.campaigns, after, deps.clock);
    }
  }
  return { counted, requeued: requeue.length };
}

async function sendWithRetries(
  deps: Pick<SenderDeps, 'sleep'>,
  limiter: TokenBucket,
  send: () => Promise<{ messageId: string }>,
): Promise<{ messageId: string }> {
  for (let attempt = 0; ; attempt++) {
    await limiter.take();
    try {
      return await send();
    } catch (err) {
      const retryable = err instanceof SendFailure && (err.kind === 'throttled' || err.kind === 'transient');
      if (!retryable || attempt >= 3) throw err;
      await deps.sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** Marks the campaign sent once planning is over and every recipient has an outcome. */
export async function completeIfDone(
  campaigns: CampaignRepository,
  campaign: Campaign | undefined,
  clock: Clock,
) {
  if (campaign?.status !== 'sending' || !campaign.plan.done || pending(campaign.counts) > 0) return;
  await campaigns.transition(campaign.id, ['sending'], 'sent', { completedAt: clock.now().toISOString() });
}
