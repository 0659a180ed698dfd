import type {
  DeliveryRef,
  DeliveryStatus,
  WebhookDelivery,
  WebhookEvent,
  WebhookSubscription,
} from './webhook';

/** Hands events to the webhook deliveries; never blocks or fails the work that produced them. */
export interface EventPublisher {
  publish(events: WebhookEvent[]): Promise<void>;
}

/** Webhook endpoints and the log of what was delivered to them. */
export interface WebhookRepository {
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
