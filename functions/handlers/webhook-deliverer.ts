import { type AppDeps, defaultDeps } from '../deps';
import { deliverWebhook } from '../domain/webhooks/delivery';
import { webhookJobSchema } from '../domain/webhooks/webhook';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';
import { deliveryDeps } from '../wiring/webhooks';

/**
 * SQS worker: one attempt at one webhook delivery per message (see
 * deliverWebhook). It queues its own retries, with their backoff delay, on
 * the same queue; a record that throws (the log could not be written, an
 * attempt still in flight elsewhere) comes back after the visibility timeout.
 */
export function makeHandler(deps: AppDeps) {
  const delivery = deliveryDeps(deps);
  return sqsJobHandler('webhook', webhookJobSchema, deps.logger, (job) => deliverWebhook(delivery, job));
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
