import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../../infra/function';
import type { RelanceStack } from '../../infra/stack';
import { inspect, makeStack, NO_BUNDLING } from './helpers';

let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let lambdaOf: ReturnType<typeof inspect>['lambdaOf'];
let statementsOf: ReturnType<typeof inspect>['statementsOf'];

function worker(name: WorkerName): RelanceFunction {
  const fn = stack.sending.functions.get(name);
  if (!fn) throw new Error(`No worker ${name}`);
  return fn;
}

const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

beforeAll(() => {
  // The template is all these tests look at: no bundling.
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf } = inspect(stack));
});

describe('SES configuration set', () => {
  it('requires TLS, tracks reputation, sends', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    });
  });

  it('publishes sends, deliveries, bounces, complaints, rejects, rendering failures and delays to the default bus', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(stack.sending.configurationSet) },
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])],
          },
        },
        MatchingEventTypes: Match.arrayEquals(
          ['send', 'delivery', 'bounce', 'complaint', 'reject', 'renderingFailure', 'deliveryDelay'].map(
            (e) => Match.exact(e),
          ),
        ),
      },
    });
  });
});

describe('SES events rule', () => {
  it("matches this configuration set's SES events and targets ses-events, with retries and a dead-letter queue", () => {
    // The other rule runs the automations (see automation.test.ts).
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(
      Object.keys(
        template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }),
      ),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.ses'],
        detail: {
          mail: { tags: { 'ses:configuration-set': [{ Ref: logicalId(stack.sending.configurationSet) }] } },
        },
      },
      Targets: [
        {
          Arn: arnOf(worker('ses-events')),
          Id: Match.anyValue(),
          DeadLetterConfig: { Arn: arnOf(stack.sending.sesEventsDeadLetterQueue) },
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
        },
      ],
    });
  });

  it('EventBridge may invoke ses-events', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(worker('ses-events')),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(stack.node.findChild('Sending').node.findChild('SesEventsRule')),
    });
  });

  it('a failing ses-events invocation is retried, then parked in the same dead-letter queue', () => {
    expect(lambdaOf(worker('ses-events')).Properties.DeadLetterConfig).toEqual({
      TargetArn: arnOf(stack.sending.sesEventsDeadLetterQueue),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(worker('ses-events')) },
      MaximumRetryAttempts: 2,
    });
  });
});

describe('queues', () => {
  const workQueues = () =>
    [
      ['plan', stack.sending.plan, worker('planner')],
      ['send', stack.sending.send, worker('sender')],
    ] as const;

  it('two work queues, four dead-letter queues here, the redemptions one (see coupons.test.ts), the two SMS ones (see sms.test.ts), the webhook queue and its dead-letter queue (see webhooks.test.ts), the import queue and its dead-letter queue (see imports.test.ts), and no other queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 13);
  });

  it.each(['plan', 'send'] as const)(
    'the %s queue parks a message after 5 receives in its own dead-letter queue',
    (name) => {
      const { queue, deadLetterQueue } = stack.sending[name];
      expect(template.toJSON().Resources[logicalId(queue)].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(deadLetterQueue),
        maxReceiveCount: 5,
      });
      expect(template.toJSON().Resources[logicalId(deadLetterQueue)].Properties.MessageRetentionPeriod).toBe(
        14 * 24 * 3600,
      );
    },
  );

  it('every queue is encrypted (SQS-managed) and refuses requests without TLS', () => {
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    for (const id of queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
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

  it('the visibility timeout of each work queue is at least 6 times its consumer timeout', () => {
    for (const [name, { queue }, consumer] of workQueues()) {
      const visibility = template.toJSON().Resources[logicalId(queue)].Properties.VisibilityTimeout as number;
      const timeout = lambdaOf(consumer).Properties.Timeout as number;
      expect(timeout, name).toBeGreaterThan(0);
      expect(visibility, name).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  const mapping = (queue: Queue) => {
    const found = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: arnOf(queue) },
      }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties;
  };

  it('the planner takes one plan message at a time and reports failures per message', () => {
    expect(mapping(stack.sending.plan.queue)).toMatchObject({
      FunctionName: { Ref: logicalId(worker('planner')) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the sender takes 4 jobs at a time, reports failures per job, and runs at most twice at once', () => {
    expect(mapping(stack.sending.send.queue)).toEqual({
      FunctionName: { Ref: logicalId(worker('sender')) },
      EventSourceArn: arnOf(stack.sending.send.queue),
      BatchSize: 4,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('no function consumes a dead-letter queue: they wait for an operator', () => {
    const deadLetterQueues = [
      stack.sending.plan.deadLetterQueue,
      stack.sending.send.deadLetterQueue,
      stack.sending.sesEventsDeadLetterQueue,
      stack.sending.engagementDeadLetterQueue,
      stack.coupons.redemptionsDeadLetterQueue,
      stack.sms.smsEventsDeadLetterQueue,
      stack.sms.smsInboundDeadLetterQueue,
      stack.webhooks.deliveries.deadLetterQueue,
      stack.imports.jobs.deadLetterQueue,
    ].map((q) => JSON.stringify(arnOf(q)));
    const sources = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map((m) =>
      JSON.stringify(m.Properties.EventSourceArn),
    );
    // The plan queue, the send queue, the webhook queue, the import queue, the events table's stream
    // and the main table's.
    expect(sources).toHaveLength(6);
    expect(sources.filter((arn) => deadLetterQueues.includes(arn))).toEqual([]);
  });
});

describe('engagement aggregator', () => {
  const streamMapping = () => {
    const found = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.eventsTable), 'StreamArn'] } },
      }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties as Record<string, unknown>;
  };

  it("reads the events table's stream in batches of up to 100, gathered for up to 2 s, from its oldest record", () => {
    expect(streamMapping()).toMatchObject({
      FunctionName: { Ref: logicalId(worker('engagement-aggregator')) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
    });
  });

  it('halves and retries a failing batch 5 times, reports failed records, then parks them in its dead-letter queue', () => {
    expect(streamMapping()).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.sending.engagementDeadLetterQueue) } },
    });
    expect(
      template.toJSON().Resources[logicalId(stack.sending.engagementDeadLetterQueue)].Properties
        .MessageRetentionPeriod,
    ).toBe(14 * 24 * 3600);
  });

  it('receives inserts of opens and clicks only: not SES message events, claims (MODIFY) or expiries (REMOVE)', () => {
    const filters = (streamMapping().FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.Pattern ?? '{}')).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { kind: { S: ['open', 'click'] } } },
    });
  });

  it('may claim raw events (UpdateItem) but neither write nor delete them, and has no keyring', () => {
    const statements = statementsOf(worker('engagement-aggregator'));
    const events = { 'Fn::GetAtt': [logicalId(stack.data.eventsTable), 'Arn'] };
    const onEvents = statements.filter((s) =>
      JSON.stringify([s.Resource].flat()).includes(JSON.stringify(events)),
    );
    expect(onEvents.flatMap((s) => [s.Action].flat())).toEqual(['dynamodb:UpdateItem']);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain(logicalId(stack.data.keyring));
  });

  it('the tracking function reads the keyring and puts raw events; of the main table, it only reads short links', () => {
    const tracking = stack.api.functions.get('tracking');
    if (!tracking) throw new Error('No tracking function');
    const statements = statementsOf(tracking);
    const onMain = statements.filter((s) =>
      JSON.stringify([s.Resource].flat()).includes(`"${logicalId(stack.data.table)}"`),
    );
    expect(onMain).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SHORT#*'] } },
      },
    ]);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(statements.find((s) => s.Action === 'dynamodb:PutItem')?.Resource).toEqual({
      'Fn::GetAtt': [logicalId(stack.data.eventsTable), 'Arn'],
    });
  });
});
