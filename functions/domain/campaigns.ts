import * as z from 'zod';
import { emailSchema } from './contacts';
import { offerSchema } from './coupons';
import { segmentSchema } from './segments';
import type { CompiledEmail } from './templates/types';

export const CAMPAIGN_STATUSES = ['draft', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** What a campaign is judged on; the report sets its actual value against the target. */
export const KPIS = [
  'delivery_rate',
  'open_rate',
  'click_rate',
  'redemption_rate',
  'redemptions',
  'revenue',
] as const;

export const campaignInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  channel: z.literal('email'),
  template: z.string().regex(/^[a-z0-9-]{1,64}$/, 'Use the name of a template from GET /v1/templates'),
  segment: segmentSchema,
  from: z.strictObject({ name: z.string().trim().min(1).max(100), address: emailSchema }),
  replyTo: emailSchema.optional(),
  objective: z.strictObject({ kpi: z.enum(KPIS), target: z.number().finite().nonnegative() }).optional(),
  /** A coupon for every recipient: the offer, its validity and where it can be redeemed. */
  offer: offerSchema.optional(),
  /** Variables for event templates (`store-event`): title, date and description. */
  event: z
    .strictObject({
      title: z.string().max(200).optional(),
      date: z.string().max(100).optional(),
      description: z.string().max(2000).optional(),
    })
    .optional(),
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/**
 * Every recipient ends in exactly one of sent, failed or skipped; `targeted`
 * counts every segment member considered, so pending = targeted − the three.
 */
export interface CampaignCounts {
  targeted: number;
  sent: number;
  failed: number;
  skipped: number;
}

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

export interface Campaign extends CampaignInput {
  id: string;
  status: CampaignStatus;
  /** Why the campaign paused by itself (error threshold, SES account paused…). */
  pausedReason?: string;
  locales: string[];
  /** Public base URL of links in the messages, fixed when sending starts. */
  baseUrl?: string;
  plan: { cursor?: string; done: boolean };
  counts: CampaignCounts;
  createdAt: string;
  updatedAt: string;
  sendRequestedAt?: string;
  completedAt?: string;
}

/** The template compiled once at creation, per locale: only Liquid runs per recipient. */
export interface CampaignContent {
  campaignId: string;
  defaultLocale: string;
  byLocale: Record<string, CompiledEmail>;
}

export const emptyCounts = (): CampaignCounts => ({ targeted: 0, sent: 0, failed: 0, skipped: 0 });

export const pending = (c: CampaignCounts) => Math.max(0, c.targeted - c.sent - c.failed - c.skipped);

/** Which states an action may start from; anything else is a 409. */
export const TRANSITIONS = {
  send: { from: ['draft'], to: 'sending' },
  pause: { from: ['sending'], to: 'paused' },
  resume: { from: ['paused'], to: 'sending' },
  cancel: { from: ['draft', 'sending', 'paused'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignAction = keyof typeof TRANSITIONS;

/** States in which repeating the action is harmless and answered as success. */
export const IDEMPOTENT_IN: Record<CampaignAction, readonly CampaignStatus[]> = {
  send: ['sending', 'paused'],
  pause: ['paused'],
  resume: ['sending'],
  cancel: ['cancelled'],
};

/** A send record per (campaign, contact): claimed before the provider call, so nobody gets two. */
export type SendStatus = 'claimed' | 'sent' | 'failed' | 'skipped' | 'retry';

/** One unit of sending work on the queue. */
export interface SendJob {
  campaignId: string;
  contactIds: string[];
}

/** One unit of planning work: the next page of the segment. */
export interface PlanJob {
  campaignId: string;
}
