import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock, EngagementStore } from '../ports';
import type { Keyring } from './hashing';
import { verifyToken } from './tokens';
import { type ClickRef, machineReason, type OpenRef } from './tracking';

export interface TrackingDeps {
  engagement: EngagementStore;
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

/** Counter names, one place: reports read what tracking writes. */
export const counter = {
  total: (kind: 'open' | 'click', human: boolean) => `${kind}_${human ? 'human' : 'machine'}`,
  unique: (kind: 'open' | 'click', human: boolean) => `${kind}_unique_${human ? 'human' : 'machine'}`,
  link: (i: number, what: 'human' | 'machine' | 'unique' | 'url') => `link_${i}_${what}`,
};

/**
 * Records an open or a click: the raw event, first-time marks on the send
 * record (unique counts), and the campaign counters — total and unique, human
 * and machine, per link. The writes run in parallel; a failure is logged and
 * never stops the redirect or the pixel.
 */
async function record(
  deps: TrackingDeps,
  kind: 'open' | 'click',
  ref: { c: string; k: string; t: number; i?: number; u?: string },
  req: TrackedRequest,
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
  const human = machine === undefined;
  const at = now.toISOString();
  const link = kind === 'click' ? ref.i : undefined;
  const mark =
    kind === 'open' ? (human ? 'openedAt' : 'machineOpenedAt') : human ? 'clickedAt' : 'machineClickedAt';
  try {
    // One round of parallel writes; a second, small one only the first time (the unique counters).
    const [first, firstOnLink] = await Promise.all([
      deps.engagement.markFirst(ref.c, ref.k, mark, at),
      link !== undefined && human
        ? deps.engagement.markLinkClicked(ref.c, ref.k, link)
        : Promise.resolve(false),
      deps.engagement.recordEvent({
        campaignId: ref.c,
        contactId: ref.k,
        kind,
        at,
        requestId: req.requestId,
        userAgent: req.userAgent.slice(0, 300),
        ...(machine ? { machine } : {}),
        ...(link !== undefined ? { link, url: ref.u } : {}),
      }),
      deps.engagement.count(
        ref.c,
        {
          [counter.total(kind, human)]: 1,
          ...(link !== undefined ? { [counter.link(link, human ? 'human' : 'machine')]: 1 } : {}),
        },
        link !== undefined && ref.u ? { [counter.link(link, 'url')]: ref.u } : {},
      ),
    ]);
    if (first || firstOnLink) {
      await deps.engagement.count(ref.c, {
        [counter.unique(kind, human)]: first ? 1 : 0,
        ...(link !== undefined && firstOnLink ? { [counter.link(link, 'unique')]: 1 } : {}),
      });
    }
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

/** An open: true when the token was good (the pixel is served either way, a 404 only for bad tokens). */
export async function trackOpen(deps: TrackingDeps, req: TrackedRequest): Promise<boolean> {
  const ref = verifyToken<OpenRef>(await deps.keyring(), 'open', req.token);
  if (!ref || typeof ref.c !== 'string' || typeof ref.k !== 'string') return false;
  await record(deps, 'open', ref, req);
  return true;
}
