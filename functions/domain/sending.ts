import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  CampaignStore,
  Clock,
  ContactStore,
  CouponStore,
  EmailMessenger,
  OutboundEmail,
  StoreDirectory,
  WorkQueue,
} from '../ports';
import { SendFailure } from '../ports';
import {
  type Campaign,
  type CampaignContent,
  type CampaignCounts,
  type PlanJob,
  pending,
  type SendJob,
} from './campaigns';
import type { Contact } from './contacts';
import { couponCode, formatCode } from './coupon-codes';
import { type Coupon, offerText, validity } from './coupons';
import type { Keyring } from './hashing';
import type { TokenBucket } from './rate-limiter';
import { eligibility, inSegment } from './segments';
import type { Store } from './stores';
import { pickLocale } from './templates/locales';
import {
  type MessageVars,
  type PreparedEmail,
  prepareEmail,
  renderSpecialised,
  type SpecialisedEmail,
  type StoreVars,
  specialiseEmail,
  storeVars,
} from './templates/render';
import { signToken } from './tokens';
import { trackLinks } from './tracking';

export interface PlannerDeps {
  campaigns: CampaignStore;
  contacts: ContactStore;
  clock: Clock;
  planQueue: WorkQueue<PlanJob>;
  sendQueue: WorkQueue<SendJob>;
  pageSize: number;
  recipientsPerJob: number;
}

/**
 * Plans one page of a campaign's segment: puts the eligible recipients on the
 * send queue in jobs, counts the suppressed ones as skipped, saves the cursor
 * and asks for the next page. Paging keeps every invocation short and the
 * memory flat whatever the size of the base; a duplicate planning message
 * finds the cursor moved and counts nothing.
 */
export async function planNextPage(deps: PlannerDeps, job: PlanJob): Promise<'planned' | 'done' | 'stopped'> {
  const campaign = await deps.campaigns.get(job.campaignId);
  if (campaign?.status !== 'sending' || campaign.plan.done) return 'stopped';
  const now = deps.clock.now();
  const { contacts, next } = await deps.contacts.page(campaign.plan.cursor, deps.pageSize);
  const recipients: string[] = [];
  let skipped = 0;
  for (const contact of contacts) {
    if (!inSegment(contact, campaign.segment, now)) continue;
    const e = eligibility(contact, campaign.channel);
    if (e === 'eligible') recipients.push(contact.id);
    else if (e === 'suppressed') skipped++;
  }
  const jobs: SendJob[] = [];
  for (let i = 0; i < recipients.length; i += deps.recipientsPerJob) {
    jobs.push({ campaignId: campaign.id, contactIds: recipients.slice(i, i + deps.recipientsPerJob) });
  }
  // Enqueue before saving the cursor: a crash in between re-plans the page, and the send claims absorb the repeat.
  await deps.sendQueue.enqueue(jobs);
  const advanced = await deps.campaigns.advancePlan(
    campaign.id,
    campaign.plan.cursor,
    next ? { cursor: next, done: false } : { done: true },
    { targeted: recipients.length + skipped, skipped },
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
  campaigns: CampaignStore;
  coupons: CouponStore;
  contacts: ContactStore;
  stores: StoreDirectory;
  messenger: EmailMessenger;
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

export type PreparedContent = { byLocale: Record<string, PreparedEmail>; defaultLocale: string };

/** Parses a campaign's compiled templates (Liquid), once per campaign. */
export function prepareContent(content: CampaignContent): PreparedContent {
  return {
    byLocale: Object.fromEntries(Object.entries(content.byLocale).map(([l, c]) => [l, prepareEmail(c)])),
    defaultLocale: content.defaultLocale,
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
): Promise<Coupon | undefined> {
  const offer = campaign.offer;
  if (!offer) return undefined;
  const now = deps.clock.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const coupon: Coupon = {
      code: couponCode(ring, campaign.id, contact.id, attempt),
      campaignId: campaign.id,
      contactId: contact.id,
      status: 'issued',
      offer,
      ...validity(offer, now),
      stores: offer.stores,
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
      ...(contact.locale ? { locale: contact.locale } : {}),
      issuedAt: now.toISOString(),
      history: [{ action: 'issued', at: now.toISOString() }],
    };
    if (await deps.coupons.issue(coupon)) return coupon;
    const existing = await deps.coupons.get(coupon.code);
    if (existing?.campaignId === campaign.id && existing.contactId === contact.id) return existing;
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
      from: `${quoteName(campaign.from.name)} <${campaign.from.address}>`,
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
  const [content, ring, contacts] = await Promise.all([
    preparedContent(deps, campaign.id),
    deps.keyring(),
    deps.contacts.getMany(job.contactIds),
  ]);
  const counted = { sent: 0, failed: 0, skipped: 0 };
  let requeue: string[] = [];
  let pauseReason: string | undefined;

  for (const [i, contactId] of job.contactIds.entries()) {
    // Stop well before the function's timeout: what is left goes back on the queue, unclaimed.
    if (remainingMs() < 10_000) {
      requeue = job.contactIds.slice(i);
      break;
    }
    const contact = contacts.get(contactId);
    const e = contact ? eligibility(contact, campaign.channel) : 'erased';
    if (e !== 'eligible' || !contact?.email) {
      if (await deps.campaigns.claimSend(campaign.id, contactId, 'skipped', e)) counted.skipped++;
      continue;
    }
    if (!(await deps.campaigns.claimSend(campaign.id, contactId, 'claimed'))) {
      // Already handled, or claimed by a sender that died before recording the outcome.
      const before = new Date(deps.clock.now().getTime() - deps.claimLeaseSeconds * 1000).toISOString();
      if (await deps.campaigns.expireClaim(campaign.id, contactId, before)) counted.failed++;
      continue;
    }
    // SES accepted the message: from then on, whatever fails, this recipient is never sent again.
    let accepted = false;
    let locale: string | undefined;
    try {
      const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
      const coupon = await issueCoupon(deps, ring, campaign, contact);
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
      const { messageId } = await sendWithRetries(deps, built.email);
      accepted = true;
      await deps.campaigns.settleSend(campaign.id, contactId, {
        status: 'sent',
        messageId,
        locale,
        ...(coupon ? { couponCode: coupon.code } : {}),
      });
      counted.sent++;
    } catch (err) {
      if (err instanceof SendFailure && err.kind === 'permanent') {
        await deps.campaigns.settleSend(campaign.id, contactId, {
          status: 'failed',
          error: err.message,
          ...(locale ? { locale } : {}),
        });
        counted.failed++;
        continue;
      }
      // Throttled, transient, fatal, or unexpected (a failed read or write): this recipient — unless SES
      // already took it, in which case its claim stays and the lease will count it — and the rest of the
      // job go back on the queue, and the counts so far are still written below.
      if (!accepted) {
        await deps.campaigns
          .settleSend(campaign.id, contactId, { status: 'retry', error: (err as Error).message })
          .catch(() => undefined);
      }
      requeue = job.contactIds.slice(accepted ? i + 1 : i);
      if (err instanceof SendFailure && err.kind === 'fatal') {
        pauseReason = `The email provider refused to send: ${err.message}`;
      }
      const log = err instanceof SendFailure ? deps.logger.warn : deps.logger.error;
      log.call(deps.logger, 'Sending deferred', {
        campaignId: campaign.id,
        kind: err instanceof SendFailure ? err.kind : 'unexpected',
        error: err as Error,
        remaining: requeue.length,
      });
      break;
    }
  }

  if (requeue.length)
    await deps.sendQueue.enqueue(
      [{ campaignId: campaign.id, contactIds: requeue }],
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

async function sendWithRetries(deps: SenderDeps, email: OutboundEmail): Promise<{ messageId: string }> {
  for (let attempt = 0; ; attempt++) {
    await deps.limiter.take();
    try {
      return await deps.messenger.send(email);
    } catch (err) {
      const retryable = err instanceof SendFailure && (err.kind === 'throttled' || err.kind === 'transient');
      if (!retryable || attempt >= 3) throw err;
      await deps.sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** Marks the campaign sent once planning is over and every recipient has an outcome. */
export async function completeIfDone(campaigns: CampaignStore, campaign: Campaign | undefined, clock: Clock) {
  if (campaign?.status !== 'sending' || !campaign.plan.done || pending(campaign.counts) > 0) return;
  await campaigns.transition(campaign.id, ['sending'], 'sent', { completedAt: clock.now().toISOString() });
}
