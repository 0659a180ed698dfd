import type { Channel } from '../contacts/contact';
import type { RfmThresholds } from '../segments/rfm';
import type { Campaign, CampaignContent, CampaignCounts, CampaignStatus } from './campaign';
import type { CountedMessage, FrequencyCap } from './frequency';
import type { SendOutcome, SendRecord } from './send-record';

export interface CampaignRepository {
  create(campaign: Campaign, content: CampaignContent): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  getContent(id: string): Promise<CampaignContent | undefined>;
  /** Newest first. */
  list(limit: number, cursor?: string): Promise<{ items: Campaign[]; next?: string }>;
  /**
   * Moves a campaign to `to` only if its status is one of `from` (one
   * conditional update); undefined when it was not.
   */
  transition(
    id: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    set?: Partial<
      Pick<Campaign, 'baseUrl' | 'pausedReason' | 'sendRequestedAt' | 'completedAt' | 'guardOverriddenAt'>
    >,
  ): Promise<Campaign | undefined>;
  /**
   * Saves the planner's progress and adds what it counted, only if the cursor
   * is still the one it started from: a duplicate planning message counts nothing.
   */
  advancePlan(
    id: string,
    expectedCursor: string | undefined,
    plan: { cursor?: string; done: boolean; rfm?: RfmThresholds },
    add: Partial<CampaignCounts>,
  ): Promise<boolean>;
  /** Adds to the counters and returns the campaign as it is after the update. */
  addCounts(id: string, add: Partial<CampaignCounts>): Promise<Campaign | undefined>;
  /**
   * Claims the (campaign, contact) send record with a conditional write.
   * True when this caller now owns it: no record yet, or one left in `retry`.
   */
  claimSend(
    campaignId: string,
    contactId: string,
    status: 'claimed' | 'skipped' | 'holdout',
    reason?: string,
    /** Each message has its own record: the SMS to a contact is not its email. */
    channel?: Channel,
  ): Promise<boolean>;
  /** Records the outcome of a claimed send. */
  settleSend(campaignId: string, contactId: string, outcome: SendOutcome, channel?: Channel): Promise<void>;
  getSend(campaignId: string, contactId: string, channel?: Channel): Promise<SendRecord | undefined>;
  /**
   * Fails a claim whose sender stopped (a timeout, a crash) before recording
   * the outcome: only if it is still `claimed` and was claimed before
   * `claimedBefore`. Sending again could send twice, so the outcome is
   * recorded as unknown and counted as failed. True when this call did it.
   */
  expireClaim(
    campaignId: string,
    contactId: string,
    claimedBefore: string,
    channel?: Channel,
  ): Promise<boolean>;
  /**
   * Claims a phone number for one contact within a campaign (the number as a keyed hash, never in
   * clear): a number a household shares is texted once. True when this contact holds it.
   */
  claimNumber(campaignId: string, numberHash: string, contactId: string): Promise<boolean>;
}

/** One-time schedules that start scheduled campaigns (EventBridge Scheduler in AWS, a timer locally). */
export interface CampaignScheduler {
  /** Starts the campaign at `at`; scheduling again replaces the schedule. */
  schedule(campaignId: string, at: Date): Promise<void>;
  /** Removes the schedule; nothing happens when there is none. */
  cancel(campaignId: string): Promise<void>;
}

/** The messages each contact got recently, for the global frequency cap. */
export interface FrequencyLedger {
  /**
   * Counts a message against the contact's cap, if it fits: false when the
   * contact already had `cap.messages` in the window. The same campaign and
   * channel count once, so a retried send is admitted again.
   */
  reserve(contactId: string, message: CountedMessage, cap: FrequencyCap): Promise<boolean>;
}
