import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileKey, utf8Key } from '../../functions/domain/imports/runner';
import { IMPORT_FILE_DAYS, IMPORT_WORKER_TIMEOUT } from '../../infra/constructs/imports';
import type { RelanceFunction } from '../../infra/function';
import type { RelanceStack } from '../../infra/stack';
import {
  actionsOf,
  allFunctionsOf,
  functionNamed,
  inspect,
  makeStack,
  NO_BUNDLING,
  resourcesOf,
  type Statement,
} from './helpers';

let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let lambdaOf: ReturnType<typeof inspect>['lambdaOf'];
let statementsOf: ReturnType<typeof inspect>['statementsOf'];
let routeOf: ReturnType<typeof inspect>['routeOf'];

const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});
/** The ARN of the bucket's objects matching a key pattern, as IAM policies name them. */
const objectsOf = (pattern: string) => ({ 'Fn::Join': ['', [arnOf(stack.imports.bucket), `/${pattern}`]] });

const worker = () => functionNamed(stack, 'import-worker');
const api = () => functionNamed(stack, 'imports');
const bucketResource = () => template.toJSON().Resources[logicalId(stack.imports.bucket)];
/** The statements of a function's role that name an S3 action. */
const s3StatementsOf = (fn: RelanceFunction): Statement[] =>
  statementsOf(fn).filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));

beforeAll(() => {
  // The template is all these tests look at: no bundling.
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf, routeOf } = inspect(stack));
});

describe('import bucket', () => {
  it('is the only bucket, and blocks every kind of public access', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(bucketResource().Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('refuses every request without TLS, on the bucket and on its objects', () => {
    const bucket = arnOf(stack.imports.bucket);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(stack.imports.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [bucket, { 'Fn::Join': ['', [bucket, '/*']] }],
          },
        ]),
      },
    });
  });

  it('is encrypted at rest (SSE-S3)', () => {
    expect(bucketResource().Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it(`expires every file after ${IMPORT_FILE_DAYS} days, and incomplete uploads after one`, () => {
    expect(IMPORT_FILE_DAYS).toBeLessThanOrEqual(7);
    expect(bucketResource().Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Status: 'Enabled',
          ExpirationInDays: IMPORT_FILE_DAYS,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    // On the whole bucket: no prefix or tag a file could escape the rule by.
    expect(bucketResource().Properties.LifecycleConfiguration.Rules[0].Prefix).toBeUndefined();
    expect(bucketResource().Properties.LifecycleConfiguration.Rules[0].Filter).toBeUndefined();
  });

  it('lets browsers PUT to it from any origin (presigned uploads), and nothing else', () => {
    expect(bucketResource().Properties.CorsConfiguration).toEqual({
      CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAge: 3600 }],
    });
  });

  it('is retained with the stack, under a name unique to each deployment of it', () => {
    expect(bucketResource()).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucketResource().Properties.BucketName).toEqual({
      'Fn::Join': [
        '',
        ['relance-imports-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }],
      ],
    });
  });

  it('announces each uploaded file on the import queue itself, without a custom resource', () => {
    const [prefix, suffix] = fileKey('*').split('*');
    expect(bucketResource().Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: arnOf(stack.imports.jobs.queue),
          Filter: {
            S3Key: {
              Rules: [
                { Name: 'prefix', Value: prefix },
                { Name: 'suffix', Value: suffix },
              ],
            },
          },
        },
      ],
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('S3 may send to the import queue for this bucket only, in this account, before the bucket is created', () => {
    const queue = stack.imports.jobs.queue;
    const policies = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: { Queues: [{ Ref: logicalId(queue) }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    const [policyId, policy] = Object.entries(policies)[0] as [string, (typeof policies)[string]];
    const fromS3 = (policy.Properties.PolicyDocument.Statement as Statement[]).filter(
      (s) => s.Effect === 'Allow',
    );
    // Named by the bucket's name, known before the bucket exists (an ARN would make a cycle).
    const [namePrefix, stackUuid] = bucketResource().Properties.BucketName['Fn::Join'][1];
    expect(fromS3).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: arnOf(queue),
        Condition: {
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${namePrefix}`, stackUuid]],
            },
          },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
    // S3 checks that it may send to the queue when the bucket is created.
    expect(bucketResource().DependsOn).toContain(policyId);
  });
});

describe('import queue', () => {
  it('encrypted (SQS-managed) and TLS-only, as its dead-letter queue', () => {
    for (const queue of [stack.imports.jobs.queue, stack.imports.jobs.deadLetterQueue]) {
      expect(template.toJSON().Resources[logicalId(queue)].Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('parks a message after 5 receives in its dead-letter queue, kept 14 days, which nothing consumes', () => {
    const { queue, deadLetterQueue } = stack.imports.jobs;
    expect(template.toJSON().Resources[logicalId(queue)].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(deadLetterQueue),
      maxReceiveCount: 5,
    });
    expect(template.toJSON().Resources[logicalId(deadLetterQueue)].Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      { EventSourceArn: arnOf(deadLetterQueue) },
      0,
    );
  });

  it("its visibility timeout is at least 6 times the worker's timeout", () => {
    const visibility = template.toJSON().Resources[logicalId(stack.imports.jobs.queue)].Properties
      .VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * (lambdaOf(worker()).Properties.Timeout as number));
  });
});

describe('import-worker', () => {
  it('is triggered by the import queue: one message at a time, failures reported per message, at most 2 at once', () => {
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: logicalId(worker()) } },
      }),
    );
    expect(mappings.map((m) => m.Properties)).toEqual([
      {
        FunctionName: { Ref: logicalId(worker()) },
        EventSourceArn: arnOf(stack.imports.jobs.queue),
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
  });

  it(`runs for ${IMPORT_WORKER_TIMEOUT.toMinutes()} minutes at most, Lambda's longest`, () => {
    expect(lambdaOf(worker()).Properties.Timeout).toBe(IMPORT_WORKER_TIMEOUT.toSeconds());
    expect(IMPORT_WORKER_TIMEOUT.toSeconds()).toBeLessThanOrEqual(900);
  });

  it('is told the bucket (IMPORT_BUCKET) and the queue of its next chunks (IMPORT_QUEUE_URL)', () => {
    expect(lambdaOf(worker()).Properties.Environment.Variables).toMatchObject({
      IMPORT_BUCKET: { Ref: logicalId(stack.imports.bucket) },
      IMPORT_QUEUE_URL: { Ref: logicalId(stack.imports.jobs.queue) },
    });
  });

  it('reads the files, writes and deletes their UTF-8 copies, lists the bucket: on that bucket only', () => {
    expect(s3StatementsOf(worker())).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [objectsOf(fileKey('*')), objectsOf(utf8Key('*'))],
      },
      {
        Effect: 'Allow',
        // In IAM's order (minimised policies sort them).
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
        Resource: objectsOf(utf8Key('*')),
      },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf(stack.imports.bucket) },
    ]);
  });

  it('sends to and consumes the import queue, and no other', () => {
    const sqs = statementsOf(worker()).filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(resourcesOf)).toEqual([arnOf(stack.imports.jobs.queue)]);
    expect(actionsOf(sqs)).toEqual(expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage']));
  });
});

describe('imports (API)', () => {
  it('may presign PUTs of import files: s3:PutObject on those keys of the bucket, and no other S3 action', () => {
    expect(s3StatementsOf(api())).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objectsOf(fileKey('*')) },
    ]);
  });

  it('is told the bucket (IMPORT_BUCKET), and not the queue: the upload starts the worker', () => {
    const variables = lambdaOf(api()).Properties.Environment.Variables;
    expect(variables.IMPORT_BUCKET).toEqual({ Ref: logicalId(stack.imports.bucket) });
    expect(variables.IMPORT_QUEUE_URL).toBeUndefined();
  });

  it.each([
    'POST /v1/imports',
    'GET /v1/imports',
    'GET /v1/imports/{id}',
    'GET /v1/imports/{id}/rejected.csv',
  ])('%s reaches it, through the API-key authorizer', (key) => {
    const { properties, invokes } = routeOf(key);
    expect(properties.AuthorizationType).toBe('CUSTOM');
    expect(properties.AuthorizerId).toBeDefined();
    expect(invokes).toEqual(arnOf(api()));
  });
});

describe('other functions', () => {
  it('none but import-worker and imports may touch the bucket, or is told its name', () => {
    const bucket = `"${logicalId(stack.imports.bucket)}"`;
    const others = allFunctionsOf(stack).filter((fn) => fn !== worker() && fn !== api());
    expect(others.length).toBeGreaterThan(0);
    for (const fn of others) {
      expect(JSON.stringify(statementsOf(fn)), fn.node.path).not.toContain(bucket);
      expect(s3StatementsOf(fn), fn.node.path).toEqual([]);
      expect(lambdaOf(fn).Properties.Environment.Variables.IMPORT_BUCKET, fn.node.path).toBeUndefined();
    }
  });

  it('none has an S3 action on "*", nor an S3 action with a wildcard', () => {
    for (const fn of allFunctionsOf(stack)) {
      const statements = s3StatementsOf(fn);
      expect(statements.flatMap(resourcesOf), fn.node.path).not.toContain('*');
      expect(
        actionsOf(statements).filter((a) => a.includes('*')),
        fn.node.path,
      ).toEqual([]);
    }
  });
});

describe('outputs', () => {
  it('ImportBucketName: the bucket', () => {
    template.hasOutput('ImportBucketName', { Value: { Ref: logicalId(stack.imports.bucket) } });
  });

  it('ImportDeadLetterQueueUrl: the dead-letter queue of the import queue', () => {
    template.hasOutput('ImportDeadLetterQueueUrl', {
      Value: { Ref: logicalId(stack.imports.jobs.deadLetterQueue) },
    });
  });
});
