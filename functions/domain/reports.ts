import type { Campaign } from './campaigns';
import { pending } from './campaigns';
import { counter } from './engagement';
import { redemptionCounter } from './redemptions';

/** Opens or clicks, persons and machines apart. */
export interface EngagementFigures {
  uniqueHuman: number;
  uniqueMachine: number;
  totalHuman: number;
  totalMachine: number;
}

export interface LinkFigures {
  index: number;
  url: string;
  uniqueHuman: number;
  totalHuman: number;
  totalMachine: number;
}

export interface CouponFigures {
  issued: number;
  viewed: number;
  printed: number;
  redeemed: number;
  redemptionRate: number | null;
  /** Sum of the redeeming customers' baskets. */
  revenue: number;
  averageBasket: number | null;
  byChannel: { store: number; web: number; phone: number };
  byStore: Array<{ storeId: string; redeemed: number }>;
}

/** A campaign's report: what happened to its messages, and whether it met its objective. */
export interface CampaignReport {
  campaign: Pick<Campaign, 'id' | 'name' | 'status' | 'template' | 'createdAt'> & {
    sendRequestedAt?: string;
    completedAt?: string;
    pausedReason?: string;
  };
  targeted: number;
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
  delivered: number;
  bounced: number;
  softBounced: number;
  complained: number;
  rejected: number;
  unsubscribed: number;
  opened: EngagementFigures;
  clicked: EngagementFigures;
  /**
   * Shares of `rateBase`: the delivered messages once SES has reported
   * deliveries, the sent ones before (and on the local stack, where nothing
   * reports deliveries unless simulated).
   */
  rateBase: 'delivered' | 'sent';
  rates: {
    delivery: number | null;
    bounce: number | null;
    complaint: number | null;
    open: number | null;
    click: number | null;
    clickToOpen: number | null;
    unsubscribe: number | null;
  };
  links: LinkFigures[];
  /** The response channel: coupons issued, viewed, printed and redeemed at the till (null without an offer). */
  coupons: CouponFigures | null;
  /**
   * For each action channel, the share of its recipients who responded by a
   * redemption in a shop, on the web or by phone, or only by a click.
   */
  actionResponse: Array<{
    action: 'email';
    recipients: number;
    store: number;
    web: number;
    phone: number;
    clickOnly: number;
  }>;
  objective: { kpi: string; target: number; actual: number | null; met: boolean | null } | null;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * Builds the report from the campaign (its send counts) and its counters
 * (deliveries, bounces, opens, clicks…, summed over their shards). Pure: the
 * same inputs always give the same report.
 */
export function buildReport(
  campaign: Campaign,
  counters: { numbers: Record<string, number>; names: Record<string, string> },
): CampaignReport {
  const n = (name: string) => counters.numbers[name] ?? 0;
  const c = campaign.counts;
  const figures = (kind: 'open' | 'click'): EngagementFigures => ({
    uniqueHuman: n(counter.unique(kind, true)),
    uniqueMachine: n(counter.unique(kind, false)),
    totalHuman: n(counter.total(kind, true)),
    totalMachine: n(counter.total(kind, false)),
  });
  const opened = figures('open');
  const clicked = figures('click');
  const delivered = n('delivered');
  const rateBase = delivered > 0 ? 'delivered' : 'sent';
  const base = delivered > 0 ? delivered : c.sent;

  const indexes = new Set<number>();
  for (const name of [...Object.keys(counters.numbers), ...Object.keys(counters.names)]) {
    const m = /^link_(\d+)_/.exec(name);
    if (m) indexes.add(Number(m[1]));
  }
  const links = [...indexes]
    .sort((a, b) => a - b)
    .map((i) => ({
      index: i,
      url: counters.names[counter.link(i, 'url')] ?? '',
      uniqueHuman: n(counter.link(i, 'unique')),
      totalHuman: n(counter.link(i, 'human')),
      totalMachine: n(counter.link(i, 'machine')),
    }));

  const rates = {
    delivery: ratio(delivered, c.sent),
    bounce: ratio(n('bounced'), c.sent),
    complaint: ratio(n('complained'), base),
    open: ratio(opened.uniqueHuman, base),
    click: ratio(clicked.uniqueHuman, base),
    clickToOpen: ratio(clicked.uniqueHuman, opened.uniqueHuman),
    unsubscribe: ratio(n('unsubscribed'), base),
  };
  const redeemed = n(redemptionCounter.redeemed);
  const revenue = n(redemptionCounter.revenueCents) / 100;
  const issued = campaign.offer ? c.sent : 0;
  const coupons: CouponFigures | null = campaign.offer
    ? {
        issued,
        viewed: n('coupon_viewed'),
        printed: n('coupon_printed'),
        redeemed,
        redemptionRate: ratio(redeemed, issued),
        revenue,
        averageBasket: ratio(revenue, redeemed),
        byChannel: {
          store: n(redemptionCounter.byChannel('store')),
          web: n(redemptionCounter.byChannel('web')),
          phone: n(redemptionCounter.byChannel('phone')),
        },
        byStore: Object.entries(counters.numbers)
          .flatMap(([name, v]) => {
            const m = /^store_(.+)_redeemed$/.exec(name);
            return m?.[1] && v > 0 ? [{ storeId: m[1], redeemed: v }] : [];
          })
          .sort((a, b) => b.redeemed - a.redeemed || a.storeId.localeCompare(b.storeId)),
      }
    : null;
  const share = (x: number) => (c.sent > 0 ? x / c.sent : 0);
  const actionResponse = [
    {
      action: 'email' as const,
      recipients: c.sent,
      store: share(n(redemptionCounter.byChannel('store'))),
      web: share(n(redemptionCounter.byChannel('web'))),
      phone: share(n(redemptionCounter.byChannel('phone'))),
      clickOnly: share(Math.max(0, clicked.uniqueHuman - n(redemptionCounter.afterClick))),
    },
  ];
  const actuals: Record<string, number | null> = {
    delivery_rate: rates.delivery,
    open_rate: rates.open,
    click_rate: rates.click,
    redemption_rate: coupons ? coupons.redemptionRate : null,
    redemptions: coupons ? redeemed : null,
    revenue: coupons ? revenue : null,
  };
  const objective = campaign.objective
    ? (() => {
        const actual = actuals[campaign.objective.kpi] ?? null;
        return {
          kpi: campaign.objective.kpi,
          target: campaign.objective.target,
          actual,
          met: actual === null ? null : actual >= campaign.objective.target,
        };
      })()
    : null;

  return {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      template: campaign.template,
      createdAt: campaign.createdAt,
      ...(campaign.sendRequestedAt ? { sendRequestedAt: campaign.sendRequestedAt } : {}),
      ...(campaign.completedAt ? { completedAt: campaign.completedAt } : {}),
      ...(campaign.pausedReason ? { pausedReason: campaign.pausedReason } : {}),
    },
    targeted: c.targeted,
    sent: c.sent,
    failed: c.failed,
    skipped: c.skipped,
    pending: pending(c),
    delivered,
    bounced: n('bounced'),
    softBounced: n('softBounced'),
    complained: n('complained'),
    rejected: n('rejected'),
    unsubscribed: n('unsubscribed'),
    opened,
    clicked,
    rateBase,
    rates,
    links,
    coupons,
    actionResponse,
    objective,
  };
}
