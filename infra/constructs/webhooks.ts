import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { key } from '../../functions/adapters/dynamo/table';
import { DELIVERY_LEASE_SECONDS, DELIVERY_TIMEOUT_MS } from '../../functions/domain/webhooks/webhook';
import type { WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../function';
import type { Data } from './data';
import { type QueueWithDeadLetters, queueWithDeadLetters, workerFunction } from './workers';

export interface WebhooksProps {
  /** Where the deliverer reads the endpoints and writes the deliveries log. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
}

/**
 * Longest run of the deliverer: a batch of deliveries is made in parallel, each request given
 * DELIVERY_TIMEOUT_MS (10 s) to answer, plus the log's conditional writes and the requeued retries.
 * It must end before an attempt's lease (DELIVERY_LEASE_SECONDS, 60 s) does: an attempt still in
 * flight when its lease is over could be made a second time by another deliverer.
 */
export const DELIVERER_TIMEOUT = Duration.seconds(30);
/** Deliveries a deliverer receives per invocation. */
const DELIVERY_BATCH_SIZE = 10;
/**
 * Deliverers running at once (the event source's MaximumConcurrency; 2 is its minimum): at most
 * 2 × 10 requests in flight, so that a campaign's burst of events does not flood a small receiver.
 */
const DELIVERER_CONCURRENCY = 2;

/**
 * Outgoing webhooks: what marketers' endpoints hear of their messages.
 *
 * The endpoints are registered through the API (`webhooks`, built by `Api`). The functions that see
 * events (the **publishers**: sender, ses-events, sms-events, engagement aggregator, the unsubscribe
 * page, redemptions) list the endpoints (gsi1, which their access to the main table covers) and put
 * one delivery per (endpoint, event) on the **webhook queue**; `addPublisher` tells them where and
 * lets them. The **webhook-deliverer** makes one attempt per message, claimed and settled on the
 * deliveries log with conditional writes, and puts its own retries back on the same queue with their
 * backoff delay. A message that keeps failing (the log cannot be written) is parked, after five
 * receives, in the **dead-letter queue** for two weeks.
 *
 * The deliverer touches webhook items only: GetItem and UpdateItem, held by IAM to the partitions
 * `WEBHOOK#…` (the endpoints and their logs). It reads no keyring: each delivery is signed with its
 * endpoint's own secret. Plain `http://` endpoints (WEBHOOK_ALLOW_HTTP) are for the local stack
 * only: it is never set here.
 */
export class Webhooks extends Construct {
  /** One message per delivery attempt, and the dead-letter queue of those that keep failing. */
  public readonly deliveries: QueueWithDeadLetters;
  /** The workers, by handler file. */
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const { data } = props;
    if (DELIVERER_TIMEOUT.toSeconds() >= DELIVERY_LEASE_SECONDS) {
      throw new Error(
        `The webhook deliverer's timeout (${DELIVERER_TIMEOUT.toSeconds()} s) must end before an attempt's lease ` +
          `(${DELIVERY_LEASE_SECONDS} s)`,
      );
    }
    if (DELIVERER_TIMEOUT.toMilliseconds() < 2 * DELIVERY_TIMEOUT_MS) {
      throw new Error("The webhook deliverer's timeout must leave room for a request's own timeout");
    }

    this.deliveries = queueWithDeadLetters(this, 'Webhook', DELIVERER_TIMEOUT);
    const { queue } = this.deliveries;

    const deliverer = workerFunction(this, 'webhook-deliverer', props.environment, {
      timeout: DELIVERER_TIMEOUT,
      environment: { WEBHOOK_QUEUE_URL: queue.queueUrl },
    });
    data.grantMainTable(deliverer, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], {
      leadingKeys: [key.webhook('*').pk],
    });
    queue.grantSendMessages(deliverer);
    deliverer.addEventSource(
      new SqsEventSource(queue, {
        batchSize: DELIVERY_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: DELIVERER_CONCURRENCY,
      }),
    );

    this.functions = new Map<WorkerName, RelanceFunction>([['webhook-deliverer', deliverer]]);
  }

  /**
   * Lets a function that sees events publish them: it is told the queue (WEBHOOK_QUEUE_URL) and may
   * send to it. Listing the endpoints is a Query on gsi1, which its access to the main table must
   * already include.
   */
  addPublisher(fn: RelanceFunction): void {
    fn.addEnvironment('WEBHOOK_QUEUE_URL', this.deliveries.queue.queueUrl);
    this.deliveries.queue.grantSendMessages(fn);
  }
}
