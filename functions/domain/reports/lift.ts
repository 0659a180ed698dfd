import { type Campaign, DEFAULT_ATTRIBUTION_DAYS } from '../campaigns/campaign';
import type { SendRecord } from '../campaigns/send-record';
import type { PurchaseRepository } from '../purchases/ports';
import type { Purchase } from '../purchases/purchase';
import type { Clock } from '../shared/ports';
import type { EngagementRepository } from '../tracking/ports';
import {
  type LiftVerdict,
  liftVerdict,
  minimumDetectableLift,
  newcombeDifference,
  RunningStats,
  twoProportionZTest,
  welchDifference,
  wilson,
} from './stats';

const DAY = 86_400_000;

/** What one group (the recipients, or the holdout) did within the window. */
export interface GroupFigures {
  people: number;
  /** People who bought at least once within the window. */
  responders: number;
  receipts: number;
  revenue: number;
  /** Responders ÷ people, with its 95% Wilson interval (null for an empty group). */
  responseRate: { rate: number; low: number; high: number } | null;
  receiptsPerPerson: number | null;
  revenuePerPerson: number | null;
  averageBasket: number | null;
}

/** The difference the message made: recipients against the holdout. */
export interface LiftFigures {
  /** Response rate of the recipients minus the holdout's, with its 95% interval (Newcombe's hybrid score). */
  absolute: { difference: number; low: number; high: number };
  /** The absolute lift over the holdout's rate (null when the holdout bought nothing). */
  relative: number | null;
  /** Two-sided pooled two-proportion z-test. */
  pValue: number;
  /** Responders the message brought: the absolute lift × the recipients, with its interval. */
  incrementalResponders: { value: number; low: number; high: number };
  /** Revenue the message brought: the difference in revenue per person × the recipients (Welch interval). */
  incrementalRevenue: { value: number; low: number; high: number } | null;
  /** The smallest absolute lift these group sizes detect at 80% power (5% two-sided). */
  minimumDetectableLift: number;
  verdict: LiftVerdict;
}

/** Purchases within the window after the message, of the recipients and of the holdout. */
export interface AttributionReport {
  windowDays: number;
  /** When the last recipient's window ends; until then the figures are provisional. */
  windowEndsAt: string | null;
  provisional: boolean;
  /** `incremental` with a holdout (lift measured), `attributed` without one (purchases after the message). */
  basis: 'incremental' | 'attributed';
  treated: GroupFigures;
  holdout: GroupFigures | null;
  /** Of the recipients' purchases: where they were made. */
  byChannel: { store: number; web: number; phone: number };
  byStore: { storeId: string; receipts: number; revenue: number }[];
  lift: LiftFigures | null;
  /**
   * Cumulative response: the share of each group who had bought by the end of day 1, 2… of the
   * window (day 1 being the 24 hours after the message).
   */
  curves: { treated: number[]; holdout: number[] | null };
  /** Said in words: what the figures allow one to conclude. */
  summary: string;
}

export interface AttributionDeps {
  engagement: Pick<EngagementRepository, 'sendRecords'>;
  purchases: Pick<PurchaseRepository, 'ofContact'>;
  clock: Clock;
}

/** When a record's window starts: the message's send, or when a held-out contact would have got it. */
function windowStart(r: SendRecord): number | undefined {
  if (r.status === 'holdout') return Date.parse(r.claimedAt);
  if (r.status === 'sent') return Date.parse(r.settledAt ?? r.claimedAt);
  return undefined;
}

class Group {
  people = 0;
  responders = 0;
  receipts = 0;
  revenue = 0;
  readonly perPerson = new RunningStats();
  /** Responders by the day of the window of their first purchase. */
  readonly firstByDay: number[];

  constructor(days: number) {
    this.firstByDay = new Array(days).fill(0);
  }

  add(purchases: Purchase[], start: number) {
    this.people++;
    const spent = purchases.reduce((s, p) => s + p.amount, 0);
    if (purchases.length > 0) {
      this.responders++;
      const first = Math.min(...purchases.map((p) => Date.parse(p.at)));
      const day = Math.min(this.firstByDay.length - 1, Math.floor((first - start) / DAY));
      this.firstByDay[day] = (this.firstByDay[day] ?? 0) + 1;
    }
    this.receipts += purchases.length;
    this.revenue += spent;
    this.perPerson.add(spent);
  }

  /** The share who had bought by the end of each day of the window. */
  curve(): number[] {
    let sum = 0;
    return this.firstByDay.map((n) => {
      sum += n;
      return this.people > 0 ? sum / this.people : 0;
    });
  }

  figures(): GroupFigures {
    const per = (x: number) => (this.people > 0 ? x / this.people : null);
    return {
      people: this.people,
      responders: this.responders,
      receipts: this.receipts,
      revenue: round2(this.revenue),
      responseRate: wilson(this.responders, this.people) ?? null,
      receiptsPerPerson: per(this.receipts),
      revenuePerPerson: per(this.revenue),
      averageBasket: this.receipts > 0 ? this.revenue / this.receipts : null,
    };
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Measures what a campaign's messages brought: for every recipient, the purchases (till receipts
 * imported or posted, web, phone, coupon redemptions) made within `attributionDays` after their
 * message; for every held-out contact the same, from when they would have been messaged. Both groups
 * are measured alike — every purchase in the window counts, whatever else the person received — so
 * the difference between them is what the message brought (an intention-to-treat comparison).
 * Purchases in the stack's currency only are summed as revenue. Reads every send record of the
 * campaign and each person's purchases since their message: a report of a large campaign takes
 * one read per recipient.
 */
export async function measureAttribution(
  deps: AttributionDeps,
  campaign: Pick<Campaign, 'id' | 'attributionDays' | 'holdout'>,
  opts: {
    currency?: string;
    concurrency?: number;
    /** Given, receives every recipient's purchase in the window with when their message went. */
    credit?: (c: { contactId: string; purchase: Purchase; messageAt: number }) => void;
  } = {},
): Promise<AttributionReport> {
  const windowDays = campaign.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS;
  const windowMs = windowDays * DAY;
  const now = deps.clock.now().getTime();
  // One start per contact and group: a contact emailed and texted counts once, from the first message.
  const starts = new Map<string, { at: number; holdout: boolean }>();
  let cursor: string | undefined;
  do {
    const page = await deps.engagement.sendRecords(campaign.id, cursor, 1000);
    for (const r of page.records) {
      const at = windowStart(r);
      if (at === undefined || Number.isNaN(at)) continue;
      const known = starts.get(r.contactId);
      if (!known || at < known.at) starts.set(r.contactId, { at, holdout: r.status === 'holdout' });
    }
    cursor = page.next;
  } while (cursor);

  const treated = new Group(windowDays);
  const held = new Group(windowDays);
  const byChannel = { store: 0, web: 0, phone: 0 };
  const byStore = new Map<string, { receipts: number; revenue: number }>();
  let lastEnd = 0;
  const work = [...starts];
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const [contactId, { at, holdout }] = work[next++] as [string, { at: number; holdout: boolean }];
      const end = at + windowMs;
      lastEnd = Math.max(lastEnd, end);
      const all = await deps.purchases.ofContact(contactId, new Date(at).toISOString());
      const inWindow = all.filter((p) => {
        const t = Date.parse(p.at);
        return t >= at && t < end && (!opts.currency || p.currency === opts.currency);
      });
      (holdout ? held : treated).add(inWindow, at);
      if (!holdout)
        for (const p of inWindow) {
          opts.credit?.({ contactId, purchase: p, messageAt: at });
          byChannel[p.channel]++;
          const s = byStore.get(p.storeId) ?? { receipts: 0, revenue: 0 };
          s.receipts++;
          s.revenue += p.amount;
          byStore.set(p.storeId, s);
        }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, work.length) }, worker));

  const hasHoldout = (campaign.holdout?.share ?? 0) > 0 || held.people > 0;
  const lift = hasHoldout && held.people > 0 && treated.people > 0 ? liftOf(treated, held) : null;
  const provisional = lastEnd > now;
  return {
    windowDays,
    windowEndsAt: lastEnd > 0 ? new Date(lastEnd).toISOString() : null,
    provisional,
    basis: hasHoldout ? 'incremental' : 'attributed',
    treated: treated.figures(),
    holdout: hasHoldout ? held.figures() : null,
    byChannel,
    byStore: [...byStore]
      .map(([storeId, s]) => ({ storeId, receipts: s.receipts, revenue: round2(s.revenue) }))
      .sort((a, b) => b.receipts - a.receipts || a.storeId.localeCompare(b.storeId)),
    lift,
    curves: { treated: treated.curve(), holdout: hasHoldout ? held.curve() : null },
    summary: summaryOf(hasHoldout, held.people, lift, provisional),
  };
}

/** Both groups have people (the caller checks). */
function liftOf(treated: Group, held: Group): LiftFigures | null {
  const absolute = newcombeDifference(treated.responders, treated.people, held.responders, held.people);
  const test = twoProportionZTest(treated.responders, treated.people, held.responders, held.people);
  if (!absolute || !test) return null;
  const { pValue } = test;
  const holdoutRate = held.responders / held.people;
  const mde = minimumDetectableLift(
    (treated.responders + held.responders) / (treated.people + held.people),
    treated.people,
    held.people,
  );
  const revenue =
    treated.people > 1 && held.people > 1
      ? welchDifference(
          { n: treated.perPerson.n, mean: treated.perPerson.mean, variance: treated.perPerson.variance },
          { n: held.perPerson.n, mean: held.perPerson.mean, variance: held.perPerson.variance },
        )
      : undefined;
  const n = treated.people;
  return {
    absolute,
    relative: holdoutRate > 0 ? absolute.difference / holdoutRate : null,
    pValue,
    incrementalResponders: {
      value: absolute.difference * n,
      low: absolute.low * n,
      high: absolute.high * n,
    },
    incrementalRevenue: revenue
      ? {
          value: round2(revenue.difference * n),
          low: round2(revenue.low * n),
          high: round2(revenue.high * n),
        }
      : null,
    minimumDetectableLift: mde,
    verdict: liftVerdict({
      interval: absolute,
      pValue,
      minimumDetectableLift: mde,
      nTreated: treated.people,
      nHoldout: held.people,
    }),
  };
}

function summaryOf(hasHoldout: boolean, heldPeople: number, lift: LiftFigures | null, provisional: boolean) {
  const later = provisional ? ' The window is still open: these figures are provisional.' : '';
  if (!hasHoldout)
    return `No holdout group: these are purchases after the message (attributed), not what it brought (incremental).${later}`;
  if (heldPeople === 0 || !lift) return `The holdout group has nobody yet: no lift can be measured.${later}`;
  const pct = (x: number) => `${(x * 100).toFixed(1)} points`;
  const range = `${pct(lift.absolute.low)} to ${pct(lift.absolute.high)}`;
  if (lift.verdict === 'significant')
    return `The message brought a lift of ${pct(lift.absolute.difference)} in people who bought (95% interval ${range}): significant.${later}`;
  if (lift.verdict === 'too_small_to_tell')
    return `Too small to tell: with these group sizes only a lift of ${pct(lift.minimumDetectableLift)} or more could be detected (observed ${pct(lift.absolute.difference)}, 95% interval ${range}).${later}`;
  return `No significant lift: ${pct(lift.absolute.difference)} (95% interval ${range}, p = ${lift.pValue.toFixed(2)}).${later}`;
}
