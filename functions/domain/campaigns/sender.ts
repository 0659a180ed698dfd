import type { Logger } from '@aws-lambda-powertools/logger';
import type { Channel, Contact } from '../contacts/contact';
import { suppressContactChannel } from '../contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../contacts/ports';
import { issueCoupon } from '../coupons/issue';
import type { CouponRepository } from '../coupons/ports';
import { counterName, smsCounter } from '../reports/counters';
import { type Eligibility, eligibility } from '../segments/segment';
import { type Keyring, keyedHash } from '../shared/hashing';
import { SendFailure } from '../shared/messaging';
import type { EmailMessenger, MetricSink, SmsMessenger, WorkQueue } from '../shared/ports';
import type { TokenBucket } from '../shared/rate-limiter';
import type { StoreRepository } from '../stores/ports';
import type { Store } from '../stores/store';
import type { EngagementRepository } from '../tracking/ports';
import type { EventPublisher } from '../webhooks/ports';
import type { WebhookEvent } from '../webhooks/webhook';
import type { Campaign, CampaignCounts, SendJob } from './campaign';
import { beyondLimits, type LimitDeps } from './limits';
import {
  buildEmail,
  buildSms,
  type MessageCache,
  type PreparedContent,
  type SmsMessageDeps,
} from './message';
import type { CampaignRepository } from './ports';
import { completeIfDone } from './progress';
import { notBefore, type SmsPolicy, timeZonesOf } from './send-window';

export interface SenderDeps extends SmsMessageDeps, LimitDeps {
  campaigns: CampaignRepository;
  coupons: CouponRepository;
  contacts: ContactRepository;
  stores: StoreRepository;
  messenger: EmailMessenger;
  sms: SmsMessenger;
  /** SMS totals (parts sent, opt-outs) go to the campaign's counters. */
  engagement: Pick<EngagementRepository, 'count'>;
  /** A provider's opt-out list revokes the contact's SMS consent, as a STOP reply does. */
  suppression: SuppressionList;
  smsPolicy: SmsPolicy;
  /** Paces this instance's SMS (SMS_RATE_PER_SECOND). */
  smsLimiter: TokenBucket;
  /** `sent` events for the webhooks. */
  publisher: EventPublisher;
  sendQueue: WorkQueue<SendJob>;
  keyring: () => Promise<Keyring>;
  limiter: TokenBucket;
  logger: Logger;
  /** Messages sent, failed and skipped by channel, and provider throttles, are counted. */
  metrics?: MetricSink;
  /** Recipients of a job in flight at once (SEND_IN_FLIGHT); one at a time when not given. */
  inFlight?: number;
  /** Parsed templates and rendered shop blocks, kept across jobs by the instance. */
  cache: MessageCache;
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

export interface JobOutcome {
  counted: Partial<CampaignCounts>;
  requeued: number;
}

/**
 * What became of one recipient of a job. The first five leave the rest of the job to go on; `retry`
 * and `fatal` stop it, and the recipient (unless the provider already took its message) goes back
 * on the queue with everyone after it.
 */
export type SendOneOutcome =
  /** Not eligible (no consent, suppressed, erased, no address): a `skipped` record; `counted` the first time. */
  | { kind: 'skipped'; reason: Eligibility | 'erased' | 'shared_number'; counted: boolean }
  /** Quiet hours, or the campaign's local delivery time not reached yet for this contact. */
  | { kind: 'deferred'; until: Date }
  /** Held back by the frequency cap or its automation's cooldown: a `skipped` record too. */
  | { kind: 'capped'; limit: 'capped' | 'cooldown'; counted: boolean }
  /** Already handled, or claimed by a sender that died: `expired` when this call counted it failed. */
  | { kind: 'claimed_elsewhere'; expired: boolean }
  | { kind: 'sent'; messageId: string; segments?: number; couponIssued: boolean }
  /** The provider refused this message for good. */
  | { kind: 'failed'; error: string; couponIssued: boolean }
  /** The provider's opt-out list holds the number: skipped, and the contact's SMS consent revoked. */
  | { kind: 'opted_out'; couponIssued: boolean }
  /** Throttled, transient or unexpected; `accepted` when the provider took the message before it failed. */
  | { kind: 'retry'; error: Error; failure?: SendFailure['kind']; accepted: boolean; couponIssued: boolean }
  /** The account cannot send: the campaign pauses with this reason. */
  | { kind: 'fatal'; reason: string; error: SendFailure; couponIssued: boolean };

/** A job's campaign and what is read once for all its recipients. */
export interface JobContext {
  campaign: Campaign;
  channel: Channel;
  content: PreparedContent;
  ring: Keyring;
  /** Email contacts, read in one batch; SMS contacts are read one by one, just before their send. */
  contacts?: Map<string, Contact>;
  /** The channels the hashed suppression list blocks for the email contacts, read in the same batch. */
  suppressed?: Map<string, Channel[]>;
}

/** Everything a job counts, built from its recipients' outcomes by `tally`. */
export interface JobTally {
  counted: { sent: number; failed: number; skipped: number };
  sms: { sms_sent: number; sms_segments: number; sms_failed: number; sms_opted_out: number };
  /** Recipients held back by the frequency cap or an automation's cooldown (counted in `skipped` too). */
  totals: { capped: number; cooldown: number; coupons_issued: number };
  sent: WebhookEvent[];
  /** Recipients waiting for their hour, and when the first of them may be messaged. */
  deferred: string[];
  wakeAt: number;
  pauseReason?: string;
}

export const emptyTally = (): JobTally => ({
  counted: { sent: 0, failed: 0, skipped: 0 },
  sms: { sms_sent: 0, sms_segments: 0, sms_failed: 0, sms_opted_out: 0 },
  totals: { capped: 0, cooldown: 0, coupons_issued: 0 },
  sent: [],
  deferred: [],
  wakeAt: Number.POSITIVE_INFINITY,
});

/**
 * Adds one recipient's outcome to the job's tally (pure: no I/O). Returns `stop` when the rest of
 * the job must go back on the queue.
 */
export function tally(
  t: JobTally,
  contactId: string,
  outcome: SendOneOutcome,
  job: { campaign: Pick<Campaign, 'id'>; channel: Channel; at: string },
): 'continue' | 'stop' {
  if ('couponIssued' in outcome && outcome.couponIssued) t.totals.coupons_issued++;
  const sms = job.channel === 'sms';
  switch (outcome.kind) {
    case 'skipped':
      if (outcome.counted) t.counted.skipped++;
      return 'continue';
    case 'capped':
      if (outcome.counted) {
        t.counted.skipped++;
        t.totals[outcome.limit]++;
      }
      return 'continue';
    case 'deferred':
      t.deferred.push(contactId);
      t.wakeAt = Math.min(t.wakeAt, outcome.until.getTime());
      return 'continue';
    case 'claimed_elsewhere':
      if (outcome.expired) {
        t.counted.failed++;
        if (sms) t.sms.sms_failed++;
      }
      return 'continue';
    case 'sent':
      t.counted.sent++;
      t.sent.push({
        type: 'sent',
        at: job.at,
        campaignId: job.campaign.id,
        contactId,
        channel: job.channel,
        data: { messageId: outcome.messageId },
      });
      if (outcome.segments) {
        t.sms.sms_sent++;
        t.sms.sms_segments += outcome.segments;
      }
      return 'continue';
    case 'failed':
      t.counted.failed++;
      if (sms) t.sms.sms_failed++;
      return 'continue';
    case 'opted_out':
      t.counted.skipped++;
      t.sms.sms_opted_out++;
      return 'continue';
    case 'fatal':
      t.pauseReason = outcome.reason;
      return 'stop';
    case 'retry':
      return 'stop';
  }
}

/**
 * Sends one recipient at most once: the send record is claimed with a conditional write before the
 * provider is called, so a retried or duplicated job skips whoever was already handled. Every
 * failure is an outcome, except a failed write of a refusal's outcome, which throws (the queue
 * retries the job).
 */
export async function sendOne(deps: SenderDeps, ctx: JobContext, contactId: string): Promise<SendOneOutcome> {
  const { campaign, channel } = ctx;
  let claimed = false;
  // The provider accepted the message: from then on, whatever fails, this recipient is never sent again.
  let accepted = false;
  let couponIssued = false;
  let locale: string | undefined;
  try {
    const contact = ctx.contacts
      ? ctx.contacts.get(contactId)
      : await deps.contacts.get(contactId, { consistent: true });
    const address = channel === 'email' ? contact?.email : contact?.phone;
    // The contact's own flags, then the hashed suppression list (which a write racing the contact
    // record, or an erased duplicate of this address, cannot have undone).
    let e: Eligibility | 'erased' = contact ? eligibility(contact, channel) : 'erased';
    if (e === 'eligible' && contact && address) {
      const blocked =
        ctx.suppressed?.get(contactId) ??
        (await deps.suppression.suppressedChannels(
          channel === 'email' ? { email: address } : { phone: address },
        ));
      if (blocked.includes(channel)) e = 'suppressed';
    }
    if (e !== 'eligible' || !contact || !address) {
      const counted = await deps.campaigns.claimSend(campaign.id, contactId, 'skipped', e, channel);
      return { kind: 'skipped', reason: e, counted };
    }
    const store = contact.homeStoreId ? await deps.stores.get(contact.homeStoreId) : undefined;
    const until = notBefore(deps, campaign, channel, () => timeZonesOf(contact, store, deps.smsPolicy));
    if (until) return { kind: 'deferred', until };
    const limit = await beyondLimits(deps, campaign, contactId, channel);
    if (limit) {
      const counted = await deps.campaigns.claimSend(campaign.id, contactId, 'skipped', limit, channel);
      return { kind: 'capped', limit, counted };
    }
    // A number a household shares is texted once per campaign: the first of its holders has it.
    if (
      channel === 'sms' &&
      !(await deps.campaigns.claimNumber(campaign.id, numberHash(ctx.ring, address), contactId))
    ) {
      const counted = await deps.campaigns.claimSend(
        campaign.id,
        contactId,
        'skipped',
        'shared_number',
        channel,
      );
      return { kind: 'skipped', reason: 'shared_number', counted };
    }
    if (!(await deps.campaigns.claimSend(campaign.id, contactId, 'claimed', undefined, channel))) {
      // Already handled, or claimed by a sender that died before recording the outcome.
      const before = new Date(deps.clock.now().getTime() - deps.claimLeaseSeconds * 1000).toISOString();
      const expired = await deps.campaigns.expireClaim(campaign.id, contactId, before, channel);
      return { kind: 'claimed_elsewhere', expired };
    }
    claimed = true;
    const issued = await issueCoupon(deps, ctx.ring, campaign, contact, channel, () => {
      couponIssued = true;
    });
    // A reminder whose coupon has expired since the first message says nothing of it.
    const coupon = issued && Date.parse(issued.validUntil) > deps.clock.now().getTime() ? issued : undefined;
    const sent = await deliver(deps, ctx, contact, store, coupon, (l) => {
      locale = l;
    });
    accepted = true;
    await deps.campaigns.settleSend(
      campaign.id,
      contactId,
      {
        status: 'sent',
        messageId: sent.messageId,
        locale: sent.locale,
        ...(coupon ? { couponCode: coupon.code } : {}),
        ...(sent.segments ? { segments: sent.segments } : {}),
      },
      channel,
    );
    return {
      kind: 'sent',
      messageId: sent.messageId,
      ...(sent.segments ? { segments: sent.segments } : {}),
      couponIssued,
    };
  } catch (err) {
    if (claimed && err instanceof SendFailure && (err.kind === 'permanent' || err.kind === 'opted_out')) {
      return settleRefusal(deps, campaign, contactId, channel, err, locale, couponIssued);
    }
    // Throttled, transient, fatal, or unexpected (a failed read or write): this recipient — unless the
    // provider already took it, in which case its claim stays and the lease will count it — and the
    // rest of the job go back on the queue.
    if (claimed && !accepted) {
      await deps.campaigns
        .settleSend(campaign.id, contactId, { status: 'retry', error: (err as Error).message }, channel)
        .catch(() => undefined);
    }
    if (err instanceof SendFailure && err.kind === 'fatal') {
      const provider = channel === 'email' ? 'email' : 'SMS';
      return {
        kind: 'fatal',
        reason: `The ${provider} provider refused to send: ${err.message}`,
        error: err,
        couponIssued,
      };
    }
    return {
      kind: 'retry',
      error: err as Error,
      ...(err instanceof SendFailure ? { failure: err.kind } : {}),
      accepted,
      couponIssued,
    };
  }
}

/** Renders the message for its channel and hands it to the provider, retrying throttles in process. */
async function deliver(
  deps: SenderDeps,
  ctx: JobContext,
  contact: Contact,
  store: Store | undefined,
  coupon: Awaited<ReturnType<typeof issueCoupon>>,
  onLocale: (locale: string) => void,
): Promise<{ messageId: string; locale: string; segments?: number }> {
  const { campaign, content, ring } = ctx;
  if (ctx.channel === 'email') {
    const built = await buildEmail(
      deps,
      ring,
      campaign,
      content,
      contact as Contact & { email: string },
      store,
      coupon,
    );
    onLocale(built.locale);
    const { messageId } = await sendWithRetries(deps, deps.limiter, () => deps.messenger.send(built.email));
    return { messageId, locale: built.locale };
  }
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
  onLocale(built.locale);
  const { messageId } = await sendWithRetries(deps, deps.smsLimiter, () => deps.sms.send(built.sms));
  return { messageId, locale: built.locale, segments: built.segments };
}

/** A permanent refusal or an opt-out: recorded on the claimed send record; an opt-out also revokes consent. */
async function settleRefusal(
  deps: SenderDeps,
  campaign: Campaign,
  contactId: string,
  channel: Channel,
  err: SendFailure,
  locale: string | undefined,
  couponIssued: boolean,
): Promise<SendOneOutcome> {
  const optedOut = err.kind === 'opted_out';
  // A failed write here throws out of the job, which the queue retries: the claim keeps it from a resend.
  await deps.campaigns.settleSend(
    campaign.id,
    contactId,
    optedOut
      ? { status: 'skipped', reason: 'opted_out', error: err.message }
      : { status: 'failed', error: err.message, ...(locale ? { locale } : {}) },
    channel,
  );
  if (!optedOut) return { kind: 'failed', error: err.message, couponIssued };
  // The provider's opt-out list is the customer's word: no SMS again, from any campaign.
  await suppressContactChannel(deps, contactId, 'sms', 'opt-out:provider').catch((e: unknown) =>
    deps.logger.error('Could not record a provider opt-out', { contactId, error: e as Error }),
  );
  return { kind: 'opted_out', couponIssued };
}

/**
 * Sends one job's recipients, each at most once (see `sendOne`). Throttling is retried in process
 * with backoff, then the rest of the job goes back on the queue with a delay; a permanent failure
 * fails that recipient only; a fatal one (the account cannot send) pauses the campaign, and so does
 * an error rate past the threshold. The counts are written even when the job stops half way.
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
  const channel: Channel = job.channel ?? 'email';
  // An SMS contact is read just before its send: a STOP that arrived a moment ago is seen.
  const [content, ring, contacts] = await Promise.all([
    deps.cache.content(deps.campaigns, campaign.id),
    deps.keyring(),
    channel === 'email' ? deps.contacts.getMany(job.contactIds) : undefined,
  ]);
  const suppressed = contacts ? await suppressedOf(deps, job.contactIds, contacts) : undefined;
  const ctx: JobContext = {
    campaign,
    channel,
    content,
    ring,
    ...(contacts ? { contacts } : {}),
    ...(suppressed ? { suppressed } : {}),
  };
  const t = emptyTally();
  const requeue: string[] = [];
  const ids = job.contactIds;
  // Several recipients in flight at once, under the same token bucket: each is still claimed,
  // sent and settled once (sendOne); a stop lets those in flight finish and starts no other.
  let next = 0;
  let stopped = false;
  let thrown: unknown;
  const stop = (from: number) => {
    requeue.push(...ids.slice(from));
    next = ids.length;
    stopped = true;
  };
  const worker = async () => {
    while (!stopped && next < ids.length) {
      const i = next++;
      const contactId = ids[i] as string;
      // Stop well before the function's timeout: what is left goes back on the queue, unclaimed.
      if (remainingMs() < 10_000) {
        stop(i);
        break;
      }
      let outcome: SendOneOutcome;
      try {
        outcome = await sendOne(deps, ctx, contactId);
      } catch (err) {
        // An unexpected error: stop starting others, let those in flight finish, write what was
        // counted, then fail the job (the queue retries it; the claims absorb the repeat).
        thrown ??= err;
        if (!stopped) stop(next);
        continue;
      }
      if (tally(t, contactId, outcome, { campaign, channel, at: deps.clock.now().toISOString() }) !== 'stop')
        continue;
      const accepted = outcome.kind === 'retry' && outcome.accepted;
      if (!accepted) requeue.push(contactId);
      if (stopped) continue;
      stop(next);
      if (outcome.kind === 'retry' || outcome.kind === 'fatal') {
        const known = outcome.kind === 'fatal' || outcome.failure !== undefined;
        (known ? deps.logger.warn : deps.logger.error).call(deps.logger, 'Sending deferred', {
          campaignId: campaign.id,
          channel,
          kind: outcome.kind === 'fatal' ? 'fatal' : (outcome.failure ?? 'unexpected'),
          error: outcome.error,
          remaining: requeue.length,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.inFlight ?? 1, ids.length) }, worker));

  if (thrown !== undefined) {
    // Counted what was settled; the job itself comes back whole (no requeue of a part of it).
    await writeTally(deps, campaign, channel, t, []);
    throw thrown;
  }
  await writeTally(deps, campaign, channel, t, requeue);
  return { counted: t.counted, requeued: requeue.length };
}

/** The suppressed channels of a job's email contacts, in one batch read of the hashed list. */
async function suppressedOf(
  deps: SenderDeps,
  ids: string[],
  contacts: Map<string, Contact>,
): Promise<Map<string, Channel[]>> {
  const listed = ids.filter((id) => contacts.get(id)?.email);
  const found = await deps.suppression.suppressedChannelsMany(
    listed.map((id) => ({ email: contacts.get(id)?.email })),
  );
  return new Map(listed.map((id, i) => [id, found[i] ?? []]));
}

/** The keyed hash a number is known by in a campaign's bookkeeping (never the number itself). */
const numberHash = (ring: Keyring, phone: string) => keyedHash(ring, `number:${phone}`).slice(0, 32);

/** Puts the waiting and the unsent back on the queue, writes the counts, and pauses or completes. */
async function writeTally(
  deps: SenderDeps,
  campaign: Campaign,
  channel: Channel,
  t: JobTally,
  requeue: string[],
): Promise<void> {
  if (t.deferred.length) {
    // Quiet hours: back on the queue until the first of them wakes up (SQS delays 15 minutes at most).
    const wait = Math.ceil((t.wakeAt - deps.clock.now().getTime()) / 1000);
    await deps.sendQueue.enqueue(
      [{ campaignId: campaign.id, contactIds: t.deferred, channel }],
      Math.max(1, Math.min(900, wait)),
    );
  }
  const totals: Record<string, number> = {
    [smsCounter.sent]: t.sms.sms_sent,
    [smsCounter.segments]: t.sms.sms_segments,
    [smsCounter.failed]: t.sms.sms_failed,
    [smsCounter.optedOut]: t.sms.sms_opted_out,
    [counterName.capped]: t.totals.capped,
    [counterName.cooldown]: t.totals.cooldown,
    [counterName.couponsIssued]: t.totals.coupons_issued,
  };
  const extra = Object.fromEntries(Object.entries(totals).filter(([, v]) => v > 0));
  if (Object.keys(extra).length > 0) {
    await deps.engagement
      .count(campaign.id, extra)
      .catch((e: unknown) => deps.logger.error('Could not count send totals', { error: e as Error }));
  }
  if (t.sent.length > 0) {
    await deps.publisher
      .publish(t.sent)
      .catch((e: unknown) => deps.logger.error('Could not publish sent events', { error: e as Error }));
  }
  if (requeue.length)
    await deps.sendQueue.enqueue(
      [{ campaignId: campaign.id, contactIds: requeue, channel }],
      deps.requeueDelaySeconds,
    );
  const after = await deps.campaigns.addCounts(campaign.id, t.counted);
  const dim = { name: 'Channel' as const, value: channel };
  deps.metrics?.count('MessagesSent', t.counted.sent, dim);
  deps.metrics?.count('MessagesFailed', t.counted.failed, dim);
  deps.metrics?.count('MessagesSkipped', t.counted.skipped, dim);
  if (!after) return;
  const pauseReason = t.pauseReason ?? errorRateReason(after.counts, deps);
  if (pauseReason) {
    const paused = await deps.campaigns.transition(campaign.id, ['sending'], 'paused', {
      pausedReason: pauseReason,
    });
    if (paused) deps.logger.warn('Campaign paused', { campaignId: campaign.id, reason: pauseReason });
  } else {
    await completeIfDone(deps.campaigns, after, deps.clock);
  }
}

/** Why the campaign must pause for its failures (pure), if it must: past the threshold after the minimum. */
export function errorRateReason(
  counts: Pick<CampaignCounts, 'sent' | 'failed'>,
  rule: { errorThreshold: number; errorThresholdMin: number },
): string | undefined {
  const attempts = counts.sent + counts.failed;
  if (counts.failed < rule.errorThresholdMin || counts.failed / attempts <= rule.errorThreshold)
    return undefined;
  return `${counts.failed} of ${attempts} sends failed (over ${Math.round(rule.errorThreshold * 100)}%)`;
}

async function sendWithRetries(
  deps: Pick<SenderDeps, 'sleep' | 'metrics'>,
  limiter: TokenBucket,
  send: () => Promise<{ messageId: string }>,
): Promise<{ messageId: string }> {
  for (let attempt = 0; ; attempt++) {
    await limiter.take();
    try {
      return await send();
    } catch (err) {
      const retryable = err instanceof SendFailure && (err.kind === 'throttled' || err.kind === 'transient');
      if (err instanceof SendFailure && err.kind === 'throttled') deps.metrics?.count('ProviderThrottles', 1);
      if (!retryable || attempt >= 3) throw err;
      await deps.sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
