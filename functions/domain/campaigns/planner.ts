import { CHANNELS, type Channel, type Contact } from '../contacts/contact';
import type { ContactRepository } from '../contacts/ports';
import { rfmOfBase } from '../segments/rfm';
import { inSegment, needsRfm } from '../segments/segment';
import { matchesTrigger } from '../segments/triggers';
import type { Keyring } from '../shared/hashing';
import type { Clock, WorkQueue } from '../shared/ports';
import type { EngagementRepository } from '../tracking/ports';
import { type Campaign, messagesFor, type PlanJob, type SendJob } from './campaign';
import { isHeldOut } from './holdout';
import type { CampaignRepository } from './ports';
import { completeIfDone } from './progress';

export interface PlannerDeps {
  campaigns: CampaignRepository;
  contacts: ContactRepository;
  /** A journey's reminder is planned from the send records of the message before it. */
  engagement: Pick<EngagementRepository, 'sendRecords'>;
  clock: Clock;
  planQueue: WorkQueue<PlanJob>;
  sendQueue: WorkQueue<SendJob>;
  pageSize: number;
  recipientsPerJob: number;
  /** Whose holdout group a contact is in is a keyed hash. */
  keyring: () => Promise<Keyring>;
  /** Birthdays and anniversaries fall at midnight in this zone for contacts without one (DEFAULT_TIME_ZONE). */
  timeZone?: string;
}

/**
 * One page of a campaign's audience: the contacts of the base (a segment, and
 * for an automation's run those who newly match its trigger), or, for a
 * journey's reminder, the recipients of the previous message who did not
 * respond to it and have not bought since the journey began.
 */
async function audiencePage(
  deps: PlannerDeps,
  campaign: Campaign,
  now: Date,
): Promise<{ contacts: Contact[]; next?: string }> {
  const auto = campaign.automation;
  if (auto?.parentCampaignId) {
    const page = await deps.engagement.sendRecords(
      auto.parentCampaignId,
      campaign.plan.cursor,
      deps.pageSize,
    );
    const responded = new Set<string>();
    const reached = new Set<string>();
    // A message that went by email and SMS to the same contact has two records, next to each other; one
    // (the email's) stands for the contact, so that a page boundary between them cannot count it twice.
    const parent = await deps.campaigns.get(auto.parentCampaignId);
    const both = parent?.channel === 'email+sms' && parent.sms?.to === 'all';
    for (const r of page.records) {
      if (both && r.channel === 'sms') continue;
      if (r.status === 'sent') reached.add(r.contactId);
      const mark =
        auto.unless === 'opened' ? r.openedAt : auto.unless === 'clicked' ? r.clickedAt : undefined;
      // A redemption always ends the journey; `unless` adds opening or clicking the previous message.
      if (r.redeemedAt || mark) responded.add(r.contactId);
    }
    const ids = [...reached].filter((id) => !responded.has(id));
    const found = await deps.contacts.getMany(ids);
    const start = auto.journeyStart ? Date.parse(auto.journeyStart) : undefined;
    const contacts = [...found.values()].filter(
      (c) => start === undefined || !c.lastPurchaseAt || Date.parse(c.lastPurchaseAt) < start,
    );
    return { contacts, ...(page.next ? { next: page.next } : {}) };
  }
  const page = await deps.contacts.page(campaign.plan.cursor, deps.pageSize);
  const contacts = page.contacts.filter(
    (c) =>
      inSegment(c, campaign.segment, now, campaign.plan.rfm) &&
      (!auto?.trigger || !auto.window || matchesTrigger(c, auto.trigger, auto.window, deps.timeZone)),
  );
  return { contacts, ...(page.next ? { next: page.next } : {}) };
}

/**
 * Plans one page of a campaign's segment: puts the eligible recipients on the
 * send queue in jobs, counts the suppressed ones as skipped, saves the cursor
 * and asks for the next page. Paging keeps every invocation short and the
 * memory flat whatever the size of the base; a duplicate planning message
 * finds the cursor moved and counts nothing.
 */
export async function planNextPage(deps: PlannerDeps, job: PlanJob): Promise<'planned' | 'done' | 'stopped'> {
  let campaign = await deps.campaigns.get(job.campaignId);
  if (job.start && campaign?.status === 'scheduled') {
    // Its schedule fired: it starts now (a repeated start finds it sending and plans as usual).
    const started = await deps.campaigns.transition(campaign.id, ['scheduled'], 'sending', {
      sendRequestedAt: deps.clock.now().toISOString(),
    });
    campaign = started ?? (await deps.campaigns.get(job.campaignId));
  }
  if (campaign?.status !== 'sending' || campaign.plan.done) return 'stopped';
  const now = deps.clock.now();
  // RFM scores rank a customer within the base: the cut-offs are computed once, before the first page, and kept in the plan.
  const rfm =
    campaign.plan.rfm ??
    (!campaign.automation?.parentCampaignId && needsRfm(campaign.segment)
      ? await rfmOfBase(deps.contacts, now)
      : undefined);
  if (rfm) campaign = { ...campaign, plan: { ...campaign.plan, rfm } };
  const { contacts, next } = await audiencePage(deps, campaign, now);
  const recipients: Record<Channel, string[]> = { email: [], sms: [] };
  const ring = campaign.holdout?.share ? await deps.keyring() : undefined;
  const heldOut: string[] = [];
  let skipped = 0;
  for (const contact of contacts) {
    const { channels, reason } = messagesFor(campaign, contact);
    // Only those who would get a message can be held out: both groups are alike but for it.
    if (ring && channels.length > 0 && isHeldOut(ring, campaign, contact.id)) {
      heldOut.push(contact.id);
      continue;
    }
    for (const channel of channels) recipients[channel].push(contact.id);
    if (reason === 'suppressed') skipped++;
  }
  const jobs: SendJob[] = [];
  for (const channel of CHANNELS) {
    const ids = recipients[channel];
    for (let i = 0; i < ids.length; i += deps.recipientsPerJob) {
      jobs.push({ campaignId: campaign.id, contactIds: ids.slice(i, i + deps.recipientsPerJob), channel });
    }
  }
  const messages = recipients.email.length + recipients.sms.length;
  // Enqueue before saving the cursor: a crash in between re-plans the page, and the send claims absorb the repeat.
  await deps.sendQueue.enqueue(jobs);
  // The holdout's records say when each would have been messaged (now): their window starts there.
  for (const id of heldOut) await deps.campaigns.claimSend(campaign.id, id, 'holdout');
  const advanced = await deps.campaigns.advancePlan(
    campaign.id,
    campaign.plan.cursor,
    { ...(next ? { cursor: next, done: false } : { done: true }), ...(rfm ? { rfm } : {}) },
    { targeted: messages + skipped, skipped, ...(heldOut.length ? { holdout: heldOut.length } : {}) },
  );
  if (!advanced) return 'stopped';
  if (next) {
    await deps.planQueue.enqueue([{ campaignId: campaign.id }]);
    return 'planned';
  }
  await completeIfDone(deps.campaigns, await deps.campaigns.get(campaign.id), deps.clock);
  return 'done';
}
