import { type Campaign, DEFAULT_ATTRIBUTION_DAYS } from '../campaigns/campaign';
import type { ReceiptRepository } from '../purchases/ports';
import { addDays, localDay } from '../shared/time';
import type { StoreRepository } from '../stores/ports';

/** Days of traffic shown before the send: four weeks, every weekday four times. */
export const TRAFFIC_DAYS_BEFORE = 28;

/** One shop's till traffic, day by day. */
export interface ShopTraffic {
  storeId: string;
  name: string;
  /** Receipts per day: all of them, then those of known customers (the rest is anonymous). */
  receipts: number[];
  known: number[];
  /** Average basket per day (null on a day without receipts). */
  averageBasket: (number | null)[];
  /** Daily averages before the send and from the send on. */
  before: { receiptsPerDay: number; averageBasket: number | null };
  after: { receiptsPerDay: number; averageBasket: number | null };
}

/** The shops' traffic around a campaign's send: the 28 days before, and the attribution window after. */
export interface TrafficReport {
  /** Each day shown (the shops' local days), oldest first. */
  days: string[];
  /** The day sending started: the first day of "after". */
  sendDay: string;
  shops: ShopTraffic[];
}

export interface TrafficDeps {
  receipts: Pick<ReceiptRepository, 'ofDay'>;
  stores: Pick<StoreRepository, 'list'>;
  /** Where a shop has no time zone of its own (DEFAULT_TIME_ZONE). */
  timeZone: string;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Receipts (known customers and anonymous) and average basket per shop and per day, over the 28
 * days before the send and the window after (up to today), in each shop's local days: the traffic
 * a campaign is meant to raise, from the till receipts imported or posted. One read per shop and day.
 */
export async function shopTraffic(
  deps: TrafficDeps,
  campaign: Pick<Campaign, 'sendRequestedAt' | 'attributionDays'>,
  now: Date,
): Promise<TrafficReport | null> {
  if (!campaign.sendRequestedAt) return null;
  const sentAt = new Date(campaign.sendRequestedAt);
  const windowDays = campaign.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS;
  const shops = await deps.stores.list();
  if (shops.length === 0) return null;
  const sendDay = localDay(sentAt, deps.timeZone);
  const today = localDay(now, deps.timeZone);
  const days: string[] = [];
  for (let i = -TRAFFIC_DAYS_BEFORE; i < windowDays; i++) {
    const d = addDays(sendDay, i);
    if (d > today) break;
    days.push(d);
  }
  const split = days.indexOf(sendDay);
  const out: ShopTraffic[] = [];
  for (const shop of shops) {
    const perDay = await Promise.all(days.map((d) => deps.receipts.ofDay(shop.id, d)));
    const receipts = perDay.map((r) => r.length);
    const known = perDay.map((r) => r.filter((x) => x.contactId).length);
    const revenue = perDay.map((r) => r.reduce((s, x) => s + x.amount, 0));
    const averageBasket = perDay.map((r, i) => (r.length ? round2((revenue[i] ?? 0) / r.length) : null));
    const period = (from: number, to: number) => {
      const n = receipts.slice(from, to).reduce((a, b) => a + b, 0);
      const sum = revenue.slice(from, to).reduce((a, b) => a + b, 0);
      const length = Math.max(0, to - from);
      return {
        receiptsPerDay: length ? round2(n / length) : 0,
        averageBasket: n ? round2(sum / n) : null,
      };
    };
    out.push({
      storeId: shop.id,
      name: shop.name,
      receipts,
      known,
      averageBasket,
      before: period(0, split < 0 ? days.length : split),
      after: period(split < 0 ? days.length : split, days.length),
    });
  }
  return { days, sendDay, shops: out };
}
