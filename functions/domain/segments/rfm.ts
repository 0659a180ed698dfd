import type { Contact } from '../contacts/contact';
import type { ContactRepository } from '../contacts/ports';

const DAY = 86_400_000;

/**
 * Recency, frequency and monetary scores (1–5, 5 the best: the most recent, the most frequent, the
 * highest spend), by quintile over the customers who bought: the cut-offs between the five
 * groups, computed from one pass over the base. Customers who never bought have no score.
 */
export interface RfmThresholds {
  /** Days since the last purchase at the 20th, 40th, 60th and 80th percentiles. */
  recency: number[];
  /** Number of purchases at the same percentiles. */
  frequency: number[];
  /** Total spent at the same percentiles. */
  monetary: number[];
}

export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
}

export const purchaseCount = (c: Contact) => c.purchases.store + c.purchases.web + c.purchases.phone;

/** Accumulates the base's values (three numbers per customer who bought), then gives the quintile cut-offs. */
export class RfmCollector {
  private recency: number[] = [];
  private frequency: number[] = [];
  private monetary: number[] = [];
  constructor(private readonly now: Date) {}

  add(c: Contact): void {
    if (!c.lastPurchaseAt) return;
    this.recency.push((this.now.getTime() - Date.parse(c.lastPurchaseAt)) / DAY);
    this.frequency.push(purchaseCount(c));
    this.monetary.push(c.totalSpent ?? 0);
  }

  thresholds(): RfmThresholds {
    const cut = (values: number[]) => {
      const sorted = Float64Array.from(values).sort();
      return [0.2, 0.4, 0.6, 0.8].map((q) =>
        sorted.length ? (sorted[Math.floor(q * (sorted.length - 1))] as number) : 0,
      );
    };
    return { recency: cut(this.recency), frequency: cut(this.frequency), monetary: cut(this.monetary) };
  }
}

/** A customer's scores, or undefined for one who never bought. */
export function rfmScores(c: Contact, t: RfmThresholds, now: Date): RfmScores | undefined {
  if (!c.lastPurchaseAt) return undefined;
  const days = (now.getTime() - Date.parse(c.lastPurchaseAt)) / DAY;
  const above = (v: number, cuts: number[]) => 1 + cuts.filter((x) => v > x).length;
  return {
    // Fewer days since the last purchase is better: the score counts the cut-offs not reached.
    recency: 5 - cuts(days, t.recency),
    frequency: above(purchaseCount(c), t.frequency),
    monetary: above(c.totalSpent ?? 0, t.monetary),
  };
}

const cuts = (v: number, list: number[]) => list.filter((x) => v > x).length;

/** The base's RFM cut-offs, from one pass over every contact (never loaded whole). */
export async function rfmOfBase(
  contacts: Pick<ContactRepository, 'page'>,
  now: Date,
): Promise<RfmThresholds> {
  const collector = new RfmCollector(now);
  let cursor: string | undefined;
  do {
    const page = await contacts.page(cursor, 1000);
    for (const c of page.contacts) collector.add(c);
    cursor = page.next;
  } while (cursor);
  return collector.thresholds();
}
