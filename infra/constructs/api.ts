import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnRoute,
  type CfnStage,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Grant } from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { key } from '../../functions/adapters/dynamo/table';
import { type FunctionName, ROUTES, routeKey } from '../../functions/routes';
import { type HandlerName, RelanceFunction } from '../function';
import type { Data, MainTableAccess, MainTableIndex } from './data';
import { pascalCase } from './workers';

export interface ApiProps {
  /** Where the functions read and write. */
  readonly data: Data;
  /** Environment shared by every function (table names, keyring, defaults). */
  readonly environment: Record<string, string>;
  /**
   * Steady-state and burst request limits of the stage, for all routes together but the public
   * ones (the marketers' and the tills' `/v1` routes).
   * @default `DEFAULT_THROTTLE`: 50 requests per second, bursts of 100: ample for marketers and
   * tills, and a ceiling on what a leaked key or a runaway script can cost.
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Steady-state and burst request limits of each public route (`auth: 'public'` in the route
   * table: tracking, short links, coupons, unsubscribe, opt-in, view in browser, the till page, its
   * scripts, health), instead of the stage's: a campaign's recipients open, click and print in bursts.
   * @default `DEFAULT_PUBLIC_THROTTLE`: 1,000 requests per second, bursts of 2,000, per route
   */
  readonly publicThrottle?: ThrottleSettings;
  /**
   * What some functions get on top of the shared environment: more variables (the sending
   * configuration, queue URLs) and directories of the repository read at run time (the email
   * templates), copied into their package (see `RelanceFunctionProps.assets`).
   */
  readonly functionOptions?: Partial<Record<FunctionName, FunctionOptions>>;
}

/** Additions to one HTTP function. */
export interface FunctionOptions {
  readonly environment?: Record<string, string>;
  readonly assets?: readonly string[];
  /** The front-end build (the browser scripts pages load), see `RelanceFunctionProps.browserAssets`. */
  readonly browserAssets?: boolean;
}

/** What an HTTP function may do with the data. */
interface DataAccess {
  /** The main table: nothing, its items (indexes included), or only the keyed actions listed. */
  readonly table: 'none' | MainTableAccess;
  /**
   * With a list of keyed actions: the partition keys (patterns) of the only items they may touch,
   * enforced by IAM (`dynamodb:LeadingKeys`).
   */
  readonly leadingKeys?: readonly string[];
  /** With a list of keyed actions: the indexes it may query too, each by its own ARN. */
  readonly queryIndexes?: readonly MainTableIndex[];
  /** GetSecretValue on the HMAC keyring: signed tokens and keyed hashes of suppressed addresses. */
  readonly keyring: boolean;
  /** PutItem on the events table: raw opens and clicks. */
  readonly eventsTable?: boolean;
}

/** The stage's limits, those of the marketers' and the tills' routes. */
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const satisfies ThrottleSettings;
/**
 * Each public route's limits: a campaign sent to tens of thousands of recipients brings their opens
 * and clicks within minutes, a thousand a second at its peak, which the stage's limits would answer
 * 429 (a lost open, a dead link). Below the account's regional limits (10,000 a second, bursts of
 * 5,000, for every API of the account together).
 */
export const DEFAULT_PUBLIC_THROTTLE = {
  rateLimit: 1000,
  burstLimit: 2000,
} as const satisfies ThrottleSettings;

const READ_WRITE_AND_KEYRING: DataAccess = { table: 'readWrite', keyring: true };

/**
 * The least each HTTP function's code needs, in one table (workers get theirs in `Sending`,
 * `Coupons` and `Sms`).
 * `health` touches no data. `templates` only reads (a preview may show a stored contact and its
 * shop). `campaigns` reads and writes campaigns but signs and hashes nothing: the sender signs the
 * links, and the queue it feeds is granted by the stack. `pages` verifies signed tokens and
 * suppresses whoever unsubscribes (its static till page, and the scripts it reads from its own
 * package, need nothing). `tracking` verifies signed
 * tokens and writes raw opens and clicks to the events table; of the main table it only reads the
 * short links of SMS (`GET /s/{code}`), one item by key. `webhooks` touches webhook items only.
 * The others read and write the main table and use the keyring for the keyed hashes of suppressed
 * addresses (and `signups` for its signed opt-in links). What is not data is granted by the stack:
 * the plan queue and the scheduler to `campaigns`, SES to `signups`, the webhook queue to `pages`.
 */
const DATA_ACCESS: Record<FunctionName, DataAccess> = {
  health: { table: 'none', keyring: false },
  keys: READ_WRITE_AND_KEYRING,
  contacts: READ_WRITE_AND_KEYRING,
  'contacts-import': READ_WRITE_AND_KEYRING,
  // Import jobs: creates and reads them, signs their upload URLs (the bucket is granted by \`Imports\`)
  // and the page cursors of their refused lines (keyring).
  imports: { table: 'readWrite', keyring: true },
  purchases: READ_WRITE_AND_KEYRING,
  stores: READ_WRITE_AND_KEYRING,
  templates: { table: 'read', keyring: false },
  // Signs the campaigns list's page cursors (keyring).
  campaigns: { table: 'readWrite', keyring: true },
  pages: READ_WRITE_AND_KEYRING,
  // Verifies open and click tokens and writes the raw event; the recipient's marks and the counters
  // are the engagement aggregator's job (see `Sending`). An SMS short link (`/s/{code}`) is an item
  // of the main table, read by its key (GetItem), and nothing else there: IAM lets it read short-link
  // items only, so a leaked or buggy code path cannot read a contact through this public function.
  tracking: {
    table: ['dynamodb:GetItem'],
    leadingKeys: [key.shortLink('*').pk],
    keyring: true,
    eventsTable: true,
  },
  // Reads campaigns, their send records, counters and the recipients' purchases and the shops'
  // receipts (attribution, traffic); signs the CSV's page cursors (keyring).
  reports: { table: 'read', keyring: true },
  // The till API reads a coupon by its code and redeems or voids it with one conditional update, and
  // counts a store's failed look-ups in one item per minute: GetItem and UpdateItem by key, on the
  // table only. It lists nothing (no index) and signs nothing (no keyring).
  coupons: { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], keyring: false },
  // The printable coupon: verifies its signed token, reads the coupon and the shops (gsi1 lists them
  // all), and marks the recipient's send record and the campaign's counters when it is viewed or printed.
  'coupon-pages': READ_WRITE_AND_KEYRING,
  // Automations and their runs, read and written; it compiles the templates an automation names to
  // check them, and signs nothing (the runner creates the campaigns, the sender signs their links).
  automations: { table: 'readWrite', keyring: false },
  // Signs a customer up in a shop: creates or updates the contact and its consent (the keyed hashes
  // of suppressed addresses), signs the opt-in link it emails and verifies it when it comes back.
  signups: READ_WRITE_AND_KEYRING,
  // Webhook endpoints (WEBHOOK#<id>) and their deliveries log (the same partitions): registered
  // (PutItem), read (GetItem), deleted (DeleteItem), their log paged (Query); IAM holds all four to
  // webhook items. Listing the endpoints queries gsi1 (its WEBHOOKS partition), named by its ARN.
  // Their signing secrets are their own; the keyring signs the deliveries log's page cursors.
  webhooks: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    leadingKeys: [key.webhook('*').pk],
    queryIndexes: ['gsi1'],
    keyring: true,
  },
};

/**
 * Memory of the HTTP functions that need more than RelanceFunction's 512 MB. Lambda gives CPU in
 * proportion to memory: `coupon-pages` draws barcodes and QR codes (bwip-js) and lays out PDFs
 * (pdf-lib), which are CPU-bound.
 */
const MEMORY_MB: Partial<Record<FunctionName, number>> = {
  'coupon-pages': 1024,
};

/**
 * Seconds of the HTTP functions that need more than RelanceFunction's 10: a report reads each
 * recipient's purchases (attribution), up to API Gateway's own 29-second limit.
 */
const TIMEOUT_SECONDS: Partial<Record<FunctionName, number>> = {
  reports: 29,
};

/**
 * The HTTP API, built from the route table in `functions/routes.ts`: one Lambda per handler file,
 * one route per table entry, and the API-key authorizer on every route not marked `public`. The
 * local server reads the same table, so a route cannot exist in one and not in the other.
 */
export class Api extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  /** The API-key authorizer's function. */
  public readonly authorizerFunction: RelanceFunction;
  /** The functions serving the routes, by handler file. */
  public readonly functions: ReadonlyMap<FunctionName, RelanceFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { table, keyring } = props.data;
    const fn = (name: HandlerName, options: FunctionOptions = {}, memorySize?: number) => {
      const seconds = TIMEOUT_SECONDS[name as FunctionName];
      return new RelanceFunction(this, `${pascalCase(name)}Function`, {
        handler: name,
        environment: { ...props.environment, ...options.environment },
        ...(options.assets ? { assets: options.assets } : {}),
        ...(options.browserAssets ? { browserAssets: true } : {}),
        ...(memorySize ? { memorySize } : {}),
        ...(seconds ? { timeout: Duration.seconds(seconds) } : {}),
      });
    };

    // The authorizer turns `Authorization: Bearer <key>` into a role. It reads API key items and
    // nothing else: GetItem on the main table, and only on partition keys of API keys.
    this.authorizerFunction = fn('authorizer');
    Grant.addToPrincipal({
      grantee: this.authorizerFunction,
      actions: ['dynamodb:GetItem'],
      resourceArns: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [key.apiKey('*').pk] } },
    });
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // A key is checked once a minute per caller; a revoked key therefore works for at most a minute.
      resultsCacheTtl: Duration.minutes(1),
    });

    // One function per handler file named in the route table, with the data access DATA_ACCESS
    // gives it and nothing more, and the memory MEMORY_MB gives it, if any.
    const functions = new Map<FunctionName, RelanceFunction>();
    for (const name of new Set(ROUTES.map((r) => r.fn))) {
      const f = fn(name, props.functionOptions?.[name], MEMORY_MB[name]);
      const access = DATA_ACCESS[name];
      if (access.table !== 'none') {
        props.data.grantMainTable(f, access.table, {
          ...(access.leadingKeys ? { leadingKeys: access.leadingKeys } : {}),
          ...(access.queryIndexes ? { queryIndexes: access.queryIndexes } : {}),
        });
      }
      if (access.keyring) keyring.grantRead(f);
      if (access.eventsTable) props.data.eventsTable.grants.actions(f, 'dynamodb:PutItem');
      functions.set(name, f);
    }
    this.functions = functions;

    // The API itself. Its default stage is created below, to give it access logs and throttling.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: Stack.of(this).stackName,
      description:
        'Relance: contacts, stores, API keys, purchases, templates, campaigns, automations, reports, the till, ' +
        'sign-ups, webhooks and public pages',
      createDefaultStage: false,
    });

    // Access logs: one JSON line per request, kept as long as the functions' logs.
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            userAgent: '$context.identity.userAgent',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // The routes, exactly as the route table lists them.
    const publicRoutes = new Map<string, HttpRoute>();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      const target = functions.get(route.fn);
      if (!target) throw new Error(`No function for ${route.fn}`);
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, target);
        integrations.set(route.fn, integration);
      }
      const isPublic = route.auth === 'public';
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(isPublic ? {} : { authorizer }),
      });
      if (isPublic && httpRoute) {
        publicRoutes.set(routeKey(route), httpRoute);
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            `${route.method} ${route.path} is marked 'public' in functions/routes.ts: it is called without an ` +
            'API key by design (a liveness probe, a link that carries its own HMAC-signed token, or the static ' +
            "till page and the scripts it loads, which hold no data and call the /v1 till API with the store's own key).",
        });
      }
    }

    // The public routes hold a campaign's burst with limits of their own (route settings of the
    // stage, by route key), and the stage's limits stay those of the marketers and the tills. A route
    // setting must name an existing route: the stage waits for the public routes.
    const publicThrottle = props.publicThrottle ?? DEFAULT_PUBLIC_THROTTLE;
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      [...publicRoutes.keys()].map((key) => [
        key,
        {
          ThrottlingRateLimit: publicThrottle.rateLimit,
          ThrottlingBurstLimit: publicThrottle.burstLimit,
        },
      ]),
    );
    for (const route of publicRoutes.values())
      cfnStage.addResourceDependency(route.node.defaultChild as CfnRoute);
  }

  /** The API's base URL. */
  get url(): string {
    return this.stage.url;
  }
}
