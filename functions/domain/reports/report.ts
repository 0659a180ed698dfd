import type { Campaign } from '../campaigns/campaign';
import { pending } from '../campaigns/campaign';
import type { CampaignRepository } from '../campaigns/ports';
import { notFound } from '../shared/errors';
import type { EngagementRepository } from '../tracking/ports';
import { type CampaignCost, campaignCost, type UnitCosts } from './costs';
import { type CampaignStat, counter, counterName, redemptionCounter, smsCounter } from './counters';
import { type AttributionDeps, type AttributionReport, measureAttribution } from './lift';
import { shopTraffic, type TrafficDeps, type TrafficReport } from './traffic';

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

/** The SMS of a campaign: sent, delivered or not, clicked, and what the provider billed. */
export interface SmsFigures {
  sent: number;
  /** Parts billed: a long or UCS-2 message takes several. */
  segments: number;
  failed: number;
  /** Refused by the provider's opt-out list at send time. */
  optedOut: number;
  delivered: number;
  undelivered: number;
  clicked: EngagementFigures;
  rates: { delivery: number | null; click: number | null };
  /** What the provider billed, in US dollars, from the final delivery receipts (null before any). */
  costUsd: number | null;
  links: LinkFigures[];
}

/** A campaign's report: what happened to its messages, and whether it met its objective. */
export interface CampaignReport {
  campaign: Pick<Campaign, 'id' | 'name' | 'status' | 'channel' | 'template' | 'createdAt'> & {
    sendRequestedAt?: string;
    completedAt?: string;
    pausedReason?: string;
  };
  targeted: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Of the skipped: held back by the frequency cap, or by their automation's cooldown. */
  capped: number;
  cooldown: number;
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
  /** The SMS funnel (null for an email-only campaign). `sent` and friends above count every message. */
  sms: SmsFigures | null;
  /** The response channel: coupons issued, viewed, printed and redeemed at the till (null without an offer). */
  coupons: CouponFigures | null;
  /**
   * For each action channel, the share of its recipients who responded by a
   * redemption in a shop, on the web or by phone, or only by a click.
   */
  actionResponse: Array<{
    action: 'email' | 'sms';
    recipients: number;
    store: number;
    web: number;
    phone: number;
    clickOnly: number;
  }>;
  objective: { kpi: string; target: number; actual: number | null; met: boolean | null } | null;
  /**
   * Cost against post: what the messages cost, what the same audience would have
   * cost by letter, the saving and the return on the redemption revenue (null
   * when no unit costs were given).
   */
  cost: CampaignCost | null;
  /**
   * Purchases within the attribution window after the message: of the recipients, and of the
   * holdout group when there is one, with the lift between them (null when not measured).
   */
  attribution: AttributionReport | null;
  /** The shops' till traffic over the 28 days before the send and the window after (null before it). */
  traffic: TrafficReport | null;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * Builds the report from the campaign (its send counts) and its counters
 * (deliveries, bounces, opens, clicks…, summed over their shards), and, given
 * the unit costs, its cost against post. Pure: the same inputs always give the
 * same report.
 */
export function buildReport(
  campaign: Campaign,
  counters: { numbers: Record<string, number>; names: Record<string, string> },
  costs?: UnitCosts,
  attribution?: AttributionReport,
  traffic?: TrafficReport | null,
): CampaignReport {
  const n = (name: string) => counters.numbers[name] ?? 0;
  /** The provider's statistics are counters of their own name. */
  const stat = (name: CampaignStat): string => name;
  const c = campaign.counts;
  const figures = (kind: 'open' | 'click'): EngagementFigures => ({
    uniqueHuman: n(counter.unique(kind, true)),
    uniqueMachine: n(counter.unique(kind, false)),
    totalHuman: n(counter.total(kind, true)),
    totalMachine: n(counter.total(kind, false)),
  });
  const opened = figures('open');
  const clicked = figures('click');
  const delivered = n(stat('delivered'));
  // Email rates are shares of the emails: the SMS of a mixed campaign have their own funnel.
  const emailSent = Math.max(0, c.sent - n(smsCounter.sent));
  const rateBase = delivered > 0 ? 'delivered' : 'sent';
  const base = delivered > 0 ? delivered : emailSent;

  const linksOf = (channel: 'email' | 'sms'): LinkFigures[] => {
    const pattern = channel === 'email' ? /^link_(\d+)_/ : /^sms_link_(\d+)_/;
    const indexes = new Set<number>();
    for (const name of [...Object.keys(counters.numbers), ...Object.keys(counters.names)]) {
      const m = pattern.exec(name);
      if (m) indexes.add(Number(m[1]));
    }
    return [...indexes]
      .sort((a, b) => a - b)
      .map((i) => ({
        index: i,
        url: counters.names[counter.link(i, 'url', channel)] ?? '',
        uniqueHuman: n(counter.link(i, 'unique', channel)),
        totalHuman: n(counter.link(i, 'human', channel)),
        totalMachine: n(counter.link(i, 'machine', channel)),
      }));
  };
  const links = linksOf('email');

  const rates = {
    delivery: ratio(delivered, emailSent),
    bounce: ratio(n(stat('bounced')), emailSent),
    complaint: ratio(n(stat('complained')), base),
    open: ratio(opened.uniqueHuman, base),
    click: ratio(clicked.uniqueHuman, base),
    clickToOpen: ratio(clicked.uniqueHuman, opened.uniqueHuman),
    unsubscribe: ratio(n(counterName.unsubscribed), base),
  };
  const redeemed = n(redemptionCounter.redeemed);
  const revenue = n(redemptionCounter.revenueCents) / 100;
  // One coupon per contact, however many messages carried it; campaigns from before the counter: one per message.
  const issued = campaign.offer ? (counters.numbers[counterName.couponsIssued] ?? c.sent) : 0;
  const coupons: CouponFigures | null = campaign.offer
    ? {
        issued,
        viewed: n(counterName.couponViewed),
        printed: n(counterName.couponPrinted),
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
  const smsSent = n(smsCounter.sent);
  const smsClicked: EngagementFigures = {
    uniqueHuman: n(counter.unique('click', true, 'sms')),
    uniqueMachine: n(counter.unique('click', false, 'sms')),
    totalHuman: n(counter.total('click', true, 'sms')),
    totalMachine: n(counter.total('click', false, 'sms')),
  };
  const smsDelivered = n(smsCounter.delivered);
  const smsBase = smsDelivered > 0 ? smsDelivered : smsSent;
  const price = counters.numbers[smsCounter.priceMicroUsd];
  const sms: SmsFigures | null =
    campaign.channel === 'email'
      ? null
      : {
          sent: smsSent,
          segments: n(smsCounter.segments),
          failed: n(smsCounter.failed),
          optedOut: n(smsCounter.optedOut),
          delivered: smsDelivered,
          undelivered: n(smsCounter.undelivered),
          clicked: smsClicked,
          rates: { delivery: ratio(smsDelivered, smsSent), click: ratio(smsClicked.uniqueHuman, smsBase) },
          costUsd: price === undefined ? null : price / 1_000_000,
          links: linksOf('sms'),
        };
  // Each message's share of the responses: a coupon's redemption is the response of the message that carried it.
  const responses = (action: 'email' | 'sms', sent: number, clickedUnique: number) => {
    const share = (x: number) => (sent > 0 ? x / sent : 0);
    const count = (channel: string) =>
      action === 'sms'
        ? n(redemptionCounter.bySms(channel))
        : n(redemptionCounter.byChannel(channel)) - n(redemptionCounter.bySms(channel));
    const afterClick =
      action === 'sms'
        ? n(redemptionCounter.smsAfterClick)
        : n(redemptionCounter.afterClick) - n(redemptionCounter.smsAfterClick);
    return {
      action,
      recipients: sent,
      store: share(count('store')),
      web: share(count('web')),
      phone: share(count('phone')),
      clickOnly: share(Math.max(0, clickedUnique - afterClick)),
    };
  };
  const actionResponse = [
    ...(campaign.channel === 'sms' ? [] : [responses('email', emailSent, clicked.uniqueHuman)]),
    ...(sms ? [responses('sms', smsSent, smsClicked.uniqueHuman)] : []),
  ];
  const actuals: Record<string, number | null> = {
    // An SMS-only campaign is judged on its SMS; a mixed one on its emails (the SMS have their own block).
    delivery_rate: campaign.channel === 'sms' ? (sms?.rates.delivery ?? null) : rates.delivery,
    open_rate: rates.open,
    click_rate: campaign.channel === 'sms' ? (sms?.rates.click ?? null) : rates.click,
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
  // Revenue counts only in the costs' currency: baskets in another are not converted.
  const revenueCurrency = campaign.offer?.currency;
  const sameCurrency = !revenueCurrency || revenueCurrency.toUpperCase() === costs?.currency;
  // With a holdout, the campaign is credited with what it brought, not with every basket redeemed.
  const incremental = attribution?.lift?.incrementalRevenue?.value;
  const cost = costs
    ? campaignCost({
        units: costs,
        emailsSent: campaign.channel === 'sms' ? null : emailSent,
        sms: sms ? { sent: sms.sent, segments: sms.segments, costUsd: sms.costUsd } : null,
        overlapping: campaign.channel === 'email+sms' && campaign.sms?.to === 'all',
        ...(incremental !== undefined
          ? { revenue: incremental, revenueBasis: 'incremental' as const }
          : { revenue: coupons && sameCurrency ? revenue : null, revenueBasis: 'redemptions' as const }),
        discounts: coupons && sameCurrency ? n(redemptionCounter.discountCents) / 100 : null,
      })
    : null;

  return {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      channel: campaign.channel,
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
    capped: n(counterName.capped),
    cooldown: n(counterName.cooldown),
    pending: pending(c),
    delivered,
    bounced: n(stat('bounced')),
    softBounced: n(stat('softBounced')),
    complained: n(stat('complained')),
    rejected: n(stat('rejected')),
    unsubscribed: n(counterName.unsubscribed),
    opened,
    clicked,
    rateBase,
    rates,
    links,
    sms,
    coupons,
    actionResponse,
    objective,
    cost,
    attribution: attribution ?? null,
    traffic: traffic ?? null,
  };
}

export interface ReportDeps extends AttributionDeps, TrafficDeps {
  campaigns: Pick<CampaignRepository, 'get'>;
  engagement: Pick<EngagementRepository, 'counters' | 'sendRecords'>;
}

/**
 * A campaign's report, from its record, its counters and its recipients' purchases within the
 * attribution window (against its holdout's); 404 for an unknown campaign.
 */
export async function campaignReport(
  deps: ReportDeps,
  campaignId: string,
  costs?: UnitCosts,
): Promise<{ campaign: Campaign; report: CampaignReport }> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw notFound('Campaign');
  const started = campaign.status !== 'draft' && campaign.status !== 'scheduled';
  const [counters, attribution, traffic] = await Promise.all([
    deps.engagement.counters(campaign.id),
    started ? measureAttribution(deps, campaign, costs ? { currency: costs.currency } : {}) : undefined,
    started ? shopTraffic(deps, campaign, deps.clock.now()) : null,
  ]);
  return { campaign, report: buildReport(campaign, counters, costs, attribution, traffic) };
}
