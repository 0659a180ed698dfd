import type { Channel } from '../contacts/contact';
import type { SendStatus } from './campaign';

/** What happened to a claimed send, as recorded on its send record. */
export interface SendOutcome {
  /** `skipped`: the provider refused because the recipient had opted out there. */
  status: 'sent' | 'failed' | 'retry' | 'skipped';
  messageId?: string;
  error?: string;
  reason?: string;
  locale?: string;
  couponCode?: string;
  /** SMS parts the message took (what the provider bills). */
  segments?: number;
}

export interface SendRecord extends Partial<Record<RecipientMark, string>> {
  campaignId: string;
  contactId: string;
  status: SendStatus;
  /** Absent for email (records written before SMS existed have none either). */
  channel?: Channel;
  segments?: number;
  clickedLinks?: Set<number> | number[];
  messageId?: string;
  error?: string;
  reason?: string;
  locale?: string;
  /** The recipient's coupon, when the campaign has an offer. */
  couponCode?: string;
  claimedAt: string;
  settledAt?: string;
}

/** Per-recipient moments recorded on the send record, first occurrence only. */
export type RecipientMark =
  | 'deliveredAt'
  | 'bouncedAt'
  | 'complainedAt'
  | 'unsubscribedAt'
  | 'openedAt'
  | 'machineOpenedAt'
  | 'clickedAt'
  | 'machineClickedAt'
  | 'couponViewedAt'
  | 'couponPrintedAt'
  | 'redeemedAt'
  /** An SMS's final receipt carried its price: counted once. */
  | 'billedAt';
