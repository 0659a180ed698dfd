import { existsSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Config } from '../functions/config';
import type { FunctionName, WorkerName } from '../functions/routes';
import { browserAssetsDir } from './browser-assets';

/**
 * What every function finds in its environment. Keys are those `functions/config.ts` parses, so a
 * misspelt variable is a compile error here rather than a failed cold start in AWS.
 */
export type FunctionEnvironment = Partial<Record<keyof Config | 'POWERTOOLS_SERVICE_NAME', string>>;

/** The repository root: where package.json, package-lock.json and functions/ live. */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where Lambda unpacks a function's package (`LAMBDA_TASK_ROOT`): a directory listed in
 * `assets` is found at run time under `${LAMBDA_TASK_ROOT}/<directory>`.
 */
export const LAMBDA_TASK_ROOT = '/var/task';

/** Where `browserAssets` puts the built browser scripts in a package: `${LAMBDA_TASK_ROOT}/assets`. */
export const BROWSER_ASSETS = 'assets';

/**
 * A file in functions/handlers/, without its `.ts` extension: every HTTP function, every worker
 * (queue and event consumers) and the authorizer.
 */
export type HandlerName = FunctionName | WorkerName | 'authorizer';

/**
 * Lets CommonJS dependencies that call `require` (for Node built-ins, mostly) run inside an ESM
 * bundle, where `require` does not exist. Prepended to every bundle.
 */
const REQUIRE_SHIM =
  "import { createRequire as __relanceCreateRequire } from 'node:module';" +
  'const require = __relanceCreateRequire(import.meta.url);';

export interface RelanceFunctionProps
  extends Omit<
    NodejsFunctionProps,
    | 'entry'
    | 'handler'
    | 'code'
    | 'runtime'
    | 'architecture'
    | 'role'
    | 'logGroup'
    | 'logRetention'
    | 'projectRoot'
    | 'depsLockFilePath'
  > {
  /** The handler file to bundle: `functions/handlers/<handler>.ts`, which exports `handler`. */
  readonly handler: HandlerName;
  /**
   * How long the function's logs are kept.
   * @default one month: long enough to investigate a campaign after it ran, short enough not to
   * hoard the personal data that log lines may carry.
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Directories of the repository, relative to its root (`templates/email`), that the code reads
   * at run time. Each is copied into the package at the same relative path, so the function finds
   * it under `${LAMBDA_TASK_ROOT}/<directory>`. They are part of the bundle's output, hence of its
   * asset hash: editing a file in them redeploys the function. Copying uses Node rather than `cp`,
   * so it works wherever esbuild does, Windows included.
   * @default nothing but the bundle
   */
  readonly assets?: readonly string[];
  /**
   * Put the front-end build in the package: every browser entry point of infra/browser-assets.ts,
   * bundled by esbuild (locally, at synthesis) with its manifest, found at run time under
   * `${LAMBDA_TASK_ROOT}/assets` (`BROWSER_ASSETS`). Like `assets`, part of the bundle's output and
   * of its hash: editing a browser script redeploys the function.
   * @default false
   */
  readonly browserAssets?: boolean;
  /**
   * Use the AWS SDK v3 that the Node.js 22 runtime provides instead of bundling the pinned one.
   * Worth it only on a hot path whose package size matters more than pinning: the sender, whose
   * bundle then holds little but its own code, liquidjs and zod (about 40 % of the size).
   * @default false: the SDK is bundled
   */
  readonly runtimeSdk?: boolean;
}

/**
 * Checks that `dir` is a directory of the repository, given relative to its root, and returns it
 * with forward slashes. A missing directory fails the synthesis instead of a cold start in AWS.
 */
function repoDirectory(dir: string): string {
  const clean = normalize(dir).replace(/\\/g, '/').replace(/\/$/, '');
  if (isAbsolute(dir) || clean === '.' || clean === '..' || clean.startsWith('../')) {
    throw new Error(
      `RelanceFunction assets are directories of the repository, relative to its root: "${dir}"`,
    );
  }
  if (!existsSync(fileURLToPath(new URL(`../${clean}/`, import.meta.url)))) {
    throw new Error(`RelanceFunction asset "${dir}" does not exist in the repository`);
  }
  return clean;
}

/** The command that copies the directory `from` to `to`, recursively. */
function copyCommand(from: string, to: string): string {
  const script =
    "const [from, to] = process.argv.slice(1); require('node:fs').cpSync(from, to, { recursive: true });";
  return `node -e "${script}" "${from}" "${to}"`;
}

/**
 * The one way a Lambda is built in Relance, so every function shares the same, documented defaults.
 *
 * - **Node.js 22 on ARM64 (Graviton)**: the runtime the code is written and tested for; ARM is
 *   cheaper per GB-second than x86 and none of our dependencies ships native x86-only code.
 * - **ESM bundle, minified, with source maps**: the code base is ESM, so the bundle is too; a
 *   `createRequire` banner keeps the CommonJS dependencies that call `require` working. Minifying
 *   shrinks the package and the cold start; source maps (honoured thanks to
 *   `NODE_OPTIONS=--enable-source-maps`) keep stack traces pointing at the TypeScript.
 * - **The AWS SDK is bundled, not taken from the runtime**: the runtime's SDK version changes under
 *   us without notice, while the bundle carries the exact versions pinned in package-lock.json and
 *   exercised by the tests. Bundling also tree-shakes it down to the clients we use.
 * - **esbuild runs locally** (it is a devDependency), never in Docker: synthesis works on any
 *   machine with `npm ci`, including CI runners without a Docker daemon.
 * - **An explicit log group with a retention** instead of one Lambda creates on first invocation
 *   and keeps forever; and **an explicit role** that may write only to that log group, instead of
 *   the AWS-managed `AWSLambdaBasicExecutionRole`, which may write to every log group of the account.
 * - **512 MB and 10 s**: Lambda gives CPU in proportion to memory, and 512 MB keeps the cold start
 *   of a bundle with the SDK short; 10 s is far above any request we serve, and far below API
 *   Gateway's 30 s limit, so a stuck call fails fast. Override either per function.
 * - **Files read at run time travel in the package** (`assets`, and the front-end build with
 *   `browserAssets`), copied after esbuild has run, rather than being fetched from S3 at cold
 *   start or inlined into the JavaScript.
 *
 * The role and the log group are created next to the function (as `<id>Role` and `<id>LogGroup`),
 * because they must exist before the function's constructor runs. `serviceRole` exposes the role
 * so that callers can grant it exactly what it needs.
 */
export class RelanceFunction extends NodejsFunction {
  /** The function's execution role; grants go here. */
  public readonly serviceRole: iam.Role;
  /** The log group the function writes to. */
  public readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RelanceFunctionProps) {
    const {
      handler,
      logRetention,
      bundling,
      environment,
      assets = [],
      browserAssets = false,
      runtimeSdk = false,
      ...rest
    } = props;
    const directories = assets.map(repoDirectory);
    if ((directories.length > 0 || browserAssets) && bundling?.commandHooks) {
      throw new Error(
        'RelanceFunction: give either assets (or browserAssets) or bundling.commandHooks, not both',
      );
    }
    // Built now, copied when bundling runs (after esbuild has bundled the handler).
    const browserBuild = browserAssets ? browserAssetsDir() : undefined;

    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs only make sense with the function: delete them with it rather than leave orphans.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${handler} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      description: `Relance ${handler} (functions/handlers/${handler}.ts)`,
      memorySize: 512,
      timeout: Duration.seconds(10),
      ...rest,
      entry: fileURLToPath(new URL(`../functions/handlers/${handler}.ts`, import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      // X-Ray tracing of every function, switched on by context: cdk deploy -c tracing=true.
      ...(String(Stack.of(scope).node.tryGetContext('tracing') ?? '') === 'true'
        ? { tracing: Tracing.ACTIVE }
        : {}),
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer the ESM builds of dependencies: smaller bundles, better tree shaking.
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        minify: true,
        sourceMap: true,
        // The sources are in the repository; the map only needs to point at them.
        sourcesContent: false,
        bundleAwsSDK: !runtimeSdk,
        forceDockerBundling: false,
        ...(directories.length > 0 || browserBuild
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  ...directories.map((dir) => copyCommand(`${inputDir}/${dir}`, `${outputDir}/${dir}`)),
                  ...(browserBuild ? [copyCommand(browserBuild, `${outputDir}/${BROWSER_ASSETS}`)] : []),
                ],
              },
            }
          : {}),
        ...bundling,
      },
    });

    this.serviceRole = role;
    this.functionLogGroup = logGroup;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime Relance is written and tested for (DESIGN.md, convention 5); moving to ' +
        'a newer runtime is a deliberate upgrade made in RelanceFunction for every function at once.',
    });
  }
}
