import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../function';
import type { Data } from './data';
import {
  acknowledgeListStreams,
  acknowledgeOnFailureDestination,
  type QueueWithDeadLetters,
  queueWithDeadLetters,
  secureQueue,
  type WorkerOptions,
  workerFunction,
} from './workers';

export type { QueueWithDeadLetters } from './workers';

export interface SendingProps {
  /** Where the workers read and write. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
  /**
   * The SES identity the sender may send as: a verified domain (`shop.example`) or address
   * (`news@shop.example`). It is not created here: the retailer usually has it verified already,
   * with its DNS records, and a stack must not own (and delete) it.
   */
  readonly senderIdentity: string;
  /** Shown in every email's footer (COMPANY_NAME, COMPANY_ADDRESS). */
  readonly company: { readonly name: string; readonly address: string };
  /** The send queue event source's maximum concurrency: how many senders run at once (2 to 1000). */
  readonly sendConcurrency: number;
  /** Emails per second of one sender (SEND_RATE_PER_SECOND); the whole rate is this times `sendConcurrency`. */
  readonly sendRatePerSecond: number;
  /**
   * SMS per second of one sender (SMS_RATE_PER_SECOND); the whole rate is this times
   * `sendConcurrency`.
   * @default 0.5: with two senders, one SMS a second, the default throughput of one phone number
   */
  readonly smsRatePerSecond?: number;
  /**
   * The global frequency cap, `messages/days` (`2/7`), that the sender enforces (FREQUENCY_CAP).
   * @default no cap
   */
  readonly frequencyCap?: string;
}

/** Longest run of a planner or a sender: one page of a segment, or one batch of jobs. */
const WORKER_TIMEOUT = Duration.seconds(60);
/** Send jobs a sender receives per invocation. */
const SEND_BATCH_SIZE = 4;
/**
 * Share of the sender's timeout that pacing one batch may take. The rest absorbs the DynamoDB
 * calls, the in-process retries of throttled calls (with backoff) and a cold start: a sender that
 * times out halfway through a batch leaves the recipients it had claimed neither sent nor failed.
 */
const SEND_TIME_BUDGET = 0.5;
/** Raw opens and clicks the engagement aggregator receives per invocation, at most. */
const ENGAGEMENT_BATCH_SIZE = 100;
/** How long the aggregator's event source gathers a batch: a burst of opens then costs one counter update. */
const ENGAGEMENT_BATCHING_WINDOW = Duration.seconds(2);
/** Retries of a failing batch of stream records (halved at each failure) before it is given up. */
const ENGAGEMENT_RETRY_ATTEMPTS = 5;
/** The SES events the configuration set publishes; opens and clicks go through our own links. */
const PUBLISHED_EVENTS = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.RENDERING_FAILURE,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];

/**
 * How a campaign goes out through SES v2, and how we hear back.
 *
 * `POST /v1/campaigns/{id}/send` puts one message on the **plan queue**; the **planner** turns each
 * plan message into one page of the segment's recipients, split into jobs on the **send queue**,
 * plus the plan message of the next page. The **sender** renders each job's messages (Liquid
 * only: the MJML was compiled when the campaign was created, so mjml is not in its bundle) and
 * calls SES `SendEmail` through the **configuration set**, whose events (delivery, bounce,
 * complaint...) reach the **ses-events** function through EventBridge. Opens and clicks come
 * through our own links: the **engagement-aggregator** counts them from the events table's stream.
 *
 * The sending rate is bounded by construction, not by hope: at most `sendConcurrency` senders run
 * at once (the event source's MaximumConcurrency) and each paces itself at `sendRatePerSecond`
 * (a token bucket), so SES never sees more than their product. The defaults, 2 × 0.5 = 1 email a
 * second, fit a new SES account; raise them as SES raises the account's quota. SMS are paced the
 * same way, at `smsRatePerSecond`: the default, 2 × 0.5 = 1 SMS a second, is End User Messaging's
 * default throughput for one number (one message part a second); raise it with the pool's numbers.
 */
export class Sending extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  /** One message per page of a campaign's segment still to plan. */
  public readonly plan: QueueWithDeadLetters;
  /** One message per job: a campaign and up to RECIPIENTS_PER_JOB contacts. */
  public readonly send: QueueWithDeadLetters;
  /** Where SES events that could not be recorded end up, whether EventBridge or the function failed. */
  public readonly sesEventsDeadLetterQueue: sqs.Queue;
  /**
   * Where the engagement aggregator reports the stream records it gave up on: not the records
   * themselves but where they are in the events table's stream (shard, sequence numbers), to be
   * read from there, within the stream's 24 hours, or from the events table itself.
   */
  public readonly engagementDeadLetterQueue: sqs.Queue;
  /** The workers, by handler file. */
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;
  /** Contacts per send job, sized so that a batch of jobs fits in the sender's timeout. */
  public readonly recipientsPerJob: number;
  private readonly environment: Record<string, string>;
  private readonly senderIdentity: string;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    const { data, sendConcurrency, sendRatePerSecond, smsRatePerSecond = 0.5 } = props;
    this.environment = props.environment;
    this.senderIdentity = props.senderIdentity;
    if (!Number.isInteger(sendConcurrency) || sendConcurrency < 2 || sendConcurrency > 1000) {
      throw new Error(`sendConcurrency must be an integer from 2 to 1000, got ${sendConcurrency}`);
    }
    if (!(sendRatePerSecond > 0)) {
      throw new Error(`sendRatePerSecond must be a positive number, got ${sendRatePerSecond}`);
    }
    if (!(smsRatePerSecond > 0)) {
      throw new Error(`smsRatePerSecond must be a positive number, got ${smsRatePerSecond}`);
    }
    // A batch of jobs must be sendable, at the paced rate, well within the sender's timeout. A job is
    // one campaign, hence one channel: the slower of the two rates sizes it.
    const [slowest, slowestRate] =
      smsRatePerSecond < sendRatePerSecond
        ? ['smsRatePerSecond', smsRatePerSecond]
        : ['sendRatePerSecond', sendRatePerSecond];
    this.recipientsPerJob = Math.min(
      100,
      Math.floor((WORKER_TIMEOUT.toSeconds() * slowestRate * SEND_TIME_BUDGET) / SEND_BATCH_SIZE),
    );
    if (this.recipientsPerJob < 1) {
      throw new Error(
        `${slowest} ${slowestRate} is too low: a batch of ${SEND_BATCH_SIZE} one-recipient jobs ` +
          `would not fit in the sender's ${WORKER_TIMEOUT.toSeconds()} s timeout`,
      );
    }

    // The SES configuration set every campaign email is sent through: TLS to the receiving server
    // is required (a message is not sent in clear text), and bounce and complaint rates are
    // tracked, as SES needs them to keep the account in good standing.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      // SES Virtual Deliverability Manager's engagement tracking for these emails (-c vdmEngagement=true;
      // VDM is billed per email and must be turned on for the account first).
      ...(String(Stack.of(this).node.tryGetContext('vdmEngagement') ?? '') === 'true'
        ? { vdmOptions: { engagementMetrics: true } }
        : {}),
    });
    const configurationSetName = this.configurationSet.configurationSetName;

    // Its events go to the account's default event bus, the only one SES publishes to; they carry
    // the message's tags (campaign, contact) and the configuration set's name.
    this.configurationSet.addEventDestination('EventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: PUBLISHED_EVENTS,
    });

    // SES events we failed to record, kept two weeks for an operator to replay: a lost bounce or
    // complaint would let us mail an address that must never be mailed again.
    this.sesEventsDeadLetterQueue = this.queue('SesEventsDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
    });

    // The function that records SES events: the events table (raw events, TTL), the campaign's
    // statistics and, for hard bounces and complaints, the keyed-hash suppression (hence the keyring).
    // EventBridge invokes it asynchronously: Lambda retries a failed invocation twice, then parks
    // the event in the dead-letter queue.
    const sesEvents = this.worker('ses-events', {
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      deadLetterQueue: this.sesEventsDeadLetterQueue,
    });
    data.grantMainTable(sesEvents, 'readWrite');
    data.eventsTable.grants.actions(sesEvents, 'dynamodb:PutItem');
    data.keyring.grantRead(sesEvents);

    // The rule feeding it: SES events of this configuration set only, not those of other
    // applications of the account. EventBridge retries a failed delivery for a day, then parks it.
    new events.Rule(this, 'SesEventsRule', {
      description: 'SES events of the Relance configuration set, to the ses-events function',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
      targets: [
        new targets.LambdaFunction(sesEvents, {
          deadLetterQueue: this.sesEventsDeadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // Opens and clicks. The tracking function only verifies the token and writes the raw event to
    // the events table; the engagement aggregator reads the new events from the table's stream and
    // turns them into the recipients' first-time marks (on their send records, in the main table)
    // and the campaign's counters, summed per campaign and written once per batch. It claims each
    // raw event with a conditional UpdateItem before counting it, so a record the stream delivers
    // again (a retried batch, a replay) is counted once.
    // Only inserts of opens and clicks reach it: the events table also holds SES message events,
    // which have no `kind`, and the claims themselves (MODIFY) and TTL expiries (REMOVE) go through
    // the same stream.
    // It starts at the oldest record of the stream (TRIM_HORIZON) rather than at the newest: the
    // deployment that enables the stream also switches the tracking function to writing raw events
    // only, and may do so before the mapping exists; LATEST would skip, for good, the opens and
    // clicks written in between. Reading the stream's last 24 hours again, when the mapping is
    // created or replaced, costs a failed claim per event and counts nothing twice.
    // A failing batch is halved and retried, five times, then given up and reported to the dead-letter
    // queue (kept two weeks); a batch that succeeds may still name the records it failed on.
    this.engagementDeadLetterQueue = this.queue('EngagementDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
    });
    acknowledgeOnFailureDestination(this.engagementDeadLetterQueue, 'engagement aggregator');
    const aggregator = this.worker('engagement-aggregator', { timeout: WORKER_TIMEOUT });
    data.grantMainTable(aggregator, 'readWrite');
    data.eventsTable.grants.actions(aggregator, 'dynamodb:UpdateItem');
    aggregator.addEventSource(
      new DynamoEventSource(data.eventsTable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: ENGAGEMENT_BATCH_SIZE,
        maxBatchingWindow: ENGAGEMENT_BATCHING_WINDOW,
        bisectBatchOnError: true,
        retryAttempts: ENGAGEMENT_RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.engagementDeadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { kind: { S: FilterRule.or('open', 'click') } } },
          }),
        ],
      }),
    );
    acknowledgeListStreams(aggregator, 'events table');

    // The plan queue and its dead-letter queue.
    this.plan = this.workQueue('Plan');
    // The send queue and its dead-letter queue.
    this.send = this.workQueue('Send');

    // The planner: one plan message (one page of the segment) per invocation. It reads contacts and
    // campaigns, saves the campaign's cursor, and enqueues send jobs and the next page.
    const planner = this.worker('planner', {
      timeout: WORKER_TIMEOUT,
      environment: {
        PLAN_QUEUE_URL: this.plan.queue.queueUrl,
        SEND_QUEUE_URL: this.send.queue.queueUrl,
        RECIPIENTS_PER_JOB: String(this.recipientsPerJob),
      },
    });
    data.grantMainTable(planner, 'readWrite');
    // A holdout is drawn with a keyed hash.
    data.keyring.grantRead(planner);
    this.plan.queue.grantSendMessages(planner);
    this.send.queue.grantSendMessages(planner);
    planner.addEventSource(
      new SqsEventSource(this.plan.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    // The sender: batches of jobs, with at most `sendConcurrency` instances at once, each paced at
    // `sendRatePerSecond` emails or `smsRatePerSecond` SMS a second. A failed job is reported alone
    // (partial batch response) and retried; a job that cannot be sent yet (throttling, paused
    // campaign, quiet hours) goes back on the queue with a delay.
    // It signs each message's links (keyring), writes the short links of SMS and suppresses the
    // numbers the provider reports opted out (main table), and may send email as the identity,
    // through the configuration set, and nothing else; what it may do with SMS is `Sms`'s business.
    // It takes the AWS SDK from the Node.js 22 runtime: on this hot path a small package (a fast
    // cold start for every new concurrent instance) matters more than pinning the SDK's version.
    const sender = this.worker('sender', {
      timeout: WORKER_TIMEOUT,
      runtimeSdk: true,
      environment: {
        SEND_QUEUE_URL: this.send.queue.queueUrl,
        SES_CONFIGURATION_SET: configurationSetName,
        SEND_RATE_PER_SECOND: String(sendRatePerSecond),
        SMS_RATE_PER_SECOND: String(smsRatePerSecond),
        COMPANY_NAME: props.company.name,
        COMPANY_ADDRESS: props.company.address,
        ...(props.frequencyCap ? { FREQUENCY_CAP: props.frequencyCap } : {}),
      },
    });
    data.grantMainTable(sender, 'readWrite');
    data.keyring.grantRead(sender);
    this.send.queue.grantSendMessages(sender);
    sender.addEventSource(
      new SqsEventSource(this.send.queue, {
        batchSize: SEND_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: sendConcurrency,
      }),
    );
    this.grantSendEmail(sender);

    this.functions = new Map<WorkerName, RelanceFunction>([
      ['planner', planner],
      ['sender', sender],
      ['ses-events', sesEvents],
      ['engagement-aggregator', aggregator],
    ]);
  }

  /**
   * Lets a function send email as the sending identity, through the configuration set, and nothing
   * else: SES v2 SendEmail is authorised against both. The sender sends campaigns so; the sign-up
   * function its double opt-in emails.
   */
  grantSendEmail(fn: RelanceFunction): void {
    const sesArn = (resource: 'identity' | 'configuration-set', resourceName: string) =>
      Stack.of(this).formatArn({
        service: 'ses',
        resource,
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['ses:SendEmail'],
      resourceArns: [
        sesArn('identity', this.senderIdentity),
        sesArn('configuration-set', this.configurationSet.configurationSetName),
      ],
    });
  }

  /** A worker function (`ses-events` → `SesEventsFunction`), with the shared environment plus its own. */
  private worker(name: WorkerName, options: WorkerOptions): RelanceFunction {
    return workerFunction(this, name, this.environment, options);
  }

  /** An encrypted queue that refuses requests without TLS. */
  private queue(id: string, props: sqs.QueueProps = {}): sqs.Queue {
    return secureQueue(this, id, props);
  }

  /**
   * A work queue consumed by a worker with the standard timeout, and its dead-letter queue: a
   * message received five times without success is parked there for two weeks.
   */
  private workQueue(name: string): QueueWithDeadLetters {
    return queueWithDeadLetters(this, name, WORKER_TIMEOUT);
  }
}
