import type { Channel } from '../contacts/contact';

export interface MessageEvent {
  messageId: string;
  type: string;
  at: string;
  campaignId?: string;
  contactId?: string;
  detail?: Record<string, unknown>;
}

/** A raw open, click or page event, kept in the events table until its TTL. */
export interface EngagementEvent {
  campaignId: string;
  contactId: string;
  kind: 'open' | 'click';
  at: string;
  /** Why it was counted as a machine's, if it was. */
  machine?: string;
  link?: number;
  url?: string;
  /** The HTTP request that carried it: a retried request is written once. */
  requestId: string;
  /** The message it came from, when not an email (a short link in an SMS). */
  channel?: Channel;
  userAgent?: string;
}
