import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import type { WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../function';
import type { Data } from './data';
import { type QueueWithDeadLetters, queueWithDeadLetters, workerFunction } from './workers';

export interface ImportsProps {
  readonly data: Data;
  readonly environment: Record<string, string>;
  /** The API function that creates import jobs (and signs their upload URLs). */
  readonly api: RelanceFunction;
}

/** Longest run of the import worker: it stops a minute before, checkpoints, and queues the next chunk. */
export const IMPORT_WORKER_TIMEOUT = Duration.minutes(15);
/** Days an uploaded file is kept: long enough to read a big one, short enough to hold no data for long. */
export const IMPORT_FILE_DAYS = 7;

/**
 * Imports of files of any size, as jobs. A marketer creates a job through the API (`imports`) and
 * PUTs the file to the presigned URL it answers, straight into the **bucket** (encrypted, private,
 * TLS only, files expiring after a week): the file never passes through API Gateway's 10 MB and 29 s
 * limits. The bucket's object-created event lands on the **import queue**; the **import-worker**
 * reads the file in chunks from the job's checkpoint (saved after each batch of rows), and queues the
 * next chunk on the same queue before its time runs out, so a crash or a timeout resumes where it
 * stopped. A message that keeps failing is parked in the dead-letter queue.
 */
export class Imports extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly jobs: QueueWithDeadLetters;
  public readonly functions: ReadonlyMap<WorkerName, RelanceFunction>;

  constructor(scope: Construct, id: string, props: ImportsProps) {
    super(scope, id);
    // Uploaded files, until read: private, encrypted, TLS only, gone after a week (or when the
    // stack is deleted, the lifecycle rule still empties it: they are copies of the retailer's files).
    this.bucket = new s3.Bucket(this, 'Files', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      // Kept if the stack is deleted (CloudFormation cannot delete a bucket with files in it); the
      // lifecycle rule empties it within a week anyway.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          expiration: Duration.days(IMPORT_FILE_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // The console uploads from the browser: a presigned PUT, from any origin (the signature is the key).
      cors: [
        { allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3600 },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Uploads are temporary copies of the retailer’s own files, written only through URLs the API signs for ' +
        'one key and read only by the import worker; each import job records who made it. Access logs would keep ' +
        'a second trace for longer than the files themselves (7 days).',
    });

    this.jobs = queueWithDeadLetters(this, 'Import', IMPORT_WORKER_TIMEOUT);
    const { queue } = this.jobs;
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), {
      prefix: 'imports/',
      suffix: '/file',
    });

    const worker = workerFunction(this, 'import-worker', props.environment, {
      timeout: IMPORT_WORKER_TIMEOUT,
      environment: { IMPORT_BUCKET: this.bucket.bucketName, IMPORT_QUEUE_URL: queue.queueUrl },
    });
    props.data.grantMainTable(worker, 'readWrite');
    props.data.keyring.grantRead(worker);
    this.bucket.grantReadWrite(worker, 'imports/*');
    this.bucket.grantDelete(worker, 'imports/*');
    queue.grantSendMessages(worker);
    queue.grantConsumeMessages(worker);
    worker.addEventSource(
      new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );

    // The API signs upload URLs for one key each, which needs the right to put that key.
    props.api.addEnvironment('IMPORT_BUCKET', this.bucket.bucketName);
    this.bucket.grantPut(props.api, 'imports/*');

    this.functions = new Map<WorkerName, RelanceFunction>([['import-worker', worker]]);
  }
}
