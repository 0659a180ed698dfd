import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../function';
import type { Data } from './data';
import {
  acknowledgeListStreams,
  acknowledgeOnFailureDestination,
  secureQueue,
  workerFunction,
} from './workers';

export interface CouponsProps {
  /** Where the worker reads and writes, and whose stream it reads. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
}

/** Coupon changes the redemptions worker receives per invocation, at most. */
const REDEMPTIONS_BATCH_SIZE = 25;
/** Retries of a failing batch of stream records (halved at each failure) before it is given up. */
const REDEMPTIONS_RETRY_ATTEMPTS = 5;
/**
 * Longest run of the redemptions worker: a batch of 25 changes, each a handful of single-item
 * writes (the purchase, the contact's counters, the send record's mark, a counter shard), with the
 * SDK's backoff when the table throttles. A stream consumer has no visibility timeout to keep in step.
 */
const REDEMPTIONS_TIMEOUT = Duration.seconds(60);

/**
 * What a coupon redeemed at the till becomes: the response channel's side of a campaign.
 *
 * The till API (`coupons`) and the printable coupon (`coupon-pages`) are HTTP functions, built by
 * `Api` from the route table. What is here is the asynchronous part: the **redemptions** worker
 * reads the main table's stream, filtered to changes of coupon items, and turns a redemption into a
 * purchase of the contact in its channel (so that segments see the customer came back) and into the
 * campaign's counters, once; an undone redemption is taken back out of the counts.
 *
 * It is a construct of its own rather than a worker of `Sending`: it reads the main table's stream,
 * not the sending pipeline's queues or events, and it is where the response channel grows (a web
 * shop's or a phone order's redemptions go through the same stream).
 */
export class Coupons extends Construct {
  /**
   * Where the redemptions worker reports the stream records it gave up on: not the records
   * themselves but where they are in the main table's stream (shard, sequence numbers), to be read
   * from there within the stream's 24 hours, or from the coupon items themselves (their history).
   */
  public readonly redemptionsDeadLetterQueue: sqs.Queue;
  /** The workers, by handler file. */
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;

  constructor(scope: Construct, id: string, props: CouponsProps) {
    super(scope, id);
    const { data } = props;

    this.redemptionsDeadLetterQueue = secureQueue(this, 'RedemptionsDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
    });
    acknowledgeOnFailureDestination(this.redemptionsDeadLetterQueue, 'redemptions worker');

    // It records purchases and the contact's counters, marks the recipient's send record and
    // counts the campaign's redemptions, all in the main table; recording a purchase goes through
    // the same contact service as the purchases API, which may check the keyed hashes of suppressed
    // addresses, hence the keyring.
    const redemptions = workerFunction(this, 'redemptions', props.environment, {
      timeout: REDEMPTIONS_TIMEOUT,
    });
    data.grantMainTable(redemptions, 'readWrite');
    data.keyring.grantRead(redemptions);

    // Only changes of coupon items reach it: a redemption or a void is an UpdateItem (MODIFY) of an
    // item whose `type` is `coupon`. Issuing a coupon (INSERT) changes nothing to count, and the
    // rest of the table's traffic (contacts, send records, counters) is filtered out by Lambda
    // before any invocation, at no cost.
    // It starts at the oldest record of the stream (TRIM_HORIZON) rather than at the newest: the
    // deployment that enables the stream also deploys the till API, which may redeem coupons before
    // the mapping exists; LATEST would skip those redemptions for good. Reading the stream's last
    // 24 hours again, when the mapping is created or replaced, counts nothing twice: the purchase's
    // id derives from the store, the coupon and the receipt, and the send record's `redeemedAt`
    // mark guards the counters.
    // The handler applies a batch in order and throws on the first failure; every change is
    // idempotent, so the whole batch is retried (no partial batch response), halved at each failure
    // to isolate a poison record, five times, then reported to the dead-letter queue (two weeks).
    redemptions.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: REDEMPTIONS_BATCH_SIZE,
        bisectBatchOnError: true,
        retryAttempts: REDEMPTIONS_RETRY_ATTEMPTS,
        reportBatchItemFailures: false,
        onFailure: new SqsDlq(this.redemptionsDeadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('MODIFY'),
            dynamodb: { NewImage: { type: { S: FilterRule.isEqual('coupon') } } },
          }),
        ],
      }),
    );
    acknowledgeListStreams(redemptions, 'main table');

    this.functions = new Map<WorkerName, RelanceFunction>([['redemptions', redemptions]]);
  }
}
