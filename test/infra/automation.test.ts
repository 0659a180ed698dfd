import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { scheduleName } from '../../functions/adapters/scheduler';
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

function campaigns(from: RelanceStack = stack): RelanceFunction {
  const fn = from.api.functions.get('campaigns');
  if (!fn) throw new Error('No campaigns function');
  return fn;
}

function runner(from: RelanceStack = stack): RelanceFunction {
  const fn = from.automation.functions.get('automation-runner');
  if (!fn) throw new Error('No automation runner');
  return fn;
}

function automations(from: RelanceStack = stack): RelanceFunction {
  const fn = from.api.functions.get('automations');
  if (!fn) throw new Error('No automations function');
  return fn;
}

/** Every function of a stack, the authorizer included. */
const allFunctions = (from: RelanceStack): RelanceFunction[] => [
  ...from.api.functions.values(),
  from.api.authorizerFunction,
  ...from.sending.functions.values(),
  ...from.sms.functions.values(),
  ...from.coupons.functions.values(),
  ...from.automation.functions.values(),
  ...from.webhooks.functions.values(),
];

/** Statements whose actions include one of a service's (`scheduler:`), or this one action. */
const withActions = (statements: Statement[], test: (action: string) => boolean) =>
  statements.filter((s) => actionsOf([s]).some(test));

beforeAll(() => {
  // The default context: no SMS origination identity, no frequency cap. No bundling.
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf } = inspect(stack));
});

describe('scheduled campaigns', () => {
  it('one schedule group, owned by the stack and named after it', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Relance-campaigns' });
    expect(stack.automation.scheduleGroup.scheduleGroupName).toBe('Relance-campaigns');
    // No schedule is deployed: campaigns create theirs when they are sent.
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.hasOutput('ScheduleGroupName', { Value: 'Relance-campaigns' });
  });

  it('the scheduler role: only EventBridge Scheduler may assume it, for schedules of this account and group', () => {
    const role = template.toJSON().Resources[logicalId(stack.automation.schedulerRole)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': arnOf(stack.automation.scheduleGroup),
          },
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('the scheduler role may send to the plan queue, exactly, and nothing else (the queue needs no KMS key)', () => {
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: Match.arrayWith([{ Ref: logicalId(stack.automation.schedulerRole) }]) },
      }),
    );
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.sending.plan.queue) },
    ]);
    // SQS-managed encryption: no customer key for Scheduler to encrypt with.
    const queue = template.toJSON().Resources[logicalId(stack.sending.plan.queue)].Properties;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.KmsMasterKeyId).toBeUndefined();
  });

  it("campaigns may create and delete the campaigns' schedules in that group, and nothing else of Scheduler", () => {
    const statements = withActions(statementsOf(campaigns()), (a) => a.startsWith('scheduler:'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        Resource: arn('scheduler', ':schedule/Relance-campaigns/relance-*'),
      },
    ]);
    // The pattern is the adapter's own naming.
    expect(scheduleName('cmp_01J9')).toBe('relance-cmp_01J9');
  });

  it('campaigns may pass the scheduler role, and only to EventBridge Scheduler', () => {
    const statements = withActions(statementsOf(campaigns()), (a) => a.startsWith('iam:'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arnOf(stack.automation.schedulerRole),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it('campaigns is told the plan queue ARN, the group and the role: with all three it schedules', () => {
    expect(lambdaOf(campaigns()).Properties.Environment.Variables).toMatchObject({
      PLAN_QUEUE_ARN: arnOf(stack.sending.plan.queue),
      SCHEDULER_GROUP: 'Relance-campaigns',
      SCHEDULER_ROLE_ARN: arnOf(stack.automation.schedulerRole),
    });
  });

  it('campaigns is deployed after the schedule group: a campaign scheduled at once finds it', () => {
    const resource = template.toJSON().Resources[logicalId(campaigns())];
    expect(resource.DependsOn).toEqual(expect.arrayContaining([logicalId(stack.automation.scheduleGroup)]));
  });

  it('no other function may schedule, pass a role, or is told how to', () => {
    for (const fn of allFunctions(stack).filter((f) => f !== campaigns())) {
      const statements = withActions(
        statementsOf(fn),
        (a) => a.startsWith('scheduler:') || a.startsWith('iam:'),
      );
      expect(statements, fn.node.path).toEqual([]);
      const env = lambdaOf(fn).Properties.Environment.Variables;
      expect(env.SCHEDULER_ROLE_ARN, fn.node.path).toBeUndefined();
      expect(env.PLAN_QUEUE_ARN, fn.node.path).toBeUndefined();
    }
  });
});

describe('automation runner', () => {
  it('an EventBridge rule invokes it every 5 minutes', () => {
    const rule = template.toJSON().Resources[logicalId(stack.automation.runnerRule)];
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: arnOf(runner()),
          Id: expect.any(String),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 240 },
        },
      ],
    });
    expect(rule.Properties.EventPattern).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(runner()),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(stack.automation.runnerRule),
    });
  });

  it('a failed or late tick is dropped, not retried: the next one is five minutes away', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(runner()) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 240,
    });
  });

  it('runs for at most 2 minutes, with 512 MB (it compiles MJML, as campaigns does), and no reserved concurrency', () => {
    const props = lambdaOf(runner()).Properties;
    expect(props.Timeout).toBe(120);
    expect(props.MemorySize).toBe(lambdaOf(campaigns()).Properties.MemorySize);
    // Runs and steps are claimed with conditional writes; reserving concurrency would fail the
    // deployment in accounts whose concurrency quota is 10.
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('its links point at the API (PUBLIC_BASE_URL), with no dependency cycle', () => {
    const env = lambdaOf(runner()).Properties.Environment.Variables;
    expect(env.PUBLIC_BASE_URL).toEqual(stack.resolve(stack.api.url));
    expect(env.PUBLIC_BASE_URL).toEqual(template.toJSON().Outputs.ApiUrl.Value);
    expect(JSON.stringify(env.PUBLIC_BASE_URL)).toContain(`"Ref":"${logicalId(stack.api.httpApi)}"`);
  });

  it('creates campaigns as campaigns does: templates, footer, identity, SMS, time zone, plan queue', () => {
    const env = lambdaOf(runner()).Properties.Environment.Variables;
    const campaignsEnv = lambdaOf(campaigns()).Properties.Environment.Variables;
    for (const name of [
      'TEMPLATES_DIR',
      'SMS_TEMPLATES_DIR',
      'COMPANY_NAME',
      'COMPANY_ADDRESS',
      'SENDER_IDENTITY',
      'SMS_ENABLED',
      'PLAN_QUEUE_URL',
    ]) {
      expect(env[name], name).toEqual(campaignsEnv[name]);
    }
    expect(env).toMatchObject({
      TEMPLATES_DIR: '/var/task/templates/email',
      SMS_TEMPLATES_DIR: '/var/task/templates/sms',
      PLAN_QUEUE_URL: { Ref: logicalId(stack.sending.plan.queue) },
      DEFAULT_TIME_ZONE: 'Europe/Paris',
    });
  });

  it('may send to the plan queue and read and write the main table, but neither schedules nor signs', () => {
    const statements = statementsOf(runner());
    const sends = withActions(statements, (a) => a === 'sqs:SendMessage');
    expect(sends.flatMap(resourcesOf)).toEqual([arnOf(stack.sending.plan.queue)]);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
    expect(
      actionsOf(statements).filter((a) => /^(scheduler|iam|secretsmanager|ses|sms-voice):/.test(a)),
    ).toEqual([]);
  });
});

describe('automations (API)', () => {
  it('compiles templates (in its package), in the automations time zone, knowing whether SMS are on', () => {
    expect(lambdaOf(automations()).Properties.Environment.Variables).toMatchObject({
      TEMPLATES_DIR: '/var/task/templates/email',
      SMS_TEMPLATES_DIR: '/var/task/templates/sms',
      SENDER_IDENTITY: 'example.com',
      SMS_ENABLED: 'false',
      DEFAULT_TIME_ZONE: 'Europe/Paris',
    });
  });

  it('reads and writes the main table; no queue, no scheduler, no keyring', () => {
    const actions = actionsOf(statementsOf(automations()));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem']));
    expect(actions.filter((a) => /^(sqs|scheduler|iam|secretsmanager|ses):/.test(a))).toEqual([]);
  });
});

/** A synthesis with some context, and the environment of one of its functions. */
function withContext(context: Record<string, unknown>) {
  const { stack: custom } = makeStack({ ...NO_BUNDLING, ...context });
  const inspected = inspect(custom);
  const env = (fn: RelanceFunction) => inspected.lambdaOf(fn).Properties.Environment.Variables;
  return { stack: custom, ...inspected, env };
}

describe('SMS_ENABLED', () => {
  const makers = (from: RelanceStack) => [campaigns(from), automations(from), runner(from)];

  it('false without an SMS origination identity (the default), on campaigns, automations and the runner', () => {
    for (const fn of makers(stack)) {
      expect(lambdaOf(fn).Properties.Environment.Variables.SMS_ENABLED, fn.node.path).toBe('false');
    }
    const { stack: none, env } = withContext({ smsProvider: 'none' });
    for (const fn of makers(none)) expect(env(fn).SMS_ENABLED, fn.node.path).toBe('false');
  });

  it.each([
    ['an End User Messaging pool', { smsOriginationIdentity: 'pool-123' }],
    [
      'a Pinpoint project',
      { smsProvider: 'pinpoint', pinpointApplicationId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' },
    ],
  ])('true with %s', (_, context) => {
    const { stack: custom, env } = withContext(context);
    for (const fn of makers(custom)) expect(env(fn).SMS_ENABLED, fn.node.path).toBe('true');
  });

  it('no other function is told', () => {
    for (const fn of allFunctions(stack).filter((f) => !makers(stack).includes(f))) {
      expect(lambdaOf(fn).Properties.Environment.Variables.SMS_ENABLED, fn.node.path).toBeUndefined();
    }
  });
});

describe('frequencyCap context', () => {
  it('unset by default: no cap, no FREQUENCY_CAP anywhere', () => {
    for (const fn of allFunctions(stack)) {
      expect(lambdaOf(fn).Properties.Environment.Variables.FREQUENCY_CAP, fn.node.path).toBeUndefined();
    }
  });

  it.each(['2/7', '1/1', '999/365'])(
    '%s reaches the sender as FREQUENCY_CAP, and no other function',
    (cap) => {
      const { stack: custom, env } = withContext({ frequencyCap: cap });
      const sender = custom.sending.functions.get('sender') as RelanceFunction;
      expect(env(sender).FREQUENCY_CAP).toBe(cap);
      for (const fn of allFunctions(custom).filter((f) => f !== sender)) {
        expect(env(fn).FREQUENCY_CAP, fn.node.path).toBeUndefined();
      }
    },
  );

  it.each(['2 per week', '0/7', '2/0', '1000/7', '2/7/1', '2/', '/7', ' 2/7'])(
    'an invalid frequencyCap (%j) fails the synthesis, saying the format',
    (frequencyCap) => {
      expect(() => makeStack({ ...NO_BUNDLING, frequencyCap })).toThrow(
        /Context "frequencyCap" must be messages\/days, such as 2\/7/,
      );
    },
  );
});

describe('cdk-nag (AwsSolutions)', () => {
  it('finds nothing that is not acknowledged with SMS, a frequency cap and a public base URL', () => {
    const { app, stack: fresh } = makeStack({
      ...NO_BUNDLING,
      smsOriginationIdentity: 'pool-123',
      frequencyCap: '2/7',
      publicBaseUrl: 'https://news.shop.example',
    });
    expectNagClean(app, fresh);
  });

  it("the one wildcard of the campaigns' role, on its schedules, is acknowledged with a reason", () => {
    const acknowledged = campaigns()
      .serviceRole.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, unknown>));
    expect(acknowledged).toContain(
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/Relance-campaigns/relance-*]',
    );
  });
});
