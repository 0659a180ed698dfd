import * as z from 'zod';
import {
  attributionDaysSchema,
  CAMPAIGN_CHANNELS,
  type CampaignInput,
  campaignInputSchema,
  holdoutSchema,
} from '../campaigns/campaign';
import { emailSchema } from '../contacts/contact';
import { offerSchema } from '../coupons/coupon';
import { segmentSchema } from '../segments/segment';
import { triggerSchema, UNLESS } from '../segments/triggers';

const templateName = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'Use the name of a template from GET /v1/templates');
const smsOptions = z
  .strictObject({
    template: templateName.optional(),
    to: z.enum(['without-email', 'all']).default('without-email'),
  })
  .optional();

/** A follow-up of the journey: `waitDays` after the previous message, unless the customer responded. */
export const stepSchema = z.strictObject({
  waitDays: z.number().int().min(1).max(365),
  /** Skip those who opened, clicked or redeemed after the previous message (a purchase always ends the journey). */
  unless: z.enum(UNLESS).optional(),
  template: templateName,
  channel: z.enum(CAMPAIGN_CHANNELS),
  sms: smsOptions,
});
export type Step = z.infer<typeof stepSchema>;

export const automationInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    trigger: triggerSchema,
    /** When the daily run happens, local time (DEFAULT_TIME_ZONE). */
    runAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM, e.g. 10:00')
      .default('10:00'),
    template: templateName,
    channel: z.enum(CAMPAIGN_CHANNELS),
    sms: smsOptions,
    from: z.strictObject({ name: z.string().trim().min(1).max(100), address: emailSchema }).optional(),
    replyTo: emailSchema.optional(),
    offer: offerSchema.optional(),
    /** Narrows the trigger (a shop, a tag…). */
    segment: segmentSchema.optional(),
    /**
     * The share of those who qualify that the automation holds out, for good (the same people in
     * every run), to measure what it brings: 0 to 0.5, none by default.
     */
    holdout: holdoutSchema.optional(),
    /** Days after a message during which a purchase counts for it (1–90; 14 by default). */
    attributionDays: attributionDaysSchema.optional(),
    /** A contact gets this automation at most once in this many days, whatever the trigger says. */
    cooldownDays: z.number().int().min(1).max(3650).default(30),
    /**
     * The first run also takes everyone who already matches (the customers lapsed before the
     * automation existed); by default only those who newly match from then on.
     */
    backlog: z.boolean().default(false),
    steps: z.array(stepSchema).max(5).default([]),
  })
  .superRefine((a, ctx) => {
    // The first message and every step are checked as the campaigns they will become.
    const check = (input: Record<string, unknown>, path: (string | number)[]) => {
      const r = campaignInputSchema.safeParse(input);
      if (r.success) return;
      for (const issue of r.error.issues) {
        const field = issue.path[0];
        if (field === 'name' || field === 'segment') continue;
        ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
      }
    };
    check(firstCampaign(a as Automation, {}), []);
    const journey = a.steps.reduce((sum, st) => sum + st.waitDays, 0);
    if (a.offer?.validUntil) {
      ctx.addIssue({
        code: 'custom',
        path: ['offer', 'validUntil'],
        message: 'An automation runs every day: give its coupons validDays, not a fixed end date',
      });
    } else if (a.offer && journey >= (a.offer.validDays ?? 30)) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: `The reminders come ${journey} days after the first message, when its coupon (${a.offer.validDays ?? 30} days) has expired`,
      });
    }
    for (const i of a.steps.keys()) check(stepCampaign(a as Automation, i, {}), ['steps', i]);
  });
export type AutomationInput = z.infer<typeof automationInputSchema>;

export type AutomationStatus = 'active' | 'paused';

export interface Automation extends AutomationInput {
  id: string;
  status: AutomationStatus;
  /** The local day (YYYY-MM-DD) of the last run, and when it ran: the next run picks up from there. */
  lastRunDay?: string;
  lastRunAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** One daily run: the campaign of each message of the journey, by step (0 = the first message). */
export interface AutomationRun {
  automationId: string;
  day: string;
  at: string;
  campaigns: Record<string, string>;
}

/** The first message of a run, as a campaign input. */
export function firstCampaign(a: Automation, over: Partial<CampaignInput>): Record<string, unknown> {
  return strip({
    name: a.name,
    channel: a.channel,
    template: a.template,
    sms: a.sms,
    segment: a.segment ?? {},
    from: a.from,
    replyTo: a.replyTo,
    offer: a.offer,
    holdout: a.holdout,
    attributionDays: a.attributionDays,
    ...over,
  });
}

/** Step `i` of the journey, as a campaign input: the first message's sender and offer, the step's template. */
export function stepCampaign(
  a: Automation,
  i: number,
  over: Partial<CampaignInput>,
): Record<string, unknown> {
  const s = a.steps[i] as Step;
  return strip({
    name: `${a.name} — reminder ${i + 1}`,
    channel: s.channel,
    template: s.template,
    sms: s.sms,
    segment: {},
    from: s.channel === 'sms' ? undefined : a.from,
    replyTo: s.channel === 'sms' ? undefined : a.replyTo,
    offer: a.offer,
    attributionDays: a.attributionDays,
    ...over,
  });
}

const strip = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Minutes since local midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
