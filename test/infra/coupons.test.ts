import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../functions/routes';
import type { RelanceFunction } from '../../infra/function';
import type { RelanceStack } from '../../infra/stack';
import { actionsOf, inspect, makeStack, NO_BUNDLING, resourcesOf } from './helpers';

let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let lambdaOf: ReturnType<typeof inspect>['lambdaOf'];
let statementsOf: ReturnType<typeof inspect>['statementsOf'];

const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

function api(name: FunctionName): RelanceFunction {
  const fn = stack.api.functions.get(name);
  if (!fn) throw new Error(`No function ${name}`);
  return fn;
}

function redemptions(): RelanceFunction {
  const fn = stack.coupons.functions.get('redemptions');
  if (!fn) throw new Error('No redemptions worker');
  return fn;
}

beforeAll(() => {
  // The template is all these tests look at: no bundling.
  ({ stack } = makeStack(NO_BUNDLING));
  ({ template, logicalId, lambdaOf, statementsOf } = inspect(stack));
});

describe('redemptions worker', () => {
  const streamMapping = () => {
    const found = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.table), 'StreamArn'] } },
      }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties as Record<string, unknown>;
  };

  it("reads the main table's stream, which carries old and new images, in batches of 25 from its oldest record", () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: Match.anyValue(),
      DeletionProtectionEnabled: true,
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(streamMapping()).toMatchObject({
      FunctionName: { Ref: logicalId(redemptions()) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
    });
  });

  it('receives changes (MODIFY) of coupon items only', () => {
    const filters = (streamMapping().FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.Pattern ?? '{}')).toEqual({
      eventName: ['MODIFY'],
      dynamodb: { NewImage: { type: { S: ['coupon'] } } },
    });
  });

  it('halves and retries a failing batch 5 times, as a whole, then parks it in its dead-letter queue', () => {
    const mapping = streamMapping();
    expect(mapping).toMatchObject({
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.coupons.redemptionsDeadLetterQueue) } },
    });
    // The handler throws for the whole batch (it is idempotent): no partial batch response.
    expect(mapping.FunctionResponseTypes).toBeUndefined();
  });

  it('its dead-letter queue keeps records two weeks, encrypted, and refuses requests without TLS', () => {
    const queue = logicalId(stack.coupons.redemptionsDeadLetterQueue);
    expect(template.toJSON().Resources[queue].Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
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
    template.hasOutput('RedemptionsDeadLetterQueueUrl', {
      Value: { Ref: queue },
    });
  });

  it('60 s, 512 MB, and nothing on the events table', () => {
    expect(lambdaOf(redemptions()).Properties).toMatchObject({ Timeout: 60, MemorySize: 512 });
    const events = logicalId(stack.data.eventsTable);
    expect(JSON.stringify(statementsOf(redemptions()))).not.toContain(`"${events}"`);
  });
});

describe('coupons (the till API)', () => {
  it('may only GetItem and UpdateItem, on the main table itself: no index, no query, no keyring', () => {
    const statements = statementsOf(api('coupons')).filter((s) =>
      actionsOf([s]).some((a) => !a.startsWith('logs:')),
    );
    expect(actionsOf(statements).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(statements.flatMap(resourcesOf)).toEqual([arnOf(stack.data.table)]);
    expect(statements.every((s) => s.Condition === undefined)).toBe(true);
    expect(JSON.stringify(statementsOf(api('coupons')))).not.toContain(logicalId(stack.data.keyring));
  });

  it('512 MB and 10 s, with the shared environment only', () => {
    const props = lambdaOf(api('coupons')).Properties;
    expect(props).toMatchObject({ Timeout: 10, MemorySize: 512 });
    // The look-up limit and the void window have code defaults.
    expect(Object.keys(props.Environment.Variables)).not.toContain('COUPON_LOOKUP_LIMIT_PER_MINUTE');
    expect(Object.keys(props.Environment.Variables)).not.toContain('COUPON_VOID_WINDOW_MINUTES');
  });
});

describe('coupon-pages (the printable coupon)', () => {
  it('1024 MB, the company footer, the keyring and the main table with its index', () => {
    const props = lambdaOf(api('coupon-pages')).Properties;
    expect(props.MemorySize).toBe(1024);
    expect(props.Environment.Variables).toMatchObject({
      COMPANY_NAME: expect.stringMatching(/Set the companyName context/),
      COMPANY_ADDRESS: expect.stringMatching(/Set the companyAddress context/),
    });
    const statements = JSON.stringify(statementsOf(api('coupon-pages')));
    expect(statements).toContain('secretsmanager:GetSecretValue');
    expect(statements).toContain('/index/*');
  });
});
