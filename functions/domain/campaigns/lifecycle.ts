import type { ContactRepository } from '../contacts/ports';
import { rfmOfBase } from '../segments/rfm';
import { eligibility, inSegment, needsRfm, type Segment } from '../segments/segment';
import type { Company } from '../shared/company';
import { AppError, busy, conflict, notFound, validationError } from '../shared/errors';
import type { Clock, Ids, WorkQueue } from '../shared/ports';
import type { SmsContent } from '../sms/render';
import { estimateSms, sampleSmsVars } from '../sms/templates';
import type { CompiledEmail } from '../templates/types';
import {
  type Campaign,
  type CampaignAction,
  type CampaignContent,
  type CampaignInput,
  campaignChannels,
  emptyCounts,
  IDEMPOTENT_IN,
  type PlanJob,
  TRANSITIONS,
} from './campaign';
import { pausedByGuard } from './guard';
import type { CampaignRepository, CampaignScheduler } from './ports';

export interface CampaignDeps {
  campaigns: CampaignRepository;
  clock: Clock;
  ids: Ids;
  planQueue: WorkQueue<PlanJob>;
  /** Starts campaigns with a `scheduleAt` when their time comes. */
  scheduler?: CampaignScheduler;
}

/** Loads and checks an SMS template's locales (templates/sms). */
export type SmsCompiler = (name: string) => Promise<SmsContent>;

/** Loads and compiles a template's locales; kept behind a function so the domain never touches files or mjml. */
export type TemplateCompiler = (
  name: string,
) => Promise<{ defaultLocale: string; byLocale: Record<string, CompiledEmail> }>;

/** True when `address` is the identity itself or an address of the identity's domain. */
export function senderAllowed(address: string, identity: string | undefined): boolean {
  if (!identity) return true;
  const id = identity.toLowerCase();
  return id.includes('@') ? address === id : address.endsWith(`@${id}`) || address.endsWith(`.${id}`);
}

/**
 * Creates a draft: the template is compiled (MJML validated in strict mode,
 * Liquid parsed) for every locale it has, once, and stored with the campaign,
 * so the sender only substitutes variables.
 */
/** What creating a campaign needs on top of its lifecycle: templates, and what is checked at creation. */
export interface CampaignCreationDeps extends CampaignDeps {
  compile: TemplateCompiler;
  compileSms: SmsCompiler;
  senderIdentity?: string;
  company: Company;
  /** Where short links will point, to measure SMS at their real length. */
  shortLinkBase: string;
  smsMaxSegments: number;
  /** False when the deployment has no SMS sender: SMS campaigns are refused up front. */
  smsEnabled?: boolean;
  /** The currency of an offer that names none (COST_CURRENCY): an offer always has one. */
  currency: string;
}

export async function createCampaign(
  deps: CampaignCreationDeps,
  input: CampaignInput,
  /** What only Relance sets: the automation a campaign belongs to, the coupon it carries. */
  internal: Pick<Campaign, 'automation' | 'couponFrom'> = {},
): Promise<Campaign> {
  // An offer always has a currency, so that the till can refuse another one and revenue never mixes them.
  if (input.offer && !input.offer.currency)
    input = { ...input, offer: { ...input.offer, currency: deps.currency } };
  if (input.from && !senderAllowed(input.from.address, deps.senderIdentity)) {
    throw validationError([
      {
        path: 'from.address',
        message: `The sending identity is ${deps.senderIdentity}: send from it or its domain`,
      },
    ]);
  }
  const channels = campaignChannels(input);
  if (channels.includes('sms') && deps.smsEnabled === false) throw smsNotSetUp();
  if (input.scheduleAt && Date.parse(input.scheduleAt) <= deps.clock.now().getTime()) {
    throw validationError([{ path: 'scheduleAt', message: 'Schedule the campaign in the future' }]);
  }
  const email = channels.includes('email')
    ? await asInputError(deps.compile(input.template), 'template', input.template)
    : undefined;
  const smsTemplate = input.channel === 'sms' ? input.template : (input.sms?.template ?? input.template);
  const sms = channels.includes('sms')
    ? await asInputError(
        deps.compileSms(smsTemplate),
        input.channel === 'sms' ? 'template' : 'sms.template',
        smsTemplate,
      )
    : undefined;
  const now = deps.clock.now();
  const id = deps.ids.next('cmp');
  const estimate = sms
    ? await estimateSms(
        sms,
        (locale) =>
          sampleSmsVars(locale, {
            company: deps.company,
            campaign: { id, name: input.name },
            ...(input.offer ? { offer: input.offer } : {}),
            ...(input.event ? { event: input.event } : {}),
            now,
          }),
        deps.shortLinkBase,
        deps.smsMaxSegments,
      )
    : undefined;
  const main = email ?? (sms as NonNullable<typeof sms>);
  const campaign: Campaign = {
    ...input,
    ...(input.channel === 'email'
      ? {}
      : {
          sms: {
            to: input.sms?.to ?? 'without-email',
            ...(input.channel === 'email+sms' ? { template: smsTemplate } : {}),
          },
        }),
    ...internal,
    id,
    status: 'draft',
    locales: Object.keys(main.byLocale).sort(),
    ...(estimate ? { smsEstimate: estimate.byLocale } : {}),
    ...(estimate?.warnings.length ? { warnings: estimate.warnings } : {}),
    plan: { done: false },
    counts: emptyCounts(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const content: CampaignContent = {
    campaignId: campaign.id,
    defaultLocale: main.defaultLocale,
    byLocale: email?.byLocale ?? {},
    ...(sms ? { sms } : {}),
  };
  await deps.campaigns.create(campaign, content);
  return campaign;
}

/** A deployment without an SMS origination identity: said at creation, not when the campaign pauses. */
export const smsNotSetUp = () =>
  conflict('SMS are not set up in this deployment: deploy with an SMS origination identity first', [
    { path: 'channel', message: 'SMS cannot be sent: no origination identity (see the README, Deploying)' },
  ]);

/** A template that does not exist is the caller's mistake: a 400 on the field that named it. */
export async function asInputError<T>(compiling: Promise<T>, path: string, name: string): Promise<T> {
  try {
    return await compiling;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) {
      throw validationError([{ path, message: `Unknown template "${name}"` }]);
    }
    throw err;
  }
}

/** The scheduler, or a 409 saying this deployment cannot schedule (it has none configured). */
function scheduler(deps: CampaignDeps): CampaignScheduler {
  if (!deps.scheduler) {
    throw conflict('Scheduled sends are not set up for this function', [
      { path: 'scheduleAt', message: 'No campaign scheduler is configured: send without scheduleAt' },
    ]);
  }
  return deps.scheduler;
}

/**
 * Sends, pauses, resumes or cancels. Repeating an action that already took
 * effect answers the campaign as it is (sending twice sends once); an action
 * that cannot apply to the current status is a 409 that says why.
 */
export async function applyCampaignAction(
  deps: CampaignDeps,
  id: string,
  action: CampaignAction,
  ctx: { baseUrl: string; override?: boolean },
): Promise<Campaign> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.campaigns.get(id);
    if (!current) throw notFound('Campaign');
    if (action === 'resume' && pausedByGuard(current) && !ctx.override) {
      throw conflict(`${current.pausedReason}. Resume with ?override=true to send anyway`, [
        {
          path: 'override',
          message: 'The deliverability guard paused this campaign: resuming needs override=true',
        },
      ]);
    }
    if (action === 'send' && current.status === 'scheduled' && current.scheduleAt) {
      // Sent again while scheduled: make sure the schedule exists (a first attempt may have failed).
      await scheduler(deps).schedule(id, new Date(current.scheduleAt));
      return current;
    }
    if (IDEMPOTENT_IN[action].includes(current.status)) return current;
    const t = TRANSITIONS[action];
    if (!(t.from as readonly string[]).includes(current.status)) {
      throw conflict(`The campaign is ${current.status}: it cannot ${action}`, [
        { path: 'status', message: `${current.status}; ${action} needs ${t.from.join(' or ')}` },
      ]);
    }
    const now = deps.clock.now();
    const later = action === 'send' && current.scheduleAt && Date.parse(current.scheduleAt) > now.getTime();
    if (later) scheduler(deps);
    const set =
      action === 'send'
        ? { baseUrl: ctx.baseUrl, ...(later ? {} : { sendRequestedAt: now.toISOString() }) }
        : action === 'resume' && pausedByGuard(current)
          ? { guardOverriddenAt: now.toISOString() }
          : {};
    // A campaign to send later is scheduled: its schedule starts it (planNextPage with `start`).
    const updated = await deps.campaigns.transition(id, t.from, later ? 'scheduled' : t.to, set);
    if (!updated) continue; // someone else changed it in between: look again
    if (later && current.scheduleAt) await scheduler(deps).schedule(id, new Date(current.scheduleAt));
    if (action === 'cancel' && current.status === 'scheduled') await deps.scheduler?.cancel(id);
    if ((action === 'send' || action === 'resume') && !later && !updated.plan.done) {
      await deps.planQueue.enqueue([{ campaignId: id }]);
    }
    return updated;
  }
  throw busy('The campaign is being changed by another request');
}

/**
 * Counts who a segment reaches on a channel now, paging through the base, and
 * returns a few of them. Suppressed contacts and contacts without consent are
 * not counted: they will not be sent to.
 */
export async function previewSegment(
  deps: { contacts: ContactRepository; clock: Clock },
  segment: Segment,
  channel: 'email' | 'sms',
  sampleSize = 10,
): Promise<{ count: number; suppressed: number; sample: Array<Record<string, unknown>> }> {
  const now = deps.clock.now();
  const rfm = needsRfm(segment) ? await rfmOfBase(deps.contacts, now) : undefined;
  let cursor: string | undefined;
  let count = 0;
  let suppressed = 0;
  const sample: Array<Record<string, unknown>> = [];
  do {
    const page = await deps.contacts.page(cursor, 1000);
    for (const c of page.contacts) {
      if (!inSegment(c, segment, now, rfm)) continue;
      const e = eligibility(c, channel);
      if (e === 'suppressed') suppressed++;
      if (e !== 'eligible') continue;
      count++;
      if (sample.length < sampleSize) {
        sample.push({
          id: c.id,
          email: c.email,
          phone: c.phone,
          firstName: c.firstName,
          homeStoreId: c.homeStoreId,
          lastPurchaseAt: c.lastPurchaseAt,
        });
      }
    }
    cursor = page.next;
  } while (cursor);
  return { count, suppressed, sample };
}
