import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { WorkerName } from '../../functions/routes';
import { RelanceFunction, type RelanceFunctionProps } from '../function';

/**
 * What the constructs that own workers (queue and stream consumers) share: how a worker function
 * and a queue are built, and the one acknowledgement reading a DynamoDB stream takes.
 */

/** `contacts-import` → `ContactsImport`: stable, readable construct ids. */
export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

/** What a worker may set on top of the shared environment. */
export type WorkerOptions = Pick<
  RelanceFunctionProps,
  'environment' | 'timeout' | 'retryAttempts' | 'maxEventAge' | 'deadLetterQueue' | 'runtimeSdk' | 'assets'
>;

/** A worker function (`ses-events` → `SesEventsFunction`), with the shared environment plus its own. */
export function workerFunction(
  scope: Construct,
  name: WorkerName,
  environment: Record<string, string>,
  options: WorkerOptions = {},
): RelanceFunction {
  return new RelanceFunction(scope, `${pascalCase(name)}Function`, {
    handler: name,
    ...options,
    environment: { ...environment, ...options.environment },
  });
}

/** An encrypted queue that refuses requests without TLS. */
export function secureQueue(scope: Construct, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    ...props,
  });
}

/** Receives of a message before it is parked in its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/**
 * A queue's visibility timeout, in multiples of its consumer's timeout: AWS's advice for Lambda
 * event sources, so that the retries of a throttled invocation never make a message visible (and
 * processed twice) while a first invocation still holds it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** A work queue and the dead-letter queue that catches its poison messages. */
export interface QueueWithDeadLetters {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * A work queue (`<name>Queue`) whose consumer times out after `consumerTimeout`, and its dead-letter
 * queue (`<name>DeadLetterQueue`): a message received five times without success is parked there
 * for two weeks. Both encrypted, both refusing requests without TLS.
 */
export function queueWithDeadLetters(
  scope: Construct,
  name: string,
  consumerTimeout: Duration,
): QueueWithDeadLetters {
  const deadLetterQueue = secureQueue(scope, `${name}DeadLetterQueue`, {
    retentionPeriod: Duration.days(14),
  });
  const queue = secureQueue(scope, `${name}Queue`, {
    visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
  return { queue, deadLetterQueue };
}

/**
 * Acknowledges, on the role of a function reading a table's stream, the `dynamodb:ListStreams` on
 * "*" that the event source grants: that action has no resource-level permission.
 */
export function acknowledgeListStreams(fn: RelanceFunction, table: string): void {
  Validations.of(fn.serviceRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      `Lambda needs dynamodb:ListStreams to read the ${table} stream, and ListStreams supports no ` +
      'resource-level permission (only "*"); it lists stream ARNs and reads no data. Reading the ' +
      "records (DescribeStream, GetShardIterator, GetRecords) is granted on this table's stream only.",
  });
}

/**
 * Acknowledges that a queue used as the on-failure destination of a stream event source has no
 * dead-letter queue of its own.
 */
export function acknowledgeOnFailureDestination(queue: sqs.Queue, consumer: string): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is a dead-letter queue: the on-failure destination of the ${consumer}'s ` +
      'event source mapping, which cdk-nag does not recognise as one (it only knows redrive policies). ' +
      'Nothing consumes it, so it needs no dead-letter queue of its own.',
  });
}
