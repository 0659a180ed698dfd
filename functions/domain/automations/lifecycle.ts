import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type Campaign,
  type CampaignInput,
  campaignChannels,
  campaignInputSchema,
} from '../campaigns/campaign';
import {
  applyCampaignAction,
  asInputError,
  type CampaignCreationDeps,
  createCampaign,
  senderAllowed,
  smsNotSetUp,
} from '../campaigns/lifecycle';
import type { ContactRepository } from '../contacts/ports';
import { conflict, notFound, validationError } from '../shared/errors';
import { addDays, localDay, localMinutes } from '../shared/time';
import {
  type Automation,
  type AutomationInput,
  type AutomationStatus,
  firstCampaign,
  minutesOf,
  type Step,
  stepCampaign,
} from './automation';
import type { AutomationRepository } from './ports';

const DAY = 86_400_000;

/** An automation makes campaigns: it needs what creating one needs, and its own store and clock. */
export interface AutomationDeps extends CampaignCreationDeps {
  automations: AutomationRepository;
  contacts: ContactRepository;
  logger: Logger;
  /** The automations' clock: runs happen at `runAt` in this time zone (DEFAULT_TIME_ZONE). */
  timeZone: string;
}

/** Checks that every template an automation will use exists, as the campaigns it makes will need. */
async function checkTemplates(deps: AutomationDeps, input: AutomationInput): Promise<void> {
  const messages: {
    channel: CampaignInput['channel'];
    template: string;
    sms?: { template?: string };
    path: string;
  }[] = [
    { channel: input.channel, template: input.template, ...(input.sms ? { sms: input.sms } : {}), path: '' },
    ...input.steps.map((s: Step, i) => ({
      channel: s.channel,
      template: s.template,
      ...(s.sms ? { sms: s.sms } : {}),
      path: `steps.${i}.`,
    })),
  ];
  for (const m of messages) {
    const channels = campaignChannels(m);
    if (channels.includes('sms') && deps.smsEnabled === false) throw smsNotSetUp();
    if (channels.includes('email'))
      await asInputError(deps.compile(m.template), `${m.path}template`, m.template);
    if (channels.includes('sms')) {
      const name = m.channel === 'sms' ? m.template : (m.sms?.template ?? m.template);
      await asInputError(
        deps.compileSms(name),
        m.channel === 'sms' ? `${m.path}template` : `${m.path}sms.template`,
        name,
      );
    }
  }
}

/** Creates an automation, active: its first run is at the next `runAt`. Templates are checked now. */
export async function createAutomation(deps: AutomationDeps, input: AutomationInput): Promise<Automation> {
  if (input.from && !senderAllowed(input.from.address, deps.senderIdentity)) {
    throw validationError([
      {
        path: 'from.address',
        message: `The sending identity is ${deps.senderIdentity}: send from it or its domain`,
      },
    ]);
  }
  await checkTemplates(deps, input);
  const now = deps.clock.now().toISOString();
  const automation: Automation = {
    ...input,
    id: deps.ids.next('aut'),
    status: 'active',
    createdAt: now,
    updatedAt: now,
  };
  await deps.automations.create(automation);
  return automation;
}

/** Pauses or resumes; repeating it answers the automation as it is. */
export async function setAutomationStatus(
  deps: Pick<AutomationDeps, 'automations' | 'clock'>,
  id: string,
  to: AutomationStatus,
): Promise<Automation> {
  const current = await deps.automations.get(id);
  if (!current) throw notFound('Automation');
  if (current.status === to) return current;
  const from: AutomationStatus = to === 'active' ? 'paused' : 'active';
  const updated = await deps.automations.setStatus(id, from, to, deps.clock.now().toISOString());
  if (!updated) throw conflict('The automation was changed by another request; try again');
  return updated;
}

/** What one pass of the runner started. */
export interface RunOutcome {
  automationId: string;
  day: string;
  step: number;
  campaignId: string;
}

/**
 * The daily work of every active automation, safe to call as often as wanted
 * (the runner is invoked every few minutes): once `runAt` has passed on a
 * local day, one run picks up the contacts who newly match the trigger and
 * sends them the first message (a campaign with its own report); and each
 * journey step whose wait is over is sent to the previous message's
 * recipients who did not respond. Each day's run and each step is claimed
 * with a conditional write, so two runners never send it twice.
 */
export async function runAutomations(deps: AutomationDeps, baseUrl: string): Promise<RunOutcome[]> {
  const started: RunOutcome[] = [];
  for (const a of await deps.automations.list()) {
    if (a.status !== 'active') continue;
    try {
      const first = await runFirstMessage(deps, a, baseUrl);
      if (first) started.push(first);
      started.push(...(await runFollowUps(deps, a, baseUrl)));
    } catch (err) {
      // One automation's failure (a template removed since) must not stop the others.
      deps.logger.error('Automation run failed', { automationId: a.id, error: err as Error });
    }
  }
  return started;
}

function campaignDeps(deps: AutomationDeps) {
  return { ...deps, ...(deps.senderIdentity ? { senderIdentity: deps.senderIdentity } : {}) };
}

async function runFirstMessage(
  deps: AutomationDeps,
  a: Automation,
  baseUrl: string,
): Promise<RunOutcome | undefined> {
  const now = deps.clock.now();
  const day = localDay(now, deps.timeZone);
  if ((a.lastRunDay && a.lastRunDay >= day) || localMinutes(now, deps.timeZone) < minutesOf(a.runAt)) return;
  // Who newly matches since the previous run; the first run looks back one day, or takes everyone (backlog).
  const after = a.lastRunAt ?? (a.backlog ? undefined : new Date(now.getTime() - DAY).toISOString());
  const input = campaignInputSchema.parse(firstCampaign(a, { name: `${a.name} · ${day}` }));
  const campaign = await createCampaign(campaignDeps(deps), input, {
    automation: {
      id: a.id,
      step: 0,
      runDay: day,
      trigger: a.trigger,
      window: { ...(after ? { after } : {}), before: now.toISOString() },
      cooldownDays: a.cooldownDays,
    },
  });
  // The day's run item is the claim: it names the campaign, so a runner that stops after it leaves a
  // draft the next pass sends (see runFollowUps). A runner that loses it cancels its own draft.
  const claimed = await deps.automations.claimStep(
    { automationId: a.id, day, at: now.toISOString() },
    0,
    campaign.id,
  );
  await deps.automations.claimRun(a.id, day, now.toISOString());
  if (!claimed) {
    await applyCampaignAction(deps, campaign.id, 'cancel', { baseUrl });
    return;
  }
  await applyCampaignAction(deps, campaign.id, 'send', { baseUrl });
  return { automationId: a.id, day, step: 0, campaignId: campaign.id };
}

async function runFollowUps(deps: AutomationDeps, a: Automation, baseUrl: string): Promise<RunOutcome[]> {
  const now = deps.clock.now();
  const today = localDay(now, deps.timeZone);
  const totalWait = a.steps.reduce((sum, s) => sum + s.waitDays, 0);
  const started: RunOutcome[] = [];
  const runs = await deps.automations.runs(a.id, addDays(today, -(totalWait + 7)));
  for (const run of runs) {
    // A runner that stopped between claiming a message and sending it: send it now.
    for (const id of Object.values(run.campaigns)) {
      const c = await deps.campaigns.get(id);
      if (c?.status === 'draft') await applyCampaignAction(deps, id, 'send', { baseUrl });
    }
    for (const [i, step] of a.steps.entries()) {
      const k = i + 1;
      if (run.campaigns[k]) continue;
      const previousId = run.campaigns[k - 1];
      const firstId = run.campaigns[0];
      if (!previousId || !firstId) break;
      const previous = await deps.campaigns.get(previousId);
      // A reminder follows a message that was sent to the end: a cancelled one ends the journey, one
      // still sending (quiet hours, local time) or paused is waited for.
      if (previous?.status !== 'sent' || !previous.sendRequestedAt) break;
      const due = addDays(localDay(new Date(previous.sendRequestedAt), deps.timeZone), step.waitDays);
      if (due > today || localMinutes(now, deps.timeZone) < minutesOf(a.runAt)) break;
      const first = (await deps.campaigns.get(firstId)) as Campaign;
      const input = campaignInputSchema.parse(
        stepCampaign(a, i, { name: `${a.name} · ${run.day} · reminder ${k}` }),
      );
      const campaign = await createCampaign(campaignDeps(deps), input, {
        automation: {
          id: a.id,
          step: k,
          runDay: run.day,
          parentCampaignId: previousId,
          ...(step.unless ? { unless: step.unless } : {}),
          ...(first.sendRequestedAt ? { journeyStart: first.sendRequestedAt } : {}),
        },
        ...(first.offer ? { couponFrom: first.id } : {}),
      });
      if (!(await deps.automations.claimStep(run, k, campaign.id))) {
        await applyCampaignAction(deps, campaign.id, 'cancel', { baseUrl });
        break;
      }
      await applyCampaignAction(deps, campaign.id, 'send', { baseUrl });
      started.push({ automationId: a.id, day: run.day, step: k, campaignId: campaign.id });
      break;
    }
  }
  return started;
}
