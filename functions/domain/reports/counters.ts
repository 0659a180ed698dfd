import type { Channel } from '../contacts/contact';

/**
 * The name of every per-campaign counter, in one place: the sender, the tracking aggregator, the
 * provider events, the redemptions and the unsubscribe page write them; the report reads them.
 */

/** Plain counters, each written by one step of the funnel. */
export const counterName = {
  unsubscribed: 'unsubscribed',
  couponViewed: 'coupon_viewed',
  couponPrinted: 'coupon_printed',
  /** Recipients held back by the frequency cap, or by an automation's cooldown (also `skipped`). */
  capped: 'capped',
  cooldown: 'cooldown',
  /** One per coupon issued, however many messages carried it. */
  couponsIssued: 'coupons_issued',
} as const;

/** Opens, clicks and links, by channel: what the aggregator writes from the raw events. */
export const counter = {
  total: (kind: 'open' | 'click', human: boolean, channel: Channel = 'email') =>
    `${prefix(channel)}${kind}_${human ? 'human' : 'machine'}`,
  unique: (kind: 'open' | 'click', human: boolean, channel: Channel = 'email') =>
    `${prefix(channel)}${kind}_unique_${human ? 'human' : 'machine'}`,
  link: (i: number, what: 'human' | 'machine' | 'unique' | 'url', channel: Channel = 'email') =>
    `${prefix(channel)}link_${i}_${what}`,
};

/** Email counters keep the names they had before SMS; SMS ones start with `sms_`. */
const prefix = (channel: Channel) => (channel === 'email' ? '' : `${channel}_`);

/** Counter names of redemptions, read by the report. */
export const redemptionCounter = {
  redeemed: 'redeemed',
  byChannel: (channel: string) => `redeemed_${channel}`,
  byStore: (storeId: string) => `store_${storeId}_redeemed`,
  revenueCents: 'revenue_cents',
  /** What the coupons gave off at redemption (the basket × percent, the amount, the gift's value). */
  discountCents: 'discount_cents',
  afterClick: 'redeemed_after_click',
  /** Redemptions of coupons an SMS carried, by purchase channel, and after a click on the SMS. */
  bySms: (channel: string) => `sms_redeemed_${channel}`,
  smsAfterClick: 'sms_redeemed_after_click',
};

/** Counter names of the SMS funnel, read by the report. */
export const smsCounter = {
  sent: 'sms_sent',
  segments: 'sms_segments',
  failed: 'sms_failed',
  optedOut: 'sms_opted_out',
  delivered: 'sms_delivered',
  undelivered: 'sms_undelivered',
  stopped: 'sms_stopped',
  /** What the provider billed, in millionths of a US dollar (counters are integers). */
  priceMicroUsd: 'sms_price_micro_usd',
};

/** What happened to messages after sending, from the provider's events and the unsubscribe page. */
export const CAMPAIGN_STATS = [
  'delivered',
  'bounced',
  'softBounced',
  'complained',
  'rejected',
  'unsubscribed',
] as const;

export type CampaignStat = (typeof CAMPAIGN_STATS)[number];
