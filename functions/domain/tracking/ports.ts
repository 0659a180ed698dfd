import type { RecipientMark, SendRecord } from '../campaigns/send-record';
import type { Channel } from '../contacts/contact';
import type { EngagementEvent, MessageEvent } from './events';

/** Raw events about sent messages, each recorded once (the events table). */
export interface EventLog {
  /** Records an event; false when the same event (message, type) was recorded before. */
  recordOnce(event: MessageEvent): Promise<boolean>;
}

/**
 * Engagement bookkeeping: raw events, first-time marks on the send record
 * (unique counts, the per-recipient export) and per-campaign counters spread
 * over several items, so a hot campaign never leans on one partition.
 */
export interface EngagementRepository {
  recordEvent(event: EngagementEvent): Promise<void>;
  /** Marks a raw event as counted; true the first time, so a redelivered event counts once. */
  claimEvent(event: EngagementEvent): Promise<boolean>;
  /** Undoes a claim, so the retried batch counts the event after all. */
  releaseEvent(event: EngagementEvent): Promise<void>;
  /** Sets the mark if it was not set; true the first time. */
  markFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel?: Channel,
  ): Promise<boolean>;
  /** Undoes `markFirst` (only if the mark is still the one set at `at`): a failed batch gives its marks back. */
  unmarkFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel?: Channel,
  ): Promise<void>;
  /** Undoes `markLinkClicked`. */
  unmarkLinkClicked(campaignId: string, contactId: string, link: number, channel?: Channel): Promise<void>;
  /** Records a click on a link; true the first time this recipient clicked this link. */
  markLinkClicked(campaignId: string, contactId: string, link: number, channel?: Channel): Promise<boolean>;
  /** Adds to counters (on one random shard); `names` are set once, e.g. a link's URL. */
  count(campaignId: string, add: Record<string, number>, names?: Record<string, string>): Promise<void>;
  /** Every counter of a campaign, summed over its shards. */
  counters(campaignId: string): Promise<{ numbers: Record<string, number>; names: Record<string, string> }>;
  /** One page of a campaign's send records, in contact-id order, from an opaque cursor. */
  sendRecords(
    campaignId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ records: SendRecord[]; next?: string }>;
}
