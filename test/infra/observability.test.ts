import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../functions/domain/contacts/contact';
import { ROUTES, routeKey } from '../../functions/routes';
import { deadLetterQueuesOf, METRICS_NAMESPACE } from '../../infra/constructs/observability';
import type { RelanceStack } from '../../infra/stack';
import {
  actionsOf,
  allFunctionsOf,
  expectNagClean,
  functionNamed,
  inspect,
  makeStack,
  NO_BUNDLING,
  type Statement,
} from './helpers';

let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let routeOf: ReturnType<typeof inspect>['routeOf'];

interface AlarmProperties {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic: string;
  Period: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
const resources = (t: Template = template) => t.toJSON().Resources as Resources;
const idsOf = (type: string, t: Template = template) =>
  Object.entries(resources(t))
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);

const alarms = (t: Template = template): AlarmProperties[] =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as AlarmProperties);
const alarmsOf = (metricName: string, t: Template = template) =>
  alarms(t).filter((a) => a.MetricName === metricName);
const alarmNamed = (name: string): AlarmProperties => {
  const found = alarms().filter((a) => a.AlarmName === name);
  expect(found, name).toHaveLength(1);
  return found[0] as AlarmProperties;
};
/** The logical id a metric's dimension points at (`{ Ref: id }` or `{ 'Fn::GetAtt': [id, …] }`). */
const dimensionTarget = (alarm: AlarmProperties, name: string): string | undefined => {
  const value = alarm.Dimensions?.find((d) => d.Name === name)?.Value as
    | { Ref?: string; 'Fn::GetAtt'?: [string, string] }
    | undefined;
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
};

/** Functions CDK adds for itself (custom resource providers, log retention, bucket notifications). */
const CDK_INTERNAL_FUNCTION =
  /^(AWS[0-9a-f]{32}|CustomResourceProvider|Custom[A-Z]|LogRetention|BucketNotificationsHandler)/;

const PUBLIC_KEYS = ROUTES.filter((r) => r.auth === 'public').map(routeKey);
const PRIVATE_KEYS = ROUTES.filter((r) => r.auth !== 'public').map(routeKey);

const stageOf = (t: Template = template) => {
  const [stage] = Object.values(resources(t)).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
  if (!stage) throw new Error('No stage');
  return stage as unknown as {
    Properties: {
      DefaultRouteSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
      RouteSettings?: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    };
    DependsOn?: string[];
  };
};

beforeAll(() => {
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, routeOf } = inspect(stack));
});

describe('alarm topic', () => {
  const topicId = () => logicalId(stack.observability.alarmTopic);

  it('encrypted with a customer-managed key that rotates and that CloudWatch may use (alias/aws/sns would not let it)', () => {
    const topic = resources()[topicId()];
    const keyId = logicalId(stack.observability.topicKey);
    expect(topic?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const key = resources()[keyId]?.Properties as {
      EnableKeyRotation: boolean;
      KeyPolicy: { Statement: Statement[] };
    };
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it("TLS only, and CloudWatch may publish to it for this account's alarms only", () => {
    const [policy] = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId() }] } }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as (Statement & { Principal: unknown })[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(actionsOf(allows)).toEqual(['sns:Publish']);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(':alarm:*');
  });

  it('no subscription without alarmEmail', () => {
    expect(
      Object.values(
        template.findResources('AWS::SNS::Subscription', { Properties: { TopicArn: { Ref: topicId() } } }),
      ),
    ).toEqual([]);
  });

  it('an email subscription with alarmEmail, and cdk-nag still finds nothing', () => {
    const { app, stack: withEmail } = makeStack({ ...NO_BUNDLING, alarmEmail: 'ops@example.com' });
    const { template: t, logicalId: idIn } = inspect(withEmail);
    const topic = { Ref: idIn(withEmail.observability.alarmTopic) };
    const subscriptions = Object.values(
      t.findResources('AWS::SNS::Subscription', { Properties: { TopicArn: topic } }),
    );
    expect(subscriptions.map((s) => s.Properties)).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic },
    ]);
    expectNagClean(app, withEmail);
  });

  it.each(['ops', 'ops@', 'ops@example', 'two words@example.com'])(
    'an invalid alarmEmail (%s) fails the synthesis',
    (alarmEmail) => {
      expect(() => makeStack({ ...NO_BUNDLING, alarmEmail })).toThrow(/alarmEmail/);
    },
  );

  it('outputs AlarmTopicArn and DashboardName', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId() } });
    template.hasOutput('DashboardName', { Value: { Ref: logicalId(stack.observability.dashboard) } });
  });
});

describe('alarms', () => {
  it('every alarm: named after the stack, described, ≥ its threshold, missing data not breaching, notifies the topic when it rings and when it is OK', () => {
    const topic = { Ref: logicalId(stack.observability.alarmTopic) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.AlarmName).toMatch(/^Relance-[A-Za-z0-9-]+$/);
      expect(alarm.AlarmDescription.length, alarm.AlarmName).toBeGreaterThan(40);
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
    }
    expect(new Set(alarms().map((a) => a.AlarmName)).size).toBe(alarms().length);
  });

  it('one per dead-letter queue (every queue a redrive policy targets, or named so), ≥ 1 message visible', () => {
    const queues = idsOf('AWS::SQS::Queue');
    const redriveTargets = Object.values(resources())
      .filter((r) => r.Type === 'AWS::SQS::Queue')
      .map(
        (r) =>
          (r.Properties.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string] } })
            ?.deadLetterTargetArn,
      )
      .filter((arn) => arn !== undefined)
      .map((arn) => arn['Fn::GetAtt'][0]);
    const expected = new Set([...redriveTargets, ...queues.filter((id) => id.includes('DeadLetterQueue'))]);
    expect(redriveTargets.length).toBeGreaterThan(0);
    expect(expected.size).toBeGreaterThan(redriveTargets.length);

    const watched = alarmsOf('ApproximateNumberOfMessagesVisible');
    expect(watched.map((a) => dimensionTarget(a, 'QueueName')).sort()).toEqual([...expected].sort());
    for (const alarm of watched) {
      expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1 });
    }
    // Those the stack outputs say so, and which output to read them from.
    const sendDlq = alarmNamed('Relance-Sending-SendDeadLetterQueue-NotEmpty');
    expect(dimensionTarget(sendDlq, 'QueueName')).toBe(logicalId(stack.sending.send.deadLetterQueue));
    expect(sendDlq.AlarmDescription).toContain('SendDeadLetterQueueUrl');
  });

  it('every queue is either a work queue with a redrive policy or a watched dead-letter queue', () => {
    const watched = new Set(
      alarmsOf('ApproximateNumberOfMessagesVisible').map((a) => dimensionTarget(a, 'QueueName')),
    );
    for (const id of idsOf('AWS::SQS::Queue')) {
      const hasRedrive = resources()[id]?.Properties.RedrivePolicy !== undefined;
      expect(hasRedrive || watched.has(id), id).toBe(true);
      expect(hasRedrive && watched.has(id), id).toBe(false);
    }
  });

  it('dead-letter queues are found by what points at them, whatever their names', () => {
    const app = new App();
    const scratch = new Stack(app, 'Scratch');
    const code = lambda.Code.fromInline('export const handler = async () => {};');
    const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
      new lambda.Function(scratch, id, {
        code,
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        ...props,
      });
    const parked = new sqs.Queue(scratch, 'Parked');
    new sqs.Queue(scratch, 'Work', { deadLetterQueue: { queue: parked, maxReceiveCount: 3 } });
    const asyncFailures = new sqs.Queue(scratch, 'AsyncFailures');
    fn('Async', { deadLetterQueue: asyncFailures });
    const subscriptionFailures = new sqs.Queue(scratch, 'Undelivered');
    new sns.Topic(scratch, 'Topic').addSubscription(
      new LambdaSubscription(fn('Subscriber'), { deadLetterQueue: subscriptionFailures }),
    );
    const streamFailures = new sqs.Queue(scratch, 'GivenUp');
    const table = new dynamodb.TableV2(scratch, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    fn('StreamReader').addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.LATEST,
        onFailure: new SqsDlq(streamFailures),
      }),
    );
    const ruleFailures = new sqs.Queue(scratch, 'Unrouted');
    new events.Rule(scratch, 'Rule', {
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(fn('Scheduled'), { deadLetterQueue: ruleFailures })],
    });
    const named = new sqs.Queue(scratch, 'SpareDeadLetterQueue');
    const plain = new sqs.Queue(scratch, 'Plain');
    fn('Consumer').addEventSource(new SqsEventSource(plain));

    expect(
      deadLetterQueuesOf(scratch)
        .map((q) => q.node.id)
        .sort(),
    ).toEqual(
      [parked, asyncFailures, subscriptionFailures, streamFailures, ruleFailures, named]
        .map((q) => q.node.id)
        .sort(),
    );
  });

  it('Errors ≥ 1 and Throttles ≥ 1 of every function: every Lambda of the template, none of them CDK’s own', () => {
    const lambdas = idsOf('AWS::Lambda::Function').filter((id) => !CDK_INTERNAL_FUNCTION.test(id));
    const functions = allFunctionsOf(stack).map((fn) => logicalId(fn));
    expect(functions.sort()).toEqual(lambdas.sort());
    for (const metric of ['Errors', 'Throttles']) {
      const watched = alarmsOf(metric);
      expect(watched.map((a) => dimensionTarget(a, 'FunctionName')).sort(), metric).toEqual(lambdas.sort());
      for (const alarm of watched) {
        expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Period: 300, Threshold: 1 });
      }
    }
    // Named after the function's construct, described by the function's own description.
    const sender = alarmNamed('Relance-Sending-Sender-Errors');
    expect(dimensionTarget(sender, 'FunctionName')).toBe(logicalId(functionNamed(stack, 'sender')));
    expect(sender.AlarmDescription).toContain('functions/handlers/sender.ts');
    expect(dimensionTarget(alarmNamed('Relance-Api-Tracking-Throttles'), 'FunctionName')).toBe(
      logicalId(functionNamed(stack, 'tracking')),
    );
  });

  it('the HTTP API: 5xx ≥ 1 over 5 minutes', () => {
    const [alarm, ...others] = alarmsOf('5xx');
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      AlarmName: 'Relance-Api-5xx',
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack.api.httpApi) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
  });

  it.each([
    ['Reputation.BounceRate', 0.04],
    ['Reputation.ComplaintRate', 0.0008],
  ])("SES: the account's %s ≥ %d, its maximum over 15 minutes", (metric, threshold) => {
    const [alarm, ...others] = alarmsOf(metric);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SES',
      Statistic: 'Maximum',
      Period: 900,
      Threshold: threshold,
    });
    // Account-level: no configuration-set dimension.
    expect(alarm?.Dimensions).toBeUndefined();
  });

  it('the send queue: its oldest message ≥ 900 s', () => {
    const [alarm, ...others] = alarmsOf('ApproximateAgeOfOldestMessage');
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 900 });
    expect(alarm && dimensionTarget(alarm, 'QueueName')).toBe(logicalId(stack.sending.send.queue));
  });

  it(`the sending guard: CampaignsPausedByGuard ≥ 1, in the ${METRICS_NAMESPACE} namespace, by its service only`, () => {
    expect(METRICS_NAMESPACE).toBe('Relance');
    const [alarm, ...others] = alarmsOf('CampaignsPausedByGuard');
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ Namespace: 'Relance', Statistic: 'Sum', Threshold: 1 });
    // Powertools gives every metric its `service` dimension: the alarm names it, and nothing else.
    expect(alarm?.Dimensions).toEqual([{ Name: 'service', Value: 'relance' }]);
  });

  it('nothing else: dead-letter queues, two per function, and the five of the service', () => {
    const { deadLetterQueues, functions } = stack.observability;
    expect(alarms()).toHaveLength(deadLetterQueues.length + 2 * functions.length + 5);
  });
});

/** A graph's metric, as the dashboard's body lists it: `[namespace, name, ...dimensions, options?]`. */
interface DashboardMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  widget: string;
}

/**
 * The dashboard's body, parsed: each reference in it (`{ Ref: id }`, `{ 'Fn::GetAtt': [id, …] }`)
 * read as `<id>`, and every metric of every graph.
 */
function dashboardOf(t: Template) {
  const [dashboard, ...others] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  expect(others).toEqual([]);
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as (
    | string
    | { Ref?: string; 'Fn::GetAtt'?: [string, string] }
  )[];
  const text = parts.map((p) => (typeof p === 'string' ? p : `<${p.Ref ?? p['Fn::GetAtt']?.[0]}>`)).join('');
  const body = JSON.parse(text) as {
    widgets: {
      type: string;
      properties: { title: string; metrics?: (string | object)[][]; alarms?: string[] };
    }[];
  };
  const metrics: DashboardMetric[] = body.widgets.flatMap((w) =>
    (w.properties.metrics ?? []).map((m) => {
      const [namespace, name, ...rest] = m.filter((x): x is string => typeof x === 'string');
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
      return { namespace: namespace as string, name: name as string, dimensions, widget: w.properties.title };
    }),
  );
  return { name: dashboard?.Properties.DashboardName, widgets: body.widgets, metrics };
}

describe('dashboard', () => {
  let dashboard: ReturnType<typeof dashboardOf>;
  const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  /** The app's metrics all carry `service` (Powertools' dimension). */
  const has = (namespace: string, name: string, dimensions: Record<string, string> = {}) =>
    dashboard.metrics.some(
      (m) =>
        m.namespace === namespace &&
        m.name === name &&
        sameDimensions(
          m.dimensions,
          namespace === 'Relance' ? { service: 'relance', ...dimensions } : dimensions,
        ),
    );
  beforeAll(() => {
    dashboard = dashboardOf(template);
  });

  it('one, named after the stack and its region (dashboards are global to the account)', () => {
    expect(dashboard.name).toEqual({ 'Fn::Join': ['', ['Relance-', { Ref: 'AWS::Region' }]] });
  });

  it(`sends and failures per minute, by channel (${METRICS_NAMESPACE} namespace)`, () => {
    for (const channel of CHANNELS) {
      expect(has('Relance', 'MessagesSent', { Channel: channel }), channel).toBe(true);
      expect(has('Relance', 'MessagesFailed', { Channel: channel }), channel).toBe(true);
    }
  });

  it('depth and age of the send and plan queues', () => {
    for (const queue of [stack.sending.send.queue, stack.sending.plan.queue]) {
      for (const name of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
        expect(has('AWS/SQS', name, { QueueName: `<${logicalId(queue)}>` }), name).toBe(true);
      }
    }
  });

  it('SES bounce and complaint rates, redemptions per day, the guard', () => {
    expect(has('AWS/SES', 'Reputation.BounceRate')).toBe(true);
    expect(has('AWS/SES', 'Reputation.ComplaintRate')).toBe(true);
    expect(has('Relance', 'Redemptions')).toBe(true);
    expect(dashboard.metrics.find((m) => m.name === 'Redemptions')?.widget).toMatch(/per day/);
    expect(has('Relance', 'CampaignsPausedByGuard')).toBe(true);
  });

  it('errors of every function, the API 5xx, and the status of the alarms that are not per function', () => {
    for (const fn of allFunctionsOf(stack)) {
      expect(has('AWS/Lambda', 'Errors', { FunctionName: `<${logicalId(fn)}>` }), fn.node.path).toBe(true);
    }
    expect(has('AWS/ApiGateway', '5xx', { ApiId: `<${logicalId(stack.api.httpApi)}>` })).toBe(true);
    const status = dashboard.widgets.filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    const { deadLetterQueues } = stack.observability;
    expect(status[0]?.properties.alarms).toHaveLength(deadLetterQueues.length + 5);
  });
});

describe('public route throttles', () => {
  it('every public route of the route table: 1,000 requests a second, bursts of 2,000', () => {
    const settings = stageOf().Properties.RouteSettings ?? {};
    expect(PUBLIC_KEYS.length).toBeGreaterThan(0);
    for (const key of PUBLIC_KEYS) {
      expect(routeOf(key).properties.AuthorizerId, key).toBeUndefined();
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
    }
    for (const prefix of ['GET /t/', 'GET /s/', 'GET /c/', 'GET /u/', 'POST /u/', 'GET /optin/', 'GET /v/']) {
      expect(
        PUBLIC_KEYS.some((key) => key.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });

  it('the marketer and till routes keep the stage default, 50 a second, bursts of 100', () => {
    const { DefaultRouteSettings, RouteSettings = {} } = stageOf().Properties;
    expect(DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(Object.keys(RouteSettings).sort()).toEqual([...PUBLIC_KEYS].sort());
    for (const key of PRIVATE_KEYS) {
      expect(routeOf(key).properties.AuthorizerId, key).toBeDefined();
      expect(RouteSettings[key], key).toBeUndefined();
    }
  });

  it('the stage waits for the public routes (a route setting must name an existing route)', () => {
    const routeIds = idsOf('AWS::ApiGatewayV2::Route').filter((id) =>
      PUBLIC_KEYS.includes(resources()[id]?.Properties.RouteKey as string),
    );
    expect(routeIds).toHaveLength(PUBLIC_KEYS.length);
    expect(stageOf().DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('publicRateLimit, publicBurstLimit, apiRateLimit and apiBurstLimit (strings, as -c passes them) set the limits', () => {
    const { stack: custom } = makeStack({
      ...NO_BUNDLING,
      publicRateLimit: '250.5',
      publicBurstLimit: '500',
      apiRateLimit: '20',
      apiBurstLimit: 40,
    });
    const { DefaultRouteSettings, RouteSettings = {} } = stageOf(Template.fromStack(custom)).Properties;
    expect(DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(Object.keys(RouteSettings).sort()).toEqual([...PUBLIC_KEYS].sort());
    for (const key of PUBLIC_KEYS) {
      expect(RouteSettings[key], key).toEqual({ ThrottlingRateLimit: 250.5, ThrottlingBurstLimit: 500 });
    }
  });

  it.each([
    [{ publicRateLimit: 'fast' }, /publicRateLimit/],
    [{ publicRateLimit: '0' }, /publicRateLimit/],
    [{ publicBurstLimit: '2000.5' }, /publicBurstLimit/],
    [{ apiRateLimit: '-1' }, /apiRateLimit/],
    [{ apiBurstLimit: 'many' }, /apiBurstLimit/],
  ])('%j fails the synthesis', (context, message) => {
    expect(() => makeStack({ ...NO_BUNDLING, ...context })).toThrow(message);
  });
});

describe('tracing', () => {
  const functionsOfTemplate = (context: Record<string, unknown>) =>
    Object.values(
      Template.fromStack(makeStack({ ...NO_BUNDLING, ...context }).stack).findResources(
        'AWS::Lambda::Function',
      ),
    ).filter((f) =>
      String((f as { Properties: { Description?: string } }).Properties.Description ?? '').startsWith(
        'Relance ',
      ),
    );

  it('is off by default, and on for every function with -c tracing=true', () => {
    for (const f of functionsOfTemplate({}))
      expect((f as { Properties: Record<string, unknown> }).Properties.TracingConfig).toBeUndefined();
    const traced = functionsOfTemplate({ tracing: 'true' });
    expect(traced.length).toBeGreaterThan(20);
    for (const f of traced)
      expect((f as { Properties: Record<string, unknown> }).Properties.TracingConfig).toEqual({
        Mode: 'Active',
      });
  });
});

describe('SES Virtual Deliverability Manager', () => {
  const configurationSets = (context: Record<string, unknown>) =>
    Object.values(
      Template.fromStack(makeStack({ ...NO_BUNDLING, ...context }).stack).findResources(
        'AWS::SES::ConfigurationSet',
      ),
    ) as { Properties: Record<string, unknown> }[];

  it('tracks engagement on the campaigns’ configuration set only with -c vdmEngagement=true', () => {
    for (const c of configurationSets({})) expect(c.Properties.VdmOptions).toBeUndefined();
    const on = configurationSets({ vdmEngagement: 'true' });
    expect(
      on.some(
        (c) =>
          JSON.stringify(c.Properties.VdmOptions) ===
          JSON.stringify({ DashboardOptions: { EngagementMetrics: 'ENABLED' } }),
      ),
    ).toBe(true);
  });
});
