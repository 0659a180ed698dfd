/**
 * The interfaces the domain needs from the outside world. Each is small and
 * named for its use; adapters implement them over DynamoDB, SES and friends,
 * and tests implement them over local emulators.
 */

import type { Automation, AutomationRun, AutomationStatus } from './domain/automations/automation';
import type {
  Campaign,
  CampaignContent,
  CampaignCounts,
  CampaignStatus,
  SendStatus,
} from './domain/campaigns/campaign';
import type { CountedMessage, FrequencyCap } from './domain/campaigns/frequency';
import type { Channel, Contact } from './domain/contacts/contact';
import type { Coupon, Redemption } from './domain/coupons/coupon';
import type { ApiKeyRecord } from './domain/keys/api-keys';
import type { Purchase } from './domain/purchases/purchase';
import type { ShortLink } from './domain/sms/short-links';
import type { Store } from './domain/stores/store';
import type { DeliveryStatus, WebhookDelivery, WebhookSubscription } from './domain/webhooks/webhook';

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** A new unique, roughly time-ordered id with a readable prefix (`c_…`, `k_…`). */
  next(prefix: string): string;
}

export interface ApiKeyStore {
  put(key: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes a key; false when there was no such key. */
  delete(id: string): Promise<boolean>;
}

export interface StoreDirectory {
  put(store: Store): Promise<void>;
  get(id: string): Promise<Store | undefined>;
  list(): Promise<Store[]>;
}

/** Unique identifiers (an email, a phone) each point at the one contact that owns them. */
export type IdentifierKind = 'email' | 'phone';

export interface ContactStore {
  /** `consistent`: a strongly consistent read (the sender, just before an SMS, must see a STOP of a moment ago). */
  get(id: string, opts?: { consistent?: boolean }): Promise<Contact | undefined>;
  getMany(ids: string[]): Promise<Map<string, Contact>>;
  ownerOf(kind: IdentifierKind, value: string): Promise<string | undefined>;
  ownersOf(kind: IdentifierKind, values: string[]): Promise<Map<string, string>>;
  /**
   * Claims an identifier for a contact with a conditional write and returns the
   * owner after the call: `contactId` when the claim succeeded or was already
   * held, another id when someone else holds it.
   */
  claim(kind: IdentifierKind, value: string, contactId: string): Promise<string>;
  /** Releases an identifier, only if `contactId` still owns it. */
  release(kind: IdentifierKind, value: string, contactId: string): Promise<void>;
  put(contact: Contact): Promise<void>;
  /** Replaces a contact only if nobody changed it since `expectedUpdatedAt`; false when someone did. */
  replace(contact: Contact, expectedUpdatedAt: string): Promise<boolean>;
  /**
   * One page of all contacts, in a stable order, from an opaque cursor: how
   * segments are evaluated without ever loading the whole base.
   */
  page(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; next?: string }>;
  /** Writes many contacts at once (bulk import); no condition, last writer wins. */
  putMany(contacts: Contact[]): Promise<void>;
  /** Deletes the contact and every item stored under it (purchases). */
  erase(id: string): Promise<void>;
  /** Counts a purchase on the contact once, however many times it is called with the same purchase. */
  applyPurchase(contactId: string, purchase: Purchase): Promise<void>;
}

export interface PurchaseStore {
  /** Records a purchase; `false` when a purchase with this id already exists. */
  create(purchase: Purchase): Promise<boolean>;
  get(contactId: string, purchaseId: string): Promise<Purchase | undefined>;
}

/**
 * Addresses that must never be messaged again on a channel, kept only as keyed
 * hashes so that erasing a contact does not erase its opt-out.
 */
export interface SuppressionList {
  suppressedChannels(ids: { email?: string; phone?: string }): Promise<Channel[]>;
  /** The same for many contacts in one round trip; the result is in the order of the input. */
  suppressedChannelsMany(ids: { email?: string; phone?: string }[]): Promise<Channel[][]>;
  suppress(ids: { email?: string; phone?: string }, reason: string): Promise<void>;
}

export interface CampaignStore {
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
    set?: Partial<Pick<Campaign, 'baseUrl' | 'pausedReason' | 'sendRequestedAt' | 'completedAt'>>,
  ): Promise<Campaign | undefined>;
  /**
   * Saves the planner's progress and adds what it counted, only if the cursor
   * is still the one it started from: a duplicate planning message counts nothing.
   */
  advancePlan(
    id: string,
    expectedCursor: string | undefined,
    plan: { cursor?: string; done: boolean },
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
    status: 'claimed' | 'skipped',
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
}

/** Raw events about sent messages, each recorded once (the events table). */
export interface EventLog {
  /** Records an event; false when the same event (message, type) was recorded before. */
  recordOnce(event: MessageEvent): Promise<boolean>;
}

export interface MessageEvent {
  messageId: string;
  type: string;
  at: string;
  campaignId?: string;
  contactId?: string;
  detail?: Record<string, unknown>;
}

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

/** A channel-neutral outbound email, as the sender hands it to a provider. */
export interface OutboundEmail {
  to: string;
  from: string;
  replyTo?: string[];
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** Provider tags that come back on delivery, bounce and complaint events. */
  tags: Record<string, string>;
}

/**
 * Why a provider call failed, which decides what happens next: `throttled`
 * and `transient` are retried later, `permanent` fails this recipient only,
 * `fatal` (the account cannot send) pauses the campaign; `opted_out` (the
 * provider's opt-out list holds the number) skips the recipient and revokes
 * its SMS consent.
 */
export type SendFailureKind = 'throttled' | 'transient' | 'permanent' | 'fatal' | 'opted_out';

export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

export interface EmailMessenger {
  send(message: OutboundEmail): Promise<{ messageId: string }>;
}

/** One promotional text message, as the sender hands it to an SMS provider. */
export interface OutboundSms {
  /** E.164 phone number. */
  to: string;
  body: string;
  /** Passed through to the provider's delivery receipts (End User Messaging `Context`). */
  tags: Record<string, string>;
}

export interface SmsMessenger {
  send(message: OutboundSms): Promise<{ messageId: string }>;
}

/** One-time schedules that start scheduled campaigns (EventBridge Scheduler in AWS, a timer locally). */
export interface CampaignScheduler {
  /** Starts the campaign at `at`; scheduling again replaces the schedule. */
  schedule(campaignId: string, at: Date): Promise<void>;
  /** Removes the schedule; nothing happens when there is none. */
  cancel(campaignId: string): Promise<void>;
}

/** Automations, their daily runs, and who each has messaged (for its cooldown). */
export interface AutomationStore {
  create(automation: Automation): Promise<void>;
  get(id: string): Promise<Automation | undefined>;
  list(): Promise<Automation[]>;
  /** Moves an automation between active and paused (one conditional update); undefined when it was not in `from`. */
  setStatus(
    id: string,
    from: AutomationStatus,
    to: AutomationStatus,
    at: string,
  ): Promise<Automation | undefined>;
  /**
   * Claims a local day's run of an automation, once: true for the one caller that moved
   * `lastRunDay` to `day` (with `lastRunAt`), false when that day ran already.
   */
  claimRun(id: string, day: string, at: string): Promise<boolean>;
  /** Records a message (step) of a day's run; false when that step of that day already has a campaign. */
  claimStep(
    run: Pick<AutomationRun, 'automationId' | 'day' | 'at'>,
    step: number,
    campaignId: string,
  ): Promise<boolean>;
  /** The runs of an automation since `sinceDay` (inclusive), oldest first. */
  runs(id: string, sinceDay: string): Promise<AutomationRun[]>;
  /**
   * Records that the automation messaged a contact, unless it did within `cooldownDays` (by
   * another campaign): false then. The same campaign is admitted again (a retried send).
   */
  markMessaged(
    automationId: string,
    contactId: string,
    campaignId: string,
    at: string,
    cooldownDays: number,
  ): Promise<boolean>;
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

/** Short tracked links of SMS, by code. */
export interface ShortLinkStore {
  /** Stores a link once: false when the code is taken (by this same link on a retried send, or another). */
  create(link: ShortLink): Promise<boolean>;
  get(code: string): Promise<ShortLink | undefined>;
}

/** What marketers' webhooks may subscribe to. */
export const WEBHOOK_EVENTS = ['sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'redeemed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Something that happened to a message, for the marketers' webhooks. */
export interface WebhookEvent {
  type: WebhookEventType;
  at: string;
  campaignId: string;
  contactId: string;
  channel?: Channel;
  /** A few facts of the event (the link clicked, the store of a redemption…); never the contact's details. */
  data?: Record<string, string | number | boolean>;
}

/** Hands events to the webhook deliveries; never blocks or fails the work that produced them. */
export interface EventPublisher {
  publish(events: WebhookEvent[]): Promise<void>;
}

/** Where a delivery is logged: its endpoint, the event's time (newest first) and its id. */
export interface DeliveryRef {
  subscriptionId: string;
  deliveryId: string;
  eventAt: string;
}

/** Webhook endpoints and the log of what was delivered to them. */
export interface WebhookStore {
  create(subscription: WebhookSubscription): Promise<void>;
  get(id: string): Promise<WebhookSubscription | undefined>;
  /** Every endpoint, read now. */
  list(): Promise<WebhookSubscription[]>;
  /** Every endpoint as seen at most a minute ago (this instance's own changes at once): the publisher's view. */
  active(): Promise<WebhookSubscription[]>;
  /** False when there was no such endpoint. */
  delete(id: string): Promise<boolean>;
  /**
   * Claims attempt `attempt` of a delivery with one conditional write, creating
   * the log entry on the first: true when this caller may make the attempt —
   * the previous one ended `retrying`, or this one was claimed before
   * `leaseCutoff` and never settled (its worker died).
   */
  claimAttempt(
    ref: DeliveryRef,
    attempt: number,
    entry: Pick<WebhookDelivery, 'eventId' | 'type' | 'campaignId' | 'contactId' | 'channel'>,
    now: string,
    leaseCutoff: string,
  ): Promise<boolean>;
  /** Records how a claimed attempt ended, only if it is still the claimed one; false when it was not. */
  settleAttempt(
    ref: DeliveryRef,
    attempt: number,
    outcome: {
      status: Exclude<DeliveryStatus, 'sending'>;
      at: string;
      httpStatus?: number;
      error?: string;
      nextAttemptAt?: string;
    },
  ): Promise<boolean>;
  getDelivery(ref: DeliveryRef): Promise<WebhookDelivery | undefined>;
  /** One page of an endpoint's deliveries, newest event first. */
  deliveries(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: WebhookDelivery[]; next?: string }>;
}

/** A work queue (SQS in AWS, in-process locally). */
export interface WorkQueue<T> {
  enqueue(messages: T[], delaySeconds?: number): Promise<void>;
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

/**
 * Engagement bookkeeping: raw events, first-time marks on the send record
 * (unique counts, the per-recipient export) and per-campaign counters spread
 * over several items, so a hot campaign never leans on one partition.
 */
export interface EngagementStore {
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

/** Coupons by code: issued at send time, read and redeemed at the till. */
export interface CouponStore {
  /** Issues a coupon once: false when the code already exists (a retried send). */
  issue(coupon: Coupon): Promise<boolean>;
  get(code: string): Promise<Coupon | undefined>;
  /** The code of a recipient's coupon, if one was issued. */
  codeOf(campaignId: string, contactId: string): Promise<string | undefined>;
  /**
   * Redeems in one conditional update: only if the coupon is issued, valid now,
   * valid in this store and the basket reaches the minimum. Undefined when a
   * condition failed (the caller reads the coupon to say which).
   */
  redeem(code: string, redemption: Redemption, now: Date): Promise<Coupon | undefined>;
  /** Returns a redeemed coupon to issued, only if this store redeemed it with this receipt after `since`. */
  void(
    code: string,
    by: { storeId: string; receiptRef: string },
    since: string,
    now: Date,
  ): Promise<Coupon | undefined>;
  /** Counts a failed look-up for a store in the current minute and returns the count so far. */
  countFailedLookup(storeId: string, now: Date): Promise<number>;
  failedLookups(storeId: string, now: Date): Promise<number>;
}
