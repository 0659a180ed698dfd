import { fetchPoster } from '../adapters/webhook-http';
import { type AppDeps, defaultDeps } from '../deps';
import { type DeliveryDeps, deliverWebhook } from '../domain/webhooks/delivery';
import { DELIVERY_TIMEOUT_MS, webhookJobSchema } from '../domain/webhooks/webhook';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';

/**
 * SQS worker: one attempt at one webhook delivery per message (see
 * deliverWebhook). It queues its own retries, with their backoff delay, on
 * the same queue; a record that throws (the log could not be written, an
 * attempt still in flight elsewhere) comes back after the visibility timeout.
 */
export function makeHandler(deps: AppDeps) {
  const deliveryDeps: DeliveryDeps = {
    webhooks: deps.webhooks,
    webhookQueue: deps.webhookQueue,
    clock: deps.clock,
    logger: deps.logger,
    post: fetchPoster(DELIVERY_TIMEOUT_MS),
    backoffSeconds: deps.config.WEBHOOK_BACKOFF_SECONDS,
  };
  return sqsJobHandler('webhook', webhookJobSchema, deps.logger, (job) => deliverWebhook(deliveryDeps, job));
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
