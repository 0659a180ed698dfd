import type { Logger } from '@aws-lambda-powertools/logger';
import type { Channel } from '../contacts/contact';
import type { Coupon } from '../coupons/coupon';
import { counter, counterName } from '../reports/counters';
import type { Keyring } from '../shared/hashing';
import type { Clock } from '../shared/ports';
import { verifyToken } from '../shared/tokens';
import type { ShortLinkRepository } from '../sms/ports';
import { SHORT_CODE } from '../sms/short-links';
import type { EventPublisher } from '../webhooks/ports';
import type { WebhookEvent } from '../webhooks/webhook';
import { emit } from '../webhooks/webhook';
import type { EngagementEvent } from './events';
import { type ClickRef, machineReason, type OpenRef } from './links';
import type { EngagementRepository } from './ports';

export interface TrackingDeps {
  engagement: Pick<EngagementRepository, 'recordEvent'>;
  clock: Clock;
  keyring: () => Promise<Keyring>;
  logger: Logger;
  /** Opens and clicks this soon after sending are a gateway's, not a person's. */
  tooSoonSeconds: number;
}

export interface TrackedRequest {
  token: string;
  method: string;
  userAgent: string;
  sourceIp: string;
  requestId: string;
}

/**
 * The synchronous part of an open or a click: one write, the raw event (with
 * its machine flag). Everything else — unique marks, counters — is derived from
 * the events table's stream by `aggregateEngagement`, so the pixel and the
 * redirect cost one PutItem, and a burst of opens costs the counters one update
 * per batch instead of one per open. A failure is logged and never stops the
 * answer.
 */
async function record(
  deps: TrackingDeps,
  kind: 'open' | 'click',
  ref: { c: string; k: string; t: number; i?: number; u?: string },
  req: TrackedRequest,
  channel: Channel = 'email',
): Promise<void> {
  const now = deps.clock.now();
  const machine = machineReason({
    method: req.method,
    userAgent: req.userAgent,
    sourceIp: req.sourceIp,
    secondsSinceSend: now.getTime() / 1000 - ref.t,
    kind,
    tooSoonSeconds: deps.tooSoonSeconds,
  });
  try {
    await deps.engagement.recordEvent({
      campaignId: ref.c,
      contactId: ref.k,
      kind,
      at: now.toISOString(),
      requestId: req.requestId,
      userAgent: req.userAgent.slice(0, 160),
      ...(machine ? { machine } : {}),
      ...(kind === 'click' && ref.i !== undefined ? { link: ref.i, url: ref.u } : {}),
      ...(channel === 'email' ? {} : { channel }),
    });
  } catch (err) {
    deps.logger.error('Could not record engagement', { error: err as Error, kind, campaignId: ref.c });
  }
}

/** A click: where to send the browser (the URL the token was signed for), or undefined for a bad token. */
export async function trackClick(deps: TrackingDeps, req: TrackedRequest): Promise<string | undefined> {
  const ref = verifyToken<ClickRef>(await deps.keyring(), 'click', req.token);
  if (!ref || typeof ref.u !== 'string' || !/^https?:\/\//i.test(ref.u) || typeof ref.i !== 'number')
    return undefined;
  await record(deps, 'click', ref, req);
  return ref.u;
}

/**
 * A click on an SMS's short link: where to send the browser (the URL stored
 * with the code), or undefined for a code that does not exist. Counted like an
 * email click, under the SMS's counters.
 */
export async function trackShortLink(
  deps: TrackingDeps & { shortLinks: Pick<ShortLinkRepository, 'get'> },
  req: TrackedRequest,
): Promise<string | undefined> {
  if (!SHORT_CODE.test(req.token)) return undefined;
  const link = await deps.shortLinks.get(req.token);
  if (!link || !/^https?:\/\//i.test(link.url)) return undefined;
  const ref = { c: link.campaignId, k: link.contactId, t: link.sentAt / 1000, i: link.link, u: link.url };
  await record(deps, 'click', ref, req, 'sms');
  return link.url;
}

/** An open: true when the token was good (the pixel is served then; a bad token is a 404). */
export async function trackOpen(deps: TrackingDeps, req: TrackedRequest): Promise<boolean> {
  const ref = verifyToken<OpenRef>(await deps.keyring(), 'open', req.token);
  if (!ref || typeof ref.c !== 'string' || typeof ref.k !== 'string') return false;
  await record(deps, 'open', ref, req);
  return true;
}

/** What recording a step of the printable coupon's funnel needs. */
export interface CouponStepDeps {
  engagement: Pick<EngagementRepository, 'markFirst' | 'count'>;
  clock: Clock;
  logger: Pick<Logger, 'error'>;
  tooSoonSeconds: number;
}

/**
 * A view or a print of a printable coupon, recorded once per recipient as a step of its campaign's
 * funnel. Security gateways fetching links are not the customer: a machine's request counts
 * nothing. A failure is logged and never stops the page.
 */
export async function trackCouponStep(
  deps: CouponStepDeps,
  coupon: Pick<Coupon, 'campaignId' | 'contactId' | 'issuedAt' | 'channel'>,
  step: 'viewed' | 'printed',
  req: Omit<TrackedRequest, 'token' | 'requestId'>,
): Promise<void> {
  const now = deps.clock.now();
  const machine = machineReason({
    method: req.method,
    userAgent: req.userAgent,
    sourceIp: req.sourceIp,
    secondsSinceSend: (now.getTime() - Date.parse(coupon.issuedAt)) / 1000,
    kind: 'click',
    tooSoonSeconds: deps.tooSoonSeconds,
  });
  if (machine) return;
  const mark = step === 'viewed' ? 'couponViewedAt' : 'couponPrintedAt';
  try {
    if (
      await deps.engagement.markFirst(
        coupon.campaignId,
        coupon.contactId,
        mark,
        now.toISOString(),
        coupon.channel,
      )
    ) {
      await deps.engagement.count(coupon.campaignId, {
        [step === 'viewed' ? counterName.couponViewed : counterName.couponPrinted]: 1,
      });
    }
  } catch (err) {
    deps.logger.error('Could not record a coupon view', { error: err as Error });
  }
}

/**
 * Turns raw events (a batch from the events table's stream) into unique marks
 * on the send records and counter increments, summed per campaign and written
 * once per batch. Each event is claimed first, so an event the stream delivers
 * twice is counted once. A recipient's first human open and first human click
 * are published (webhooks `opened`, `clicked`) once their campaign's counters
 * are written.
 */
export async function aggregateEngagement(
  deps: { engagement: EngagementRepository; publisher?: EventPublisher },
  events: EngagementEvent[],
): Promise<void> {
  /** What one event did, so that a failure can give it all back. */
  interface Applied {
    event: EngagementEvent;
    claimed: boolean;
    undo: (() => Promise<void>)[];
    add: Record<string, number>;
    names: Record<string, string>;
    /** The webhook event, when this was the recipient's first human open or click. */
    publish?: WebhookEvent;
  }
  const giveBack = async (applied: Applied[]) => {
    await Promise.allSettled(applied.flatMap((a) => a.undo.map((u) => u())));
    await Promise.allSettled(
      applied.filter((a) => a.claimed).map((a) => deps.engagement.releaseEvent(a.event)),
    );
  };

  const apply = async (e: EngagementEvent, a: Applied) => {
    if (!(await deps.engagement.claimEvent(e))) return;
    a.claimed = true;
    const human = !e.machine;
    const mark =
      e.kind === 'open' ? (human ? 'openedAt' : 'machineOpenedAt') : human ? 'clickedAt' : 'machineClickedAt';
    const link = e.kind === 'click' ? e.link : undefined;
    const channel = e.channel ?? 'email';
    const [first, firstOnLink] = await Promise.all([
      deps.engagement.markFirst(e.campaignId, e.contactId, mark, e.at, channel).then((f) => {
        if (f) a.undo.push(() => deps.engagement.unmarkFirst(e.campaignId, e.contactId, mark, e.at, channel));
        return f;
      }),
      link !== undefined && human
        ? deps.engagement.markLinkClicked(e.campaignId, e.contactId, link, channel).then((f) => {
            if (f)
              a.undo.push(() => deps.engagement.unmarkLinkClicked(e.campaignId, e.contactId, link, channel));
            return f;
          })
        : false,
    ]);
    const bump = (name: string) => {
      a.add[name] = (a.add[name] ?? 0) + 1;
    };
    bump(counter.total(e.kind, human, channel));
    if (first) bump(counter.unique(e.kind, human, channel));
    if (first && human) {
      a.publish = {
        type: e.kind === 'open' ? 'opened' : 'clicked',
        at: e.at,
        campaignId: e.campaignId,
        contactId: e.contactId,
        channel,
        ...(e.kind === 'click' && link !== undefined
          ? { data: { link, ...(e.url ? { url: e.url } : {}) } }
          : {}),
      };
    }
    if (link !== undefined) {
      bump(counter.link(link, human ? 'human' : 'machine', channel));
      if (e.url) a.names[counter.link(link, 'url', channel)] = e.url;
      if (firstOnLink) bump(counter.link(link, 'unique', channel));
    }
  };

  // Every event runs to its end, failed or not, so that what each did is known before deciding.
  const applied: Applied[] = events.map((event) => ({ event, claimed: false, undo: [], add: {}, names: {} }));
  const outcomes = await Promise.allSettled(applied.map((a) => apply(a.event, a)));
  const failedEvents = applied.filter((_, i) => outcomes[i]?.status === 'rejected');
  await giveBack(failedEvents);

  // One counter write per campaign; a campaign whose write fails gives back its events alone, so the
  // retried batch counts them, and only them, again.
  const byCampaign = new Map<string, Applied[]>();
  for (const a of applied) {
    if (failedEvents.includes(a) || !a.claimed) continue;
    byCampaign.set(a.event.campaignId, [...(byCampaign.get(a.event.campaignId) ?? []), a]);
  }
  const published: WebhookEvent[] = [];
  const writes = await Promise.allSettled(
    [...byCampaign].map(async ([campaignId, list]) => {
      const add: Record<string, number> = {};
      const names: Record<string, string> = {};
      for (const a of list) {
        for (const [k, v] of Object.entries(a.add)) add[k] = (add[k] ?? 0) + v;
        Object.assign(names, a.names);
      }
      try {
        await deps.engagement.count(campaignId, add, names);
      } catch (err) {
        await giveBack(list);
        throw err;
      }
      for (const a of list) if (a.publish) published.push(a.publish);
    }),
  );
  // Counted events are claimed for good (a retried batch skips them), so they are published now,
  // even when another campaign's write failed and the batch is about to be retried.
  await emit(deps.publisher, published);
  const failure = [...outcomes, ...writes].find((o) => o.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
