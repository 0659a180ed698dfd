import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerName } from '../../functions/routes';
import { SMS_EVENT_TYPES } from '../../infra/constructs/sms';
import type { RelanceFunction } from '../../infra/function';
import type { RelanceStack } from '../../infra/stack';
import {
  actionsOf,
  expectNagClean,
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

const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

function worker(name: WorkerName, from: RelanceStack = stack): RelanceFunction {
  const fn = from.sms.functions.get(name) ?? from.sending.functions.get(name);
  if (!fn) throw new Error(`No worker ${name}`);
  return fn;
}

/** `arn:${Partition}:${service}:${Region}:${AccountId}:${resource}`, as Stack.formatArn renders it. */
const arn = (service: string, ...resource: unknown[]) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ...resource,
    ],
  ],
});

/** The statements of a policy document (topic, queue or key policy) whose actions include `action`. */
const withAction = (statements: Statement[], action: string) =>
  statements.filter((s) => actionsOf([s]).includes(action));

/** What may send SMS: any statement with an End User Messaging or Pinpoint action. */
const smsStatements = (statements: Statement[]) =>
  statements.filter((s) =>
    actionsOf([s]).some((a) => a.startsWith('sms-voice:') || a.startsWith('mobiletargeting:')),
  );

beforeAll(() => {
  // The default context: no origination identity, so SMS are off. No bundling.
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf } = inspect(stack));
});

describe('configuration set', () => {
  it('one, named after the stack, publishing the delivery receipts (TEXT_* events) to the events topic', () => {
    template.resourceCountIs('AWS::SMSVOICE::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      ConfigurationSetName: 'Relance-sms',
      EventDestinations: [
        {
          EventDestinationName: Match.anyValue(),
          Enabled: true,
          MatchingEventTypes: [...SMS_EVENT_TYPES],
          SnsDestination: { TopicArn: { Ref: logicalId(stack.sms.eventsTopic) } },
        },
      ],
    });
  });

  it('publishes the receipts the domain counts, and only TEXT_* events End User Messaging documents', () => {
    expect(SMS_EVENT_TYPES).toEqual(
      expect.arrayContaining(['TEXT_DELIVERED', 'TEXT_INVALID', 'TEXT_UNREACHABLE']),
    );
    for (const type of SMS_EVENT_TYPES) expect(type).toMatch(/^TEXT_[A-Z_]+$/);
    // Not supported by event destinations; the others only say a message is on its way.
    for (const type of ['TEXT_SENT', 'TEXT_QUEUED', 'TEXT_PENDING', 'TEXT_ALL', 'ALL']) {
      expect(SMS_EVENT_TYPES).not.toContain(type);
    }
  });

  it('is created after the topic policy and the key policy that let End User Messaging publish', () => {
    const resource = template.toJSON().Resources[logicalId(stack.sms.configurationSet)];
    const policies = Object.keys(
      template.findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [{ Ref: logicalId(stack.sms.eventsTopic) }] },
      }),
    );
    expect(policies).toHaveLength(1);
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([...policies, logicalId(stack.sms.eventsTopic), logicalId(stack.sms.topicKey)]),
    );
  });
});

describe('topics', () => {
  const policyOf = (topic: typeof stack.sms.eventsTopic): Statement[] => {
    const found = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [{ Ref: logicalId(topic) }] },
      }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties.PolicyDocument.Statement as Statement[];
  };

  it('two topics, both encrypted with the customer-managed key, which rotates (the alarm topic has its own, see observability.test.ts)', () => {
    const alarmTopic = logicalId(stack.observability.alarmTopic);
    const topics = Object.entries(template.findResources('AWS::SNS::Topic')).filter(
      ([id]) => id !== alarmTopic,
    );
    expect(topics.map(([id]) => id).sort()).toEqual(
      [logicalId(stack.sms.eventsTopic), logicalId(stack.sms.inboundTopic)].sort(),
    );
    for (const [, topic] of topics)
      expect(topic.Properties.KmsMasterKeyId).toEqual(arnOf(stack.sms.topicKey));
    expect(Object.keys(template.findResources('AWS::KMS::Key')).sort()).toEqual(
      [logicalId(stack.sms.topicKey), logicalId(stack.observability.topicKey)].sort(),
    );
    expect(template.toJSON().Resources[logicalId(stack.sms.topicKey)].Properties.EnableKeyRotation).toBe(
      true,
    );
  });

  it.each(['eventsTopic', 'inboundTopic'] as const)('the %s refuses publishing without TLS', (name) => {
    expect(policyOf(stack.sms[name])).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Principal: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it("End User Messaging may publish receipts to the events topic: this account's, from the configuration set", () => {
    const allow = withAction(policyOf(stack.sms.eventsTopic), 'sns:Publish').filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allow).toEqual([
      {
        Sid: 'EndUserMessagingPublishesDeliveryReceipts',
        Effect: 'Allow',
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: logicalId(stack.sms.eventsTopic) },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': arn('sms-voice', ':configuration-set/Relance-sms') },
        },
      },
    ]);
  });

  it("End User Messaging may publish replies to the inbound topic: this account's numbers and pools only", () => {
    const allow = withAction(policyOf(stack.sms.inboundTopic), 'sns:Publish').filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allow).toEqual([
      {
        Sid: 'EndUserMessagingPublishesReplies',
        Effect: 'Allow',
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: logicalId(stack.sms.inboundTopic) },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': arn('sms-voice', ':*') },
        },
      },
    ]);
  });

  it("End User Messaging may encrypt with the topics' key, for this account only", () => {
    const key = template.toJSON().Resources[logicalId(stack.sms.topicKey)];
    const statements = key.Properties.KeyPolicy.Statement as (Statement & { Principal: unknown })[];
    const forSmsVoice = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'sms-voice.amazonaws.com' }),
    );
    expect(forSmsVoice).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': arn('sms-voice', ':*') },
        },
      }),
    ]);
    // No other service principal, nor anyone else but the account (the default key policy).
    const others = statements.filter((s) => !forSmsVoice.includes(s));
    for (const s of others) expect(JSON.stringify(s.Principal)).toContain(':root');
  });
});

describe('workers', () => {
  const topics = () =>
    [
      ['sms-events', stack.sms.eventsTopic, stack.sms.smsEventsDeadLetterQueue],
      ['sms-inbound', stack.sms.inboundTopic, stack.sms.smsInboundDeadLetterQueue],
    ] as const;

  it.each([0, 1])(
    'worker %#: subscribed to its topic, with its dead-letter queue for undeliverable messages',
    (i) => {
      const [name, topic, deadLetterQueue] = topics()[i] ?? [];
      if (!name || !topic || !deadLetterQueue) throw new Error('No such worker');
      const subscriptions = Object.values(
        template.findResources('AWS::SNS::Subscription', { Properties: { Endpoint: arnOf(worker(name)) } }),
      );
      expect(subscriptions.map((s) => s.Properties)).toEqual([
        {
          Protocol: 'lambda',
          TopicArn: { Ref: logicalId(topic) },
          Endpoint: arnOf(worker(name)),
          RedrivePolicy: { deadLetterTargetArn: arnOf(deadLetterQueue) },
        },
      ]);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(worker(name)),
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: logicalId(topic) },
      });
    },
  );

  it('two subscriptions in all, one per topic', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
  });

  it.each([0, 1])(
    'worker %#: a failing invocation is retried twice, then parked in the same dead-letter queue, kept two weeks',
    (i) => {
      const [name, topic, deadLetterQueue] = topics()[i] ?? [];
      if (!name || !topic || !deadLetterQueue) throw new Error('No such worker');
      expect(lambdaOf(worker(name)).Properties.DeadLetterConfig).toEqual({
        TargetArn: arnOf(deadLetterQueue),
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(worker(name)) },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
      });
      const queue = template.toJSON().Resources[logicalId(deadLetterQueue)].Properties;
      expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(queue.SqsManagedSseEnabled).toBe(true);
      // SNS may park messages it could not deliver there, from this topic only.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(deadLetterQueue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(topic) } } },
            }),
          ]),
        },
      });
    },
  );

  it.each(['sms-events', 'sms-inbound'] as const)(
    '%s reads and writes the main table, records events once (PutItem), reads the keyring, and sends no SMS',
    (name) => {
      const statements = statementsOf(worker(name));
      const actions = actionsOf(statements);
      expect(actions).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      );
      expect(actions).toContain('secretsmanager:GetSecretValue');
      const onEvents = statements.filter((s) =>
        JSON.stringify(resourcesOf(s)).includes(`"${logicalId(stack.data.eventsTable)}"`),
      );
      expect(actionsOf(onEvents)).toEqual(['dynamodb:PutItem']);
      expect(smsStatements(statements)).toEqual([]);
    },
  );
});

describe('tracking', () => {
  it('reads SMS short links (GetItem of SHORT# items) and nothing else of the main table', () => {
    const tracking = stack.api.functions.get('tracking');
    if (!tracking) throw new Error('No tracking function');
    const onMain = statementsOf(tracking).filter((s) =>
      JSON.stringify(resourcesOf(s)).includes(`"${logicalId(stack.data.table)}"`),
    );
    expect(onMain).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: arnOf(stack.data.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SHORT#*'] } },
      },
    ]);
  });
});

describe('templates and campaigns', () => {
  it.each(['templates', 'campaigns'] as const)('%s reads the SMS templates from its package', (name) => {
    const fn = stack.api.functions.get(name);
    if (!fn) throw new Error(`No function ${name}`);
    expect(lambdaOf(fn).Properties.Environment.Variables.SMS_TEMPLATES_DIR).toBe('/var/task/templates/sms');
  });
});

/** A synthesis with some context, and what its sender finds in its environment and may do. */
function withContext(context: Record<string, unknown>) {
  const { stack: custom } = makeStack({ ...NO_BUNDLING, ...context });
  const inspected = inspect(custom);
  const sender = worker('sender', custom);
  return {
    stack: custom,
    ...inspected,
    env: inspected.lambdaOf(sender).Properties.Environment.Variables,
    smsStatements: smsStatements(inspected.statementsOf(sender)),
  };
}

describe('sender', () => {
  it('without an origination identity: SMS_PROVIDER=none, and no SMS permission anywhere', () => {
    const env = lambdaOf(worker('sender')).Properties.Environment.Variables;
    expect(env.SMS_PROVIDER).toBe('none');
    expect(env.SMS_ORIGINATION_IDENTITY).toBeUndefined();
    expect(env.SMS_CONFIGURATION_SET).toBeUndefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(
      /sms-voice:|mobiletargeting:/,
    );
    // The synthesis says what is missing.
    expect(
      Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('smsOriginationIdentity')),
    ).toHaveLength(1);
  });

  it('with smsOriginationIdentity=pool-123: SendTextMessage on the pool and the configuration set, exactly', () => {
    const {
      stack: custom,
      logicalId: id,
      env,
      smsStatements: statements,
    } = withContext({
      smsOriginationIdentity: 'pool-123',
    });
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'sms-voice:SendTextMessage',
        // In IAM's order (minimised policies sort them).
        Resource: [
          arn('sms-voice', ':configuration-set/', { Ref: id(custom.sms.configurationSet) }),
          arn('sms-voice', ':pool/pool-123'),
        ],
      },
    ]);
    expect(env).toMatchObject({
      SMS_PROVIDER: 'sms-voice-v2',
      SMS_ORIGINATION_IDENTITY: 'pool-123',
      SMS_CONFIGURATION_SET: { Ref: id(custom.sms.configurationSet) },
    });
    expect(env.SMS_MAX_PRICE).toBeUndefined();
    expect(env.PINPOINT_APPLICATION_ID).toBeUndefined();
    expect(
      Annotations.fromStack(custom).findInfo('*', Match.stringLikeRegexp('smsOriginationIdentity')),
    ).toEqual([]);
    // The sender alone may send SMS.
    for (const fn of [...custom.api.functions.values(), ...custom.sms.functions.values()]) {
      expect(smsStatements(inspect(custom).statementsOf(fn)), fn.node.path).toEqual([]);
    }
  });

  it.each([
    ['phone-0123456789abcdef', [':phone-number/phone-0123456789abcdef'], 'phone-0123456789abcdef'],
    ['sender-id/MYSHOP/FR', [':sender-id/MYSHOP/FR'], 'arn'],
  ])('with smsOriginationIdentity=%s: SendTextMessage on it, by ARN', (identity, resource, passed) => {
    const { env, smsStatements: statements } = withContext({ smsOriginationIdentity: identity });
    expect(statements).toHaveLength(1);
    expect(resourcesOf(statements[0] as Statement)).toContainEqual(arn('sms-voice', ...resource));
    // A sender ID is passed to the API by ARN: its bare name is ambiguous across countries.
    expect(env.SMS_ORIGINATION_IDENTITY).toEqual(passed === 'arn' ? arn('sms-voice', ...resource) : passed);
  });

  it('a full ARN (a pool shared from another account) is taken as it is', () => {
    const poolArn = 'arn:aws:sms-voice:eu-west-3:111122223333:pool/pool-abc';
    const { env, smsStatements: statements } = withContext({
      smsOriginationIdentity: poolArn,
      smsMaxPrice: '0.10',
    });
    expect(statements).toHaveLength(1);
    expect(resourcesOf(statements[0] as Statement)).toContain(poolArn);
    expect(resourcesOf(statements[0] as Statement)).toHaveLength(2);
    expect(env).toMatchObject({ SMS_ORIGINATION_IDENTITY: poolArn, SMS_MAX_PRICE: '0.10' });
  });

  it('with smsProvider=pinpoint: SendMessages in the project only, and nothing of End User Messaging', () => {
    const { env, smsStatements: statements } = withContext({
      smsProvider: 'pinpoint',
      pinpointApplicationId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      pinpointOriginationNumber: '+33612345678',
    });
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'mobiletargeting:SendMessages',
        Resource: arn('mobiletargeting', ':apps/a1b2c3d4e5f60718293a4b5c6d7e8f90/messages'),
      },
    ]);
    expect(env).toMatchObject({
      SMS_PROVIDER: 'pinpoint',
      PINPOINT_APPLICATION_ID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      PINPOINT_ORIGINATION_NUMBER: '+33612345678',
    });
    expect(env.SMS_ORIGINATION_IDENTITY).toBeUndefined();
    expect(env.SMS_CONFIGURATION_SET).toBeUndefined();
  });

  it('with smsProvider=none: no SMS permission', () => {
    const { env, smsStatements: statements } = withContext({ smsProvider: 'none' });
    expect(env.SMS_PROVIDER).toBe('none');
    expect(statements).toEqual([]);
  });

  it('quiet hours, time zone, pace and short links reach the sender; short links reach templates, campaigns, automations and the runner', () => {
    const {
      stack: custom,
      env,
      lambdaOf: lambda,
    } = withContext({
      smsQuietHours: '20:30-09:00',
      defaultTimeZone: 'America/Martinique',
      smsRatePerSecond: '2',
      shortLinkBaseUrl: 'https://rl.example',
    });
    expect(env).toMatchObject({
      SMS_QUIET_HOURS: '20:30-09:00',
      DEFAULT_TIME_ZONE: 'America/Martinique',
      SMS_RATE_PER_SECOND: '2',
      SHORT_LINK_BASE_URL: 'https://rl.example',
    });
    for (const [name, fn] of custom.api.functions) {
      const expected = ['templates', 'campaigns', 'automations'].includes(name)
        ? 'https://rl.example'
        : undefined;
      expect(lambda(fn).Properties.Environment.Variables.SHORT_LINK_BASE_URL, name).toBe(expected);
    }
    const runner = custom.automation.functions.get('automation-runner') as RelanceFunction;
    expect(lambda(runner).Properties.Environment.Variables.SHORT_LINK_BASE_URL).toBe('https://rl.example');
  });

  it('a job is sized for the slower channel: 4 jobs at the SMS pace fit in half the sender timeout', () => {
    const { stack: custom, lambdaOf: lambda } = withContext({
      sendRatePerSecond: '2',
      smsRatePerSecond: '0.25',
    });
    const planner = custom.sending.functions.get('planner') as RelanceFunction;
    // 60 s × 0.25 SMS/s × 50 % / 4 jobs.
    expect(lambda(planner).Properties.Environment.Variables.RECIPIENTS_PER_JOB).toBe('1');
  });

  it.each([
    [{ smsProvider: 'twilio' }, /smsProvider/],
    [{ smsOriginationIdentity: '+33612345678' }, /smsOriginationIdentity.*phone number id/],
    [{ smsOriginationIdentity: 'pool 123' }, /smsOriginationIdentity/],
    [{ smsOriginationIdentity: 'sender-id/MYSHOP' }, /smsOriginationIdentity/],
    [
      { smsOriginationIdentity: 'arn:aws:sns:eu-west-3:111122223333:pool/pool-abc' },
      /smsOriginationIdentity/,
    ],
    [{ smsOriginationIdentity: 'pool-123', smsMaxPrice: '10 cents' }, /smsMaxPrice/],
    [{ smsProvider: 'pinpoint' }, /pinpointApplicationId/],
    [{ smsProvider: 'pinpoint', pinpointApplicationId: 'app/1' }, /pinpointApplicationId/],
    [
      { smsProvider: 'pinpoint', pinpointApplicationId: 'abc', pinpointOriginationNumber: 'MYSHOP' },
      /pinpointOrigination/,
    ],
    [{ smsProvider: 'pinpoint', pinpointApplicationId: 'abc', smsOriginationIdentity: 'pool-1' }, /not read/],
    [{ smsOriginationIdentity: 'pool-1', pinpointApplicationId: 'abc' }, /pinpointApplicationId.*not read/],
    [{ smsQuietHours: '9pm-8am' }, /smsQuietHours/],
    [{ defaultTimeZone: 'Europe/Rennes' }, /defaultTimeZone/],
    [{ smsRatePerSecond: 'fast' }, /smsRatePerSecond/],
    [{ smsRatePerSecond: '0.1' }, /smsRatePerSecond 0.1 is too low/],
    [{ shortLinkBaseUrl: 'http://rl.example' }, /shortLinkBaseUrl/],
  ])('%j fails the synthesis', (context, message) => {
    expect(() => makeStack({ ...NO_BUNDLING, ...context })).toThrow(message);
  });
});

describe('outputs', () => {
  it('the inbound topic, to set as the two-way channel of the number or pool', () => {
    template.hasOutput('SmsInboundTopicArn', {
      Value: { Ref: logicalId(stack.sms.inboundTopic) },
      Description: Match.stringLikeRegexp('two-way channel'),
    });
  });

  it('the configuration set', () => {
    template.hasOutput('SmsConfigurationSetName', { Value: { Ref: logicalId(stack.sms.configurationSet) } });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it.each([
    ['End User Messaging', { smsOriginationIdentity: 'pool-123', smsMaxPrice: '0.10' }],
    ['Pinpoint', { smsProvider: 'pinpoint', pinpointApplicationId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }],
  ])('finds nothing that is not acknowledged when SMS are sent with %s', (_, context) => {
    const { app, stack: fresh } = makeStack({ ...NO_BUNDLING, ...context });
    expectNagClean(app, fresh);
  });
});
