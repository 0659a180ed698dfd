import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_LEASE_SECONDS, DELIVERY_TIMEOUT_MS } from '../../functions/domain/webhooks/webhook';
import type { FunctionName, WorkerName } from '../../functions/routes';
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
} from './helpers';

let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let lambdaOf: ReturnType<typeof inspect>['lambdaOf'];
let statementsOf: ReturnType<typeof inspect>['statementsOf'];

const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

/** The functions that see events and publish them. */
const PUBLISHERS = [
  'sender',
  'ses-events',
  'sms-events',
  'engagement-aggregator',
  'redemptions',
  'pages',
] as const satisfies readonly (FunctionName | WorkerName)[];

const fnNamed = (name: FunctionName | WorkerName): RelanceFunction => functionNamed(stack, name);

const deliverer = () => fnNamed('webhook-deliverer');

const allFunctions = (): RelanceFunction[] => allFunctionsOf(stack);

beforeAll(() => {
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf } = inspect(stack));
});

describe('webhook queue', () => {
  it('encrypted (SQS-managed) and TLS-only, as its dead-letter queue', () => {
    for (const queue of [stack.webhooks.deliveries.queue, stack.webhooks.deliveries.deadLetterQueue]) {
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

  it('parks a delivery after 5 receives in its dead-letter queue, kept 14 days', () => {
    const { queue, deadLetterQueue } = stack.webhooks.deliveries;
    expect(template.toJSON().Resources[logicalId(queue)].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(deadLetterQueue),
      maxReceiveCount: 5,
    });
    expect(template.toJSON().Resources[logicalId(deadLetterQueue)].Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
    template.hasOutput('WebhookDeadLetterQueueUrl', { Value: { Ref: logicalId(deadLetterQueue) } });
  });

  it("its visibility timeout is at least 6 times the deliverer's timeout", () => {
    const visibility = template.toJSON().Resources[logicalId(stack.webhooks.deliveries.queue)].Properties
      .VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * (lambdaOf(deliverer()).Properties.Timeout as number));
  });
});

describe('webhook deliverer', () => {
  it('consumes the queue 10 at a time, reports failures per delivery, at most 2 at once', () => {
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: arnOf(stack.webhooks.deliveries.queue) },
      }),
    );
    expect(mappings.map((m) => m.Properties)).toEqual([
      {
        FunctionName: { Ref: logicalId(deliverer()) },
        EventSourceArn: arnOf(stack.webhooks.deliveries.queue),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
  });

  it("times out after a request's own timeout, and before an attempt's lease ends", () => {
    const timeout = lambdaOf(deliverer()).Properties.Timeout as number;
    expect(timeout * 1000).toBeGreaterThan(DELIVERY_TIMEOUT_MS);
    expect(timeout).toBeLessThan(DELIVERY_LEASE_SECONDS);
  });

  it('is told the queue it requeues its retries on', () => {
    expect(lambdaOf(deliverer()).Properties.Environment.Variables.WEBHOOK_QUEUE_URL).toEqual({
      Ref: logicalId(stack.webhooks.deliveries.queue),
    });
  });

  it('touches webhook items only (GetItem and UpdateItem of WEBHOOK#…), and the webhook queue', () => {
    const statements = statementsOf(deliverer());
    const onTable = statements.filter((s) =>
      JSON.stringify(resourcesOf(s)).includes(`"${logicalId(stack.data.table)}"`),
    );
    expect(onTable).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(stack.data.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK#*'] } },
      },
    ]);
    const sqs = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
    expect(
      sqs
        .flatMap(resourcesOf)
        .every((r) => JSON.stringify(r) === JSON.stringify(arnOf(stack.webhooks.deliveries.queue))),
    ).toBe(true);
    expect(actionsOf(sqs)).toEqual(expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage']));
    // Each delivery is signed with its endpoint's own secret: no keyring; and nothing else.
    expect(actionsOf(statements).filter((a) => !/^(dynamodb|sqs|logs):/.test(a))).toEqual([]);
  });
});

describe('webhooks (API)', () => {
  it('GetItem, PutItem, DeleteItem and Query of webhook items, Query on gsi1, the keyring (cursors), and nothing else', () => {
    const all = statementsOf(fnNamed('webhooks')).filter((s) => !actionsOf([s])[0]?.startsWith('logs:'));
    // The keyring signs the deliveries log's page cursors: read, and nothing else of it.
    const keyring = all.filter((s) => JSON.stringify(s.Resource).includes(logicalId(stack.data.keyring)));
    expect(
      keyring
        .flatMap((s) => actionsOf([s]))
        .every((a) => a.startsWith('secretsmanager:Get') || a.startsWith('secretsmanager:Describe')),
    ).toBe(true);
    expect(keyring.length).toBeGreaterThan(0);
    const statements = all.filter((s) => !keyring.includes(s));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        // In IAM's order (minimised policies sort them).
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Resource: arnOf(stack.data.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK#*'] } },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [arnOf(stack.data.table), '/index/gsi1']] },
      },
    ]);
  });

  it('is not told the queue: it registers endpoints, it publishes nothing', () => {
    expect(lambdaOf(fnNamed('webhooks')).Properties.Environment.Variables.WEBHOOK_QUEUE_URL).toBeUndefined();
  });
});

describe('publishers', () => {
  it.each(PUBLISHERS)('%s is told the queue, may send to it, and may list the endpoints (gsi1)', (name) => {
    const fn = fnNamed(name);
    expect(lambdaOf(fn).Properties.Environment.Variables.WEBHOOK_QUEUE_URL).toEqual({
      Ref: logicalId(stack.webhooks.deliveries.queue),
    });
    const statements = statementsOf(fn);
    const sends = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
    expect(sends.flatMap(resourcesOf)).toContainEqual(arnOf(stack.webhooks.deliveries.queue));
    const queries = statements.filter((s) => actionsOf([s]).includes('dynamodb:Query'));
    expect(JSON.stringify(queries.flatMap(resourcesOf))).toMatch(/\/index\/(\*|gsi1)"/);
  });

  it('no other function may queue deliveries, or is told where', () => {
    const allowed = new Set<RelanceFunction>([...PUBLISHERS.map(fnNamed), deliverer()]);
    const queue = JSON.stringify(arnOf(stack.webhooks.deliveries.queue));
    for (const fn of allFunctions().filter((f) => !allowed.has(f))) {
      expect(JSON.stringify(statementsOf(fn)), fn.node.path).not.toContain(queue);
      expect(lambdaOf(fn).Properties.Environment.Variables.WEBHOOK_QUEUE_URL, fn.node.path).toBeUndefined();
    }
  });

  it('WEBHOOK_ALLOW_HTTP (plain http:// endpoints, for the local stack) is never set in AWS', () => {
    for (const fn of allFunctions()) {
      expect(lambdaOf(fn).Properties.Environment.Variables.WEBHOOK_ALLOW_HTTP, fn.node.path).toBeUndefined();
    }
  });
});
