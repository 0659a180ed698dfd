import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock, Ids, MetricSink, WorkQueue } from '../shared/ports';
import type { WebhookRepository } from './ports';
import {
  DELIVERY_LEASE_SECONDS,
  generateWebhookSecret,
  publicWebhook,
  queueDelay,
  retryDelay,
  SIGNATURE_HEADER,
  sign,
  type WebhookDeliveryJob,
  type WebhookInput,
  type WebhookSubscription,
  webhookBody,
} from './webhook';

/** An endpoint as returned once, at registration: the only time its signing secret is shown. */
export type CreatedWebhook = ReturnType<typeof publicWebhook> & { secret: string };

export async function registerWebhook(
  deps: { webhooks: Pick<WebhookRepository, 'create'>; clock: Clock; ids: Ids },
  input: WebhookInput,
): Promise<CreatedWebhook> {
  const sub: WebhookSubscription = {
    id: deps.ids.next('wh'),
    url: input.url,
    events: input.events,
    ...(input.description ? { description: input.description } : {}),
    secret: generateWebhookSecret(),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.webhooks.create(sub);
  return { ...publicWebhook(sub), secret: sub.secret };
}

/** Sends one request; an answer gives its status, no answer (timeout, refused) its reason. Never throws. */
export type WebhookPoster = (
  url: string,
  body: string,
  headers: Record<string, string>,
) => Promise<{ status: number } | { error: string }>;

export interface DeliveryDeps {
  webhooks: WebhookRepository;
  webhookQueue: WorkQueue<WebhookDeliveryJob>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  post: WebhookPoster;
  /** Seconds to wait after each failed attempt (WEBHOOK_BACKOFF_SECONDS). */
  backoffSeconds: readonly number[];
  random?: () => number;
  /** Failed attempts are counted (WebhookFailures). */
  metrics?: MetricSink;
}

export type DeliveryResult = 'delivered' | 'retrying' | 'failed' | 'waiting' | 'skipped';

/**
 * Makes one attempt at one delivery, and arranges the next. The attempt is
 * claimed on the deliveries log first (one conditional write), so a
 * duplicated queue message finds it taken and sends nothing; a delivery that
 * ended — delivered or failed — is never attempted again. A 2xx answer
 * delivers; anything else schedules the next attempt on the queue (after the
 * backoff delay; waits past SQS's 15-minute limit hop until due) or, past the
 * last attempt, fails the delivery.
 *
 * The guarantee is at least once: a worker that dies between the receiver's
 * answer and the write recording it leaves the attempt claimed, and once the
 * lease runs out the queue's redelivery makes it again. Receivers dedupe with
 * `Relance-Delivery`, which every attempt of a delivery shares.
 */
export async function deliverWebhook(deps: DeliveryDeps, job: WebhookDeliveryJob): Promise<DeliveryResult> {
  const started = deps.clock.now();
  if (job.notBefore && Date.parse(job.notBefore) > started.getTime()) {
    const wait = Math.ceil((Date.parse(job.notBefore) - started.getTime()) / 1000);
    await deps.webhookQueue.enqueue([job], queueDelay(wait, started).delaySeconds);
    return 'waiting';
  }
  const sub = await deps.webhooks.get(job.subscriptionId);
  if (!sub) {
    deps.logger.info('Webhook endpoint deleted: delivery dropped', {
      subscriptionId: job.subscriptionId,
      deliveryId: job.deliveryId,
    });
    return 'skipped';
  }
  const ref = { subscriptionId: sub.id, deliveryId: job.deliveryId, eventAt: job.event.at };
  const e = job.event;
  const claimed = await deps.webhooks.claimAttempt(
    ref,
    job.attempt,
    {
      eventId: e.id,
      type: e.type,
      campaignId: e.campaignId,
      contactId: e.contactId,
      ...(e.channel ? { channel: e.channel } : {}),
    },
    started.toISOString(),
    new Date(started.getTime() - DELIVERY_LEASE_SECONDS * 1000).toISOString(),
  );
  if (!claimed) {
    const d = await deps.webhooks.getDelivery(ref);
    const over =
      !d ||
      d.status === 'delivered' ||
      d.status === 'failed' ||
      d.attempts > job.attempt ||
      (d.attempts === job.attempt && d.status === 'retrying');
    if (over) return 'skipped';
    // The previous attempt, or this one, is in flight in another worker: the queue brings this back later.
    throw new Error(`Webhook delivery ${job.deliveryId} attempt ${job.attempt} is in flight elsewhere`);
  }

  const body = webhookBody(e);
  const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
  const answer = await deps.post(sub.url, body, {
    'content-type': 'application/json',
    'user-agent': 'Relance-Webhooks/1',
    [SIGNATURE_HEADER]: sign(sub.secret, timestamp, body),
    'Relance-Event': e.type,
    'Relance-Delivery': job.deliveryId,
  });
  const at = deps.clock.now();
  const httpStatus = 'status' in answer ? answer.status : undefined;
  const log = { subscriptionId: sub.id, deliveryId: job.deliveryId, attempt: job.attempt, httpStatus };
  if (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300) {
    await settle(deps, ref, job.attempt, { status: 'delivered', at: at.toISOString(), httpStatus });
    deps.logger.info('Webhook delivered', log);
    return 'delivered';
  }
  const error = 'error' in answer ? answer.error : `HTTP ${httpStatus}`;
  deps.metrics?.count('WebhookFailures', 1);
  const delay = retryDelay(job.attempt, deps.backoffSeconds, deps.random);
  if (delay === undefined) {
    await settle(deps, ref, job.attempt, {
      status: 'failed',
      at: at.toISOString(),
      error,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    });
    deps.logger.warn('Webhook delivery failed after its last attempt', { ...log, error });
    return 'failed';
  }
  // The next attempt is queued before this one is recorded: if recording fails, the queue retries
  // this message, and the next attempt waits (in flight elsewhere) until the record says `retrying`.
  const next = queueDelay(delay, at);
  const { notBefore: _previous, ...rest } = job;
  await deps.webhookQueue.enqueue(
    [{ ...rest, attempt: job.attempt + 1, ...(next.notBefore ? { notBefore: next.notBefore } : {}) }],
    next.delaySeconds,
  );
  await settle(deps, ref, job.attempt, {
    status: 'retrying',
    at: at.toISOString(),
    error,
    nextAttemptAt: new Date(at.getTime() + delay * 1000).toISOString(),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
  });
  deps.logger.info('Webhook attempt failed: retrying', { ...log, error, delaySeconds: delay });
  return 'retrying';
}

async function settle(
  deps: DeliveryDeps,
  ref: Parameters<WebhookRepository['settleAttempt']>[0],
  attempt: number,
  outcome: Parameters<WebhookRepository['settleAttempt']>[2],
): Promise<void> {
  if (!(await deps.webhooks.settleAttempt(ref, attempt, outcome))) {
    // Only a worker that outlived its lease gets here: another took the attempt over, and its record stands.
    deps.logger.warn('Webhook attempt outcome not recorded: the attempt was taken over', {
      deliveryId: ref.deliveryId,
      attempt,
      status: outcome.status,
    });
  }
}
