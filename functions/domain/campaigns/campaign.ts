import * as z from 'zod';
import type { Contact } from '../contacts/contact';
import { type Channel, emailSchema } from '../contacts/contact';
import { offerSchema } from '../coupons/coupon';
import type { RfmThresholds } from '../segments/rfm';
import { type Eligibility, eligibility, segmentSchema } from '../segments/segment';
import type { Trigger, Unless } from '../segments/triggers';
import type { SmsContent } from '../sms/render';
import type { SmsEstimate } from '../sms/templates';
import type { CompiledEmail } from '../templates/types';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'] as const;
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

/**
 * What a campaign sends: an email, an SMS, or both kinds, each contact getting
 * what it consented to (see `sms.to`).
 */
export const CAMPAIGN_CHANNELS = ['email', 'sms', 'email+sms'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

const templateName = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'Use the name of a template from GET /v1/templates');

/** A holdout group: its share of the audience, 0 (none) to 0.5. */
export const holdoutSchema = z.strictObject({
  share: z
    .number()
    .min(0, 'A share from 0 to 0.5')
    .max(0.5, 'A share from 0 to 0.5: at least half the audience gets the message'),
});
export const attributionDaysSchema = z.number().int().min(1).max(90);
/** Days after a message during which a purchase counts for it, when the campaign does not say. */
export const DEFAULT_ATTRIBUTION_DAYS = 14;

const baseInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  channel: z.enum(CAMPAIGN_CHANNELS),
  /** The email template (`email`, `email+sms`), or the SMS template (`sms`). */
  template: templateName,
  /** SMS options of `sms` and `email+sms` campaigns. */
  sms: z
    .strictObject({
      /** `email+sms`: the SMS template; by default the one named like the email template. */
      template: templateName.optional(),
      /**
       * `email+sms`: who gets an SMS. `without-email` (default): contacts who cannot be emailed
       * (no address, no consent) get the SMS instead; `all`: every contact who consented to SMS
       * gets it, as well as the email.
       */
      to: z.enum(['without-email', 'all']).default('without-email'),
    })
    .optional(),
  segment: segmentSchema,
  /** Required when the campaign sends email. */
  from: z.strictObject({ name: z.string().trim().min(1).max(100), address: emailSchema }).optional(),
  replyTo: emailSchema.optional(),
  objective: z.strictObject({ kpi: z.enum(KPIS), target: z.number().finite().nonnegative() }).optional(),
  /** A coupon for every recipient: the offer, its validity and where it can be redeemed. */
  offer: offerSchema.optional(),
  /**
   * When to start sending (ISO 8601 with an offset): `send` then schedules the campaign instead of
   * starting it (EventBridge Scheduler in AWS, a timer locally); `cancel` removes the schedule.
   */
  scheduleAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * Deliver at this local hour (HH:MM) in each contact's time zone: a recipient for whom it is
   * earlier waits until then on the day sending starts; one for whom it has passed gets it at once.
   */
  localTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM, e.g. 10:00')
    .optional(),
  /**
   * A share of the audience (0 to 0.5) that gets nothing, chosen at random but for good (a keyed hash
   * of the campaign, or its automation, and the contact): what they buy anyway is what the message
   * did not bring, so the report can show the visits it really brought.
   */
  holdout: holdoutSchema.optional(),
  /** Days after the message during which a recipient's purchase counts for it (1–90; 14 by default). */
  attributionDays: attributionDaysSchema.optional(),
  /** Variables for event templates (`store-event`): title, date and description. */
  event: z
    .strictObject({
      title: z.string().max(200).optional(),
      date: z.string().max(100).optional(),
      description: z.string().max(2000).optional(),
    })
    .optional(),
});

export const campaignInputSchema = baseInputSchema.superRefine((c, ctx) => {
  if (c.channel !== 'sms' && !c.from) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'An email campaign needs a sender: from' });
  }
  if (c.channel === 'sms' && (c.from || c.replyTo)) {
    ctx.addIssue({
      code: 'custom',
      path: [c.from ? 'from' : 'replyTo'],
      message: 'An SMS campaign has no email sender: remove it, or use channel "email+sms"',
    });
  }
  if (c.channel === 'sms' && c.sms?.template) {
    ctx.addIssue({
      code: 'custom',
      path: ['sms', 'template'],
      message: 'An SMS campaign names its SMS template in "template"',
    });
  }
  if (c.channel === 'email' && c.sms) {
    ctx.addIssue({
      code: 'custom',
      path: ['sms'],
      message: 'Only sms and email+sms campaigns take sms options',
    });
  }
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/**
 * The messages one contact gets from a campaign: none (with the reason, for
 * the skipped count), one, or an email and an SMS (`sms.to: all`).
 */
export function messagesFor(
  campaign: Pick<CampaignInput, 'channel' | 'sms'>,
  contact: Contact,
): { channels: Channel[]; reason?: Eligibility } {
  if (campaign.channel !== 'email+sms') {
    const e = eligibility(contact, campaign.channel);
    return e === 'eligible' ? { channels: [campaign.channel] } : { channels: [], reason: e };
  }
  const email = eligibility(contact, 'email');
  const sms = eligibility(contact, 'sms');
  const channels: Channel[] = [];
  if (email === 'eligible') channels.push('email');
  if (sms === 'eligible' && (campaign.sms?.to === 'all' || email !== 'eligible')) channels.push('sms');
  if (channels.length > 0) return { channels };
  // Suppressed on one channel and not reachable on the other is still a suppression worth counting.
  return { channels, reason: email === 'suppressed' || sms === 'suppressed' ? 'suppressed' : email };
}

/** The channels a campaign may send on. */
export const campaignChannels = (c: Pick<CampaignInput, 'channel'>): Channel[] =>
  c.channel === 'email+sms' ? ['email', 'sms'] : [c.channel];

/**
 * Every recipient ends in exactly one of sent, failed or skipped; `targeted`
 * counts every segment member considered, so pending = targeted − the three.
 */
export interface CampaignCounts {
  targeted: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Held out (the holdout group): not in `targeted`, they get no message. */
  holdout?: number;
}

export interface Campaign extends CampaignInput {
  id: string;
  status: CampaignStatus;
  /** Why the campaign paused by itself (error threshold, SES account paused…). */
  pausedReason?: string;
  /** When a marketer resumed it past the deliverability guard: the guard leaves it alone from then on. */
  guardOverriddenAt?: string;
  locales: string[];
  /** How each locale of the SMS goes out (encoding, segments), measured at creation on sample values. */
  smsEstimate?: Record<string, SmsEstimate>;
  /** What the marketer should know about the content (an SMS too long, UCS-2…), from creation. */
  warnings?: string[];
  /** Set when an automation made this campaign (one run, or one step of its journey). */
  automation?: CampaignAutomation;
  /** The campaign whose coupon this one carries (a reminder shows the first message's coupon). */
  couponFrom?: string;
  /** Public base URL of links in the messages, fixed when sending starts. */
  baseUrl?: string;
  /** Where planning stands; `rfm`: the base's RFM cut-offs, computed once when the segment scores customers. */
  plan: { cursor?: string; done: boolean; rfm?: RfmThresholds };
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
  /** The email, per locale (empty for an SMS-only campaign). */
  byLocale: Record<string, CompiledEmail>;
  sms?: SmsContent;
}

export const emptyCounts = (): CampaignCounts => ({ targeted: 0, sent: 0, failed: 0, skipped: 0 });

export const pending = (c: CampaignCounts) => Math.max(0, c.targeted - c.sent - c.failed - c.skipped);

/** Which states an action may start from; anything else is a 409. */
export const TRANSITIONS = {
  send: { from: ['draft'], to: 'sending' },
  pause: { from: ['sending'], to: 'paused' },
  resume: { from: ['paused'], to: 'sending' },
  cancel: { from: ['draft', 'scheduled', 'sending', 'paused'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignAction = keyof typeof TRANSITIONS;

/** States in which repeating the action is harmless and answered as success. */
export const IDEMPOTENT_IN: Record<CampaignAction, readonly CampaignStatus[]> = {
  send: ['scheduled', 'sending', 'paused'],
  pause: ['paused'],
  resume: ['sending'],
  cancel: ['cancelled'],
};

/** A send record per (campaign, contact): claimed before the provider call, so nobody gets two. */
export type SendStatus = 'claimed' | 'sent' | 'failed' | 'skipped' | 'retry' | 'holdout';

/** One unit of sending work on the queue. */
export interface SendJob {
  campaignId: string;
  contactIds: string[];
  /** What to send them; email when absent (jobs queued before SMS existed). */
  channel?: Channel;
}

/** One unit of planning work: the next page of the segment. */
export interface PlanJob {
  campaignId: string;
  /** From the schedule of a scheduled campaign: start it (scheduled → sending), then plan. */
  start?: boolean;
}

/** What a campaign of an automation knows of it: the planner and the sender act on it. */
export interface CampaignAutomation {
  id: string;
  step: number;
  runDay: string;
  /** The first message: who newly matches the trigger in this window (`after` unset: everyone). */
  trigger?: Trigger;
  window?: { after?: string; before: string };
  cooldownDays?: number;
  /** A follow-up: sent to the recipients of this campaign, unless they responded to it. */
  parentCampaignId?: string;
  unless?: Unless;
  /** When the journey began (the first message was sent): a purchase since then ends it. */
  journeyStart?: string;
}
