import { readFileSync } from 'node:fs';
import { App, CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import type { FunctionName, WorkerName } from '../../functions/routes';
import { RelanceFunction } from '../../infra/function';
import { RelanceStack } from '../../infra/stack';

/** The feature flags and context the CLI passes to the app, so the tests synthesise what `cdk deploy` would. */
export const cdkContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** Skips esbuild: for tests that look at the template, not at the bundles. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export function makeStack(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkContext, ...context } });
  return { app, stack: new RelanceStack(app, 'Relance') };
}

/** The function serving a handler of the route table, or a worker, whichever construct owns it. */
export function functionNamed(stack: RelanceStack, name: FunctionName | WorkerName): RelanceFunction {
  const fn =
    stack.api.functions.get(name as FunctionName) ??
    stack.sending.functions.get(name as WorkerName) ??
    stack.coupons.functions.get(name as WorkerName) ??
    stack.imports.functions.get(name as WorkerName) ??
    stack.sms.functions.get(name as WorkerName) ??
    stack.automation.functions.get(name as WorkerName) ??
    stack.webhooks.functions.get(name as WorkerName);
  if (!fn) throw new Error(`No function ${name}`);
  return fn;
}

/** Every function of the stack: the route table's, the authorizer and the workers. */
export const allFunctionsOf = (stack: RelanceStack): RelanceFunction[] =>
  stack.node.findAll().filter((c): c is RelanceFunction => c instanceof RelanceFunction);

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

/** Every resource a statement names, one per entry. */
export const resourcesOf = (statement: Statement) => [statement.Resource].flat();

/** Looks into a synthesised stack: logical ids, and what each function's role may do. */
export function inspect(stack: RelanceStack) {
  const template = Template.fromStack(stack);
  /** The logical id of a CloudFormation resource, or of the one an L2 construct wraps. */
  const logicalId = (c: IConstruct) =>
    stack.getLogicalId(c instanceof CfnElement ? c : (c.node.defaultChild as CfnElement));

  /** Every statement of every policy attached to the function's role. */
  const statementsOf = (fn: RelanceFunction): Statement[] => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: logicalId(fn.serviceRole) }]) },
    });
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  };

  /** The Lambda resource of a function. */
  const lambdaOf = (fn: RelanceFunction) => {
    const resource = template.toJSON().Resources[logicalId(fn)];
    if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`No Lambda for ${fn.node.path}`);
    return resource as {
      Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
    };
  };

  /**
   * The API Gateway route of a route key (`POST /v1/imports`): its properties, and what its
   * integration invokes (`{ 'Fn::GetAtt': [<function>, 'Arn'] }`).
   */
  const routeOf = (key: string) => {
    const found = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }),
    );
    if (found.length !== 1) throw new Error(`${found.length} routes ${key}, not one`);
    const properties = found[0]?.Properties as Record<string, unknown> & {
      Target: { 'Fn::Join': [string, [string, { Ref: string }]] };
    };
    const integration = template.toJSON().Resources[properties.Target['Fn::Join'][1][1].Ref];
    return { properties, invokes: integration.Properties.IntegrationUri as unknown };
  };

  return { template, logicalId, statementsOf, lambdaOf, routeOf };
}

/**
 * cdk-nag's AwsSolutions pack finds nothing that is not acknowledged in `stack`, the plugin lets
 * the app synthesise (as infra/app.ts wires it), and nothing else warns or fails either.
 */
export function expectNagClean(app: App, stack: Stack): void {
  const checks = new AwsSolutionsChecks(app);
  const report = checks.validateScope(stack);
  const findings = report.violations.map(
    (v) =>
      `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`,
  );
  expect(findings).toEqual([]);
  Validations.of(app).addPlugins(checks);
  expect(() => app.synth()).not.toThrow();
  const annotations = Annotations.fromStack(stack);
  expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
}
