import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE, MAIN_TABLE } from '../../functions/adapters/dynamo/table';
import { FUNCTIONS, type FunctionName, ROUTES, routeKey, WORKERS, type WorkerName } from '../../functions/routes';
import type { RelanceFunction } from '../../infra/function';
import { PLACEHOLDER_SENDER_IDENTITY, type RelanceStack } from '../../infra/stack';
import { actionsOf, inspect, makeStack, NO_BUNDLING, resourcesOf } from './helpers';

let app: App;
let stack: RelanceStack;
let template: Template;
let logicalId: ReturnType<typeof inspect>['logicalId'];
let statementsOf: ReturnType<typeof inspect>['statementsOf'];
let lambdaOf: ReturnType<typeof inspect>['lambdaOf'];

function authorizerId(): string {
  const ids = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function fnNamed(name: FunctionName | WorkerName): RelanceFunction {
  const fn = stack.api.functions.get(name as FunctionName) ?? stack.sending.functions.get(name as WorkerName);
  if (!fn) throw new Error(`No function ${name}`);
  return fn;
}

beforeAll(() => {
  // The one synthesis that bundles every handler with esbuild, proving that they all bundle.
  ({ app, stack } = makeStack());
  ({ template, logicalId, statementsOf, lambdaOf } = inspect(stack));
}, 120_000);

describe('data', () => {
  it('main table: keys, gsi1, on-demand, PITR, encryption, retained', () => {
    const index = MAIN_TABLE.indexes[0];
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: MAIN_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: MAIN_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(
          [MAIN_TABLE.partitionKey, MAIN_TABLE.sortKey, index.partitionKey, index.sortKey].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
        ),
        GlobalSecondaryIndexes: [
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('events table: keys and TTL on expiresAt, encrypted', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: EVENTS_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: EVENTS_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: EVENTS_TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });

  it('keyring: a generated secret of at least 48 characters, without punctuation, retained', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.DeletionPolicy).toBe('Retain');
    const generate = secrets[0]?.Properties.GenerateSecretString;
    expect(generate.ExcludePunctuation).toBe(true);
    expect(generate.PasswordLength).toBeGreaterThanOrEqual(48);
  });
});

describe('routes', () => {
  it('one API Gateway route per entry of the route table, and no other', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s', (key, route) => {
    const found = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }),
    );
    expect(found).toHaveLength(1);
    const props = found[0]?.Properties;

    // Every /v1 route goes through the API-key authorizer, whatever the route table says.
    if (route.path.startsWith('/v1') || route.auth !== 'public') {
      expect(props.AuthorizationType).toBe('CUSTOM');
      expect(props.AuthorizerId).toEqual({ Ref: authorizerId() });
    } else {
      expect(props.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
    }

    // And it reaches the function the route table names.
    const integrationId = props.Target['Fn::Join'][1][1].Ref as string;
    const integration = template.toJSON().Resources[integrationId];
    expect(integration.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [logicalId(fnNamed(route.fn)), 'Arn'],
    });
  });

  it('GET /health is public', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /health',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });

  it('the authorizer: simple responses, Authorization header, cached for a minute', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerUri: {
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalId(stack.api.authorizerFunction), 'Arn'] }]),
        ],
      },
    });
  });

  it('the $default stage auto-deploys, logs every request and is throttled', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('functions', () => {
  it('one function per handler file in the route table, plus the authorizer', () => {
    expect([...stack.api.functions.keys()].sort()).toEqual([...new Set(ROUTES.map((r) => r.fn))].sort());
    template.resourceCountIs('AWS::Lambda::Function', stack.api.functions.size + 1);
  });

  it('every function: Node 22 on ARM64, ESM bundle with source maps, 512 MB, 10 s, own log group', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_NAME: { Ref: logicalId(stack.data.table) },
          EVENTS_TABLE_NAME: { Ref: logicalId(stack.data.eventsTable) },
          KEYRING_SECRET_ARN: { Ref: logicalId(stack.data.keyring) },
          DEFAULT_COUNTRY: 'FR',
          POWERTOOLS_SERVICE_NAME: 'relance',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
  });

  it('every log group has a retention', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('no role uses an AWS-managed policy (each may write only to its own log group)', () => {
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    const fn = fnNamed('health');
    expect(statementsOf(fn)).toContainEqual(
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalId(fn.functionLogGroup), 'Arn'] } }),
    );
  });

  it('the authorizer may only GetItem, on API key items of the main table', () => {
    const statements = statementsOf(stack.api.authorizerFunction);
    expect(actionsOf(statements).sort()).toEqual([
      'dynamodb:GetItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const dynamo = statements.find((s) => actionsOf([s]).includes('dynamodb:GetItem'));
    expect(dynamo?.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] });
    expect(dynamo?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*'] },
    });
  });

  it('health has no DynamoDB nor Secrets Manager permission', () => {
    const actions = actionsOf(statementsOf(fnNamed('health')));
    expect(actions.filter((a) => /^(dynamodb|secretsmanager):/.test(a))).toEqual([]);
  });

  it.each(FUNCTIONS.filter((f) => f !== 'health'))(
    '%s reads and writes the main table and reads the keyring',
    (name) => {
      const statements = statementsOf(fnNamed(name));
      const actions = actionsOf(statements);
      expect(actions).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']),
      );
      expect(actions).toContain('secretsmanager:GetSecretValue');
      // Nothing on the events table, nothing on any other resource.
      const resources = JSON.stringify(statements.map((s) => s.Resource));
      expect(resources).not.toContain(logicalId(stack.data.eventsTable));
      expect(statements.every((s) => s.Resource !== '*')).toBe(true);
    },
  );
});

describe('outputs', () => {
  it.each(['ApiUrl', 'TableName', 'EventsTableName', 'KeyringSecretArn'])('%s', (name) => {
    template.hasOutput(name, { Value: Match.anyValue() });
  });
});

describe('context', () => {
  it('defaultCountry sets DEFAULT_COUNTRY', () => {
    const { stack: be } = makeStack({ ...NO_BUNDLING, defaultCountry: 'BE' });
    Template.fromStack(be).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEFAULT_COUNTRY: 'BE' }) },
    });
  });

  it('an invalid defaultCountry fails the synthesis', () => {
    expect(() => makeStack({ ...NO_BUNDLING, defaultCountry: 'france' })).toThrow(/defaultCountry/);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('finds nothing that is not acknowledged, and every acknowledgement has a reason', () => {
    const { app, stack: fresh } = makeStack(NO_BUNDLING);
    const checks = new AwsSolutionsChecks(app);

    const report = checks.validateScope(fresh);
    const findings = report.violations.map(
      (v) =>
        `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`,
    );
    expect(findings).toEqual([]);

    // The app wiring (infra/app.ts): the plugin runs during synthesis and would fail it.
    Validations.of(app).addPlugins(checks);
    expect(() => app.synth()).not.toThrow();

    // cdk-nag 3 reports through the validation report rather than annotations, but nothing else
    // (CDK itself, a construct library) may warn or fail either.
    const annotations = Annotations.fromStack(fresh);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);

    const acknowledgements = fresh.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(typeof reason === 'string' && reason.length >= 40, `${id} needs a reason`).toBe(true);
    }
  });

  it('is live: an unacknowledged finding is reported', () => {
    const { app, stack: fresh } = makeStack(NO_BUNDLING);
    new Secret(fresh, 'Unrotated');
    const report = new AwsSolutionsChecks(app).validateScope(fresh);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SMG4']);
  });
});
