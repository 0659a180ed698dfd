import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fileKey, utf8Key } from '../../functions/domain/imports/runner';
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

/** An import's keys: its file (PUT through the signed URL, read by the worker) and its UTF-8 copy (the worker's). */
const FILES = fileKey('*');
const UTF8_COPIES = utf8Key('*');

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
    // The bucket's name is fixed before it exists (from the stack's id, unique to each deployment of
    // the stack, so a bucket retained by a deleted stack never blocks the next one): the import
    // queue's policy can then name the bucket without depending on it, which the bucket's own
    // notification configuration needs (S3 checks that it may send to the queue when the bucket is
    // created). Without it, CDK would configure notifications through a custom resource: a Python
    // Lambda with an AWS-managed policy and no log group of ours.
    const bucketName = `relance-imports-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`;
    const bucketArn = Stack.of(this).formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: bucketName,
    });

    // Uploaded files, until read: private, encrypted, TLS only, gone after a week.
    this.bucket = new s3.Bucket(this, 'Files', {
      bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      // Kept if the stack is deleted (CloudFormation cannot delete a bucket with files in it); the
      // lifecycle rule empties it within a week anyway: they are copies of the retailer's files.
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

    // An uploaded file (`imports/<id>/file`) is announced on the import queue, by S3 itself. S3 may
    // send there for this bucket only, in this account; the bucket is created once it may.
    const { policyDependable } = queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': bucketArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    const [prefix, suffix] = FILES.split('*');
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          queue: queue.queueArn,
          filter: {
            s3Key: {
              rules: [
                { name: 'prefix', value: prefix ?? '' },
                { name: 'suffix', value: suffix ?? '' },
              ],
            },
          },
        },
      ],
    };
    if (policyDependable) cfnBucket.node.addDependency(policyDependable);

    const worker = workerFunction(this, 'import-worker', props.environment, {
      timeout: IMPORT_WORKER_TIMEOUT,
      environment: { IMPORT_BUCKET: this.bucket.bucketName, IMPORT_QUEUE_URL: queue.queueUrl },
    });
    props.data.grantMainTable(worker, 'readWrite');
    props.data.keyring.grantRead(worker);
    // It reads the file (and the UTF-8 copy it makes of a file in another encoding), writes and
    // deletes that copy, and nothing else; ListBucket only makes S3 answer 404 for a missing file
    // (the job then fails with "no file") rather than 403.
    const objects = (pattern: string) => this.bucket.arnForObjects(pattern);
    Grant.addToPrincipal({
      grantee: worker,
      actions: ['s3:GetObject'],
      resourceArns: [objects(FILES), objects(UTF8_COPIES)],
    });
    Grant.addToPrincipal({
      grantee: worker,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
      resourceArns: [objects(UTF8_COPIES)],
    });
    Grant.addToPrincipal({
      grantee: worker,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
    });
    this.acknowledgeKeys(worker, [FILES, UTF8_COPIES]);
    queue.grantSendMessages(worker);
    queue.grantConsumeMessages(worker);
    worker.addEventSource(
      new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );

    // The API signs upload URLs, one import's file each, which needs the right to put those keys.
    props.api.addEnvironment('IMPORT_BUCKET', this.bucket.bucketName);
    Grant.addToPrincipal({ grantee: props.api, actions: ['s3:PutObject'], resourceArns: [objects(FILES)] });
    this.acknowledgeKeys(props.api, [FILES]);

    this.functions = new Map<WorkerName, RelanceFunction>([['import-worker', worker]]);
  }

  /** Acknowledges, on a function's role, the wildcard of each key pattern it is granted (one import's id). */
  private acknowledgeKeys(fn: RelanceFunction, patterns: readonly string[]): void {
    const bucket = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    for (const pattern of patterns) {
      Validations.of(fn.serviceRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${pattern}]`,
        reason:
          `An import's files are named after the job (${pattern}, the id made when the job is created), so IAM ` +
          "cannot list them in advance; the wildcard stands for that id, in this bucket's import keys only.",
      });
    }
  }
}
