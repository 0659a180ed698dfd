import type { Logger } from '@aws-lambda-powertools/logger';
import type { WorkQueue } from '../domain/shared/ports';
import type { EventPublisher } from '../domain/webhooks/ports';
import type { WebhookEvent } from '../domain/webhooks/webhook';
import {
  deliveryId,
  eventId,
  type WebhookDeliveryJob,
  type WebhookSubscription,
} from '../domain/webhooks/webhook';

/**
 * The publisher the functions that see events use: for each event, one
 * delivery job per endpoint subscribed to its type, on the webhook queue (SQS
 * in AWS). The endpoints are read from a per-instance cache (a minute old at
 * most), so publishing costs no read on most calls and nothing at all is
 * queued when no endpoint wants the event. It never throws: a webhook that
 * cannot be queued is logged, and the caller's work stands.
 */
export class WebhookPublisher implements EventPublisher {
  constructor(
    private readonly subscriptions: { active(): Promise<WebhookSubscription[]> },
    private readonly queue: WorkQueue<WebhookDeliveryJob>,
    private readonly logger: Pick<Logger, 'error'>,
  ) {}

  async publish(events: WebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const subs = await this.subscriptions.active();
      const jobs: WebhookDeliveryJob[] = [];
      for (const event of events) {
        const id = eventId(event);
        for (const sub of subs) {
          if (!sub.events.includes(event.type)) continue;
          jobs.push({
            deliveryId: deliveryId(sub.id, id),
            subscriptionId: sub.id,
            attempt: 1,
            event: { ...event, id },
          });
        }
      }
      if (jobs.length > 0) await this.queue.enqueue(jobs);
    } catch (err) {
      this.logger.error('Webhook events could not be queued', {
        error: err as Error,
        events: events.map((e) => ({ type: e.type, campaignId: e.campaignId, contactId: e.contactId })),
      });
    }
  }
}
