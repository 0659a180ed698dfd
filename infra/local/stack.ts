import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../../functions/adapters/clock';
import { assetsInMemory } from '../../functions/adapters/static-assets';
import { loadConfig } from '../../functions/config';
import { type AppDeps, buildDeps, documentClient } from '../../functions/deps';
import { runAutomations } from '../../functions/domain/automations/lifecycle';
import { hashKey } from '../../functions/domain/keys/api-keys';
import { createApiKey } from '../../functions/domain/keys/create';
import type { Clock } from '../../functions/domain/shared/ports';
import { noMetrics } from '../../functions/domain/shared/ports';
import { TokenBucket } from '../../functions/domain/shared/rate-limiter';
import { makeHandler as authorizer } from '../../functions/handlers/authorizer';
import { makeHandler as automations } from '../../functions/handlers/automations';
import { makeHandler as campaigns } from '../../functions/handlers/campaigns';
import { makeHandler as contacts } from '../../functions/handlers/contacts';
import { makeHandler as contactsImport } from '../../functions/handlers/contacts-import';
import { makeHandler as couponPages } from '../../functions/handlers/coupon-pages';
import { makeHandler as coupons } from '../../functions/handlers/coupons';
import { makeHandler as engagementAggregator } from '../../functions/handlers/engagement-aggregator';
import { makeHandler as health } from '../../functions/handlers/health';
import { makeHandler as importWorker } from '../../functions/handlers/import-worker';
import { makeHandler as imports } from '../../functions/handlers/imports';
import { makeHandler as keys } from '../../functions/handlers/keys';
import { makeHandler as pages } from '../../functions/handlers/pages';
import { makeHandler as planner } from '../../functions/handlers/planner';
import { makeHandler as purchases } from '../../functions/handlers/purchases';
import { makeHandler as redemptions } from '../../functions/handlers/redemptions';
import { makeHandler as reports } from '../../functions/handlers/reports';
import { makeHandler as sender } from '../../functions/handlers/sender';
import { makeHandler as sesEvents } from '../../functions/handlers/ses-events';
import { makeHandler as signups } from '../../functions/handlers/signups';
import { makeHandler as smsEvents } from '../../functions/handlers/sms-events';
import { makeHandler as smsInbound } from '../../functions/handlers/sms-inbound';
import { makeHandler as stores } from '../../functions/handlers/stores';
import { makeHandler as templates } from '../../functions/handlers/templates';
import { makeHandler as tracking } from '../../functions/handlers/tracking';
import { makeHandler as webhookDeliverer } from '../../functions/handlers/webhook-deliverer';
import { makeHandler as webhooks } from '../../functions/handlers/webhooks';
import type { AssetSource } from '../../functions/http/assets';
import { type FunctionName, ROUTES } from '../../functions/routes';
import { automationDeps } from '../../functions/wiring/automations';
import { buildBrowserAssets } from '../browser-assets';
import { type Emulator, startDynalite, startS3, startSes } from './emulators';
import { createGateway, type HttpLambda, listen } from './http-server';
import { LocalQueue } from './queue';
import { LocalCampaignScheduler } from './scheduler';
import { describeSettings } from './settings';
import {
  couponStreamEvent,
  readJson,
  simulateInboundSms,
  simulateSesEvent,
  simulateSmsEvent,
  streamEvent,
} from './simulate';
import { LocalSmsOutbox } from './sms-outbox';
import { ensureTables } from './tables';

/**
 * Every HTTP function, by the name the route table uses: the same modules Lambda runs. `pages`
 * serves the browser scripts from the build made at boot, where Lambda reads them from its package.
 */
const HTTP_FUNCTIONS: Record<FunctionName, (deps: AppDeps, assets: AssetSource) => HttpLambda> = {
  health,
  keys,
  contacts,
  'contacts-import': contactsImport,
  purchases,
  stores,
  templates,
  campaigns,
  pages,
  tracking,
  reports,
  coupons,
  'coupon-pages': (deps) => couponPages(deps),
  webhooks,
  automations,
  signups,
  imports,
};

export interface LocalStackOptions {
  /** HTTP port of the API; 0 picks a free one. */
  port?: number;
  /** Port of the local SES; 0 picks a free one. Ignored when `sesEndpoint` is given. */
  sesPort?: number;
  /** Where data persists; ':memory:' keeps nothing. */
  dataDir?: string;
  /** When set, a marketer key with exactly this value exists after boot. */
  bootstrapKey?: string;
  /** Use already-running emulators (tests start them once in a global setup). */
  dynamoEndpoint?: string;
  sesEndpoint?: string;
  /** Prefix for table names, so that several stacks can share one emulator. */
  tablePrefix?: string;
  clock?: Clock;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  defaultCountry?: string;
  /** Emails per second per sender worker (two workers run); SES local has no limit. */
  sendRatePerSecond?: number;
  /** Replace adapters (benchmarks and failure tests stub the SES messenger, the sleep…). */
  overrides?: Partial<AppDeps>;
  /**
   * Extra configuration, as environment variables would give it: it wins over everything the
   * stack sets (`npm start` passes the functions' settings from its own environment, without the
   * variables the stack must set itself: see settingsFromEnvironment).
   */
  env?: Record<string, string>;
  /** Runs the automations every this many seconds (npm start); off when unset. */
  automationTimerSeconds?: number;
}

export interface LocalStack {
  url: string;
  sesUrl: string;
  dynamoEndpoint: string;
  /** The marketer key created at this boot, if one was. */
  createdKey?: string;
  deps: AppDeps;
  /** A DynamoDB document client on the stack's tables (tests and benchmarks look at raw items). */
  doc: DynamoDBDocumentClient;
  queues: Record<string, LocalQueue>;
  /** Where SMS go instead of phones (also listed by `GET /_local/messages`). */
  smsOutbox: LocalSmsOutbox;
  /** One line per setting of `env` that changes what the functions get: `• FREQUENCY_CAP=2/7 (default: none)`. */
  settings: string[];
  /** Messages the previous run left on the queues (with a data directory), queued again at this boot. */
  recovered: number;
  /**
   * Stops the stack. With a data directory, the handlers still running are first told that their
   * time is up and given a moment to put what they have not done back on the (journalled) queues.
   */
  stop(): Promise<void>;
}

/** How long `stop` waits for the handlers in flight to finish, before it closes under them. */
const DRAIN_TIMEOUT_MS = 10_000;

/** A keyring for local HMACs: random and kept with the data, so tokens and hashes survive restarts. */
function localKeyring(dataDir: string | undefined): string {
  const fresh = () => randomBytes(32).toString('base64url');
  if (!dataDir) return fresh();
  const file = join(dataDir, 'keyring.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = fresh();
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Boots Relance in one process: dynalite, aws-ses-v2-local, the in-process
 * queues and an HTTP server that feeds the Lambda handler modules, with no AWS
 * account. Used by `npm start`, `npm run demo` and the integration tests.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  // What the functions get here unless `env` says otherwise (local values: a demo company, short
  // requeue delays, no SES sandbox rate).
  const localDefaults: Record<string, string> = {
    DEFAULT_COUNTRY: opts.defaultCountry ?? 'FR',
    POWERTOOLS_LOG_LEVEL: opts.logLevel ?? 'ERROR',
    COMPANY_NAME: 'Relance Demo',
    COMPANY_ADDRESS: '12 rue des Halles, 75001 Paris, France',
    REQUEUE_DELAY_SECONDS: '2',
    // Webhook receivers on this machine (plain http to 127.0.0.1 or localhost) are allowed here only.
    WEBHOOK_ALLOW_HTTP: 'true',
    SEND_RATE_PER_SECOND: '50',
    SMS_RATE_PER_SECOND: '50',
  };
  // Validated before anything starts: an invalid value stops the boot with loadConfig's message.
  const settings = describeSettings(localDefaults, opts.env ?? {});
  const dataDir = opts.dataDir === ':memory:' ? undefined : resolve(opts.dataDir ?? '.data');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const started: Emulator[] = [];
  const servers: Server[] = [];
  const queues: Record<string, LocalQueue> = {};
  const timers: NodeJS.Timeout[] = [];
  const closers: (() => void)[] = [];
  const stop = async () => {
    for (const t of timers) clearInterval(t);
    for (const c of closers) c();
    // Durable queues: what the handlers in flight leave undone goes back on them, and survives.
    if (dataDir) await Promise.all(Object.values(queues).map((q) => q.drain(DRAIN_TIMEOUT_MS)));
    for (const q of Object.values(queues)) q.close();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections?.();
            s.close(() => r());
          }),
      ),
    );
    for (const e of started.reverse()) await e.close();
  };

  try {
    // The browser scripts, bundled in memory by esbuild while the emulators start (tens of ms).
    const assets = buildBrowserAssets();
    assets.catch(() => undefined); // awaited below; a failure before that must not go unhandled
    const own = async (start: () => Promise<Emulator>) => {
      const e = await start();
      started.push(e);
      return e.endpoint;
    };
    const dynamoEndpoint = opts.dynamoEndpoint ?? (await own(() => startDynalite({ port: 0, dataDir })));
    const sesEndpoint = opts.sesEndpoint ?? (await own(() => startSes({ port: opts.sesPort ?? 8005 })));
    const prefix = opts.tablePrefix ?? 'relance';
    // Import files: a real S3 emulator, whose presigned URLs a client PUTs to as it would to S3.
    const bucket = `${prefix}-imports`;
    const s3 = await startS3({ bucket, ...(dataDir ? { dataDir } : {}) });
    started.push(s3);
    const config = loadConfig({
      TABLE_NAME: `${prefix}-main`,
      EVENTS_TABLE_NAME: `${prefix}-events`,
      KEYRING: localKeyring(dataDir),
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SES_ENDPOINT: sesEndpoint,
      S3_ENDPOINT: s3.endpoint,
      IMPORT_BUCKET: bucket,
      AWS_REGION: 'eu-west-3',
      ...localDefaults,
      ...opts.env,
    });
    const raw = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: config.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(raw, { main: config.TABLE_NAME, events: config.EVENTS_TABLE_NAME });
    raw.destroy();

    // The in-process stand-ins for the SQS queues and their event source mappings (two workers each).
    // With a data directory each keeps a journal there, so that its messages survive a restart.
    const logger = new Logger({ serviceName: 'relance-local', logLevel: config.POWERTOOLS_LOG_LEVEL });
    const onDeadLetter = (queue: string) => (body: string, error: string) =>
      logger.error('Message moved to the dead-letter list', { queue, body, error });
    const journal = (name: string) => (dataDir ? { journal: join(dataDir, 'queues', `${name}.jsonl`) } : {});
    queues.plan = new LocalQueue({
      ...journal('plan'),
      name: 'plan',
      batchSize: 1,
      concurrency: 1,
      onDeadLetter: onDeadLetter('plan'),
    });
    queues.send = new LocalQueue({
      ...journal('send'),
      name: 'send',
      batchSize: 4,
      concurrency: 2,
      // A job killed mid-send comes back once its claims have expired, as in AWS (the visibility
      // timeout, 6 × 60 s, outlasts the 300 s lease): the recipient in doubt is then counted failed.
      visibilityTimeoutMs: (config.SEND_CLAIM_LEASE_SECONDS + 60) * 1000,
      onDeadLetter: onDeadLetter('send'),
    });
    // Webhook deliveries: the publisher queues one job per (endpoint, event), the deliverer its retries.
    queues.webhooks = new LocalQueue({
      ...journal('webhooks'),
      name: 'webhooks',
      batchSize: 5,
      concurrency: 2,
      retryDelayMs: 100,
      onDeadLetter: onDeadLetter('webhooks'),
    });
    // Import jobs: the bucket's object-created events and each job's next chunk, one at a time.
    queues.imports = new LocalQueue({
      ...journal('imports'),
      name: 'imports',
      batchSize: 1,
      concurrency: 1,
      retryDelayMs: 200,
      onDeadLetter: onDeadLetter('imports'),
    });
    const smsOutbox = new LocalSmsOutbox(opts.clock ?? systemClock);
    const scheduler = new LocalCampaignScheduler(opts.clock ?? systemClock, queues.plan.asWorkQueue());
    closers.push(() => scheduler.close());
    const deps = await buildDeps(config, {
      logger,
      // No CloudWatch here: the console stays short and human.
      metrics: noMetrics,
      sms: smsOutbox,
      scheduler,
      planQueue: queues.plan.asWorkQueue(),
      sendQueue: queues.send.asWorkQueue(),
      webhookQueue: queues.webhooks.asWorkQueue(),
      importQueue: queues.imports.asWorkQueue(),
      limiter: new TokenBucket(opts.sendRatePerSecond ?? config.SEND_RATE_PER_SECOND),
      smsLimiter: new TokenBucket(opts.sendRatePerSecond ?? config.SMS_RATE_PER_SECOND),
      ...opts.overrides,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    queues.plan.consume(planner(deps));
    queues.send.consume(sender(deps));
    queues.webhooks.consume(webhookDeliverer(deps));
    queues.imports.consume(importWorker(deps));
    // What S3 sends to the import queue when a file is uploaded.
    const importQueue = queues.imports;
    s3.onObjectCreated((b, key) => {
      if (b === bucket)
        importQueue.send([{ Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key } } }] }]);
    });
    // The events table's stream, which DynamoDB has and dynalite has not: each recorded open or click
    // goes through an in-process queue to the same aggregator function, in batches.
    queues.engagement = new LocalQueue({
      ...journal('events-stream'),
      name: 'events-stream',
      batchSize: 100,
      concurrency: 1,
    });
    const aggregator = engagementAggregator(deps);
    queues.engagement.consume((event) => aggregator(streamEvent(event.Records.map((r) => r.body))));
    // The main table's stream, for coupons: a redemption (or its undoing) reaches the same
    // redemptions function, which records the purchase and the report counts.
    queues.coupons = new LocalQueue({
      ...journal('coupons-stream'),
      name: 'coupons-stream',
      batchSize: 25,
      concurrency: 1,
    });
    const onCouponChange = redemptions(deps);
    queues.coupons.consume((event) => onCouponChange(couponStreamEvent(event.Records.map((r) => r.body))));
    const couponStore = deps.coupons;
    const couponStream = queues.coupons;
    deps.coupons = Object.assign(Object.create(couponStore), {
      redeem: async (...args: Parameters<typeof couponStore.redeem>) => {
        const after = await couponStore.redeem(...args);
        if (after)
          couponStream.send([{ before: { ...after, status: 'issued', redemption: undefined }, after }]);
        return after;
      },
      void: async (...args: Parameters<typeof couponStore.void>) => {
        const before = await couponStore.get(args[0]);
        const after = await couponStore.void(...args);
        if (after) couponStream.send([{ before, after }]);
        return after;
      },
    });
    const store = deps.engagement;
    const stream = queues.engagement;
    deps.engagement = Object.assign(Object.create(store), {
      recordEvent: async (e: Parameters<typeof store.recordEvent>[0]) => {
        await store.recordEvent(e);
        stream.send([e]);
      },
    });
    const sesEventHandler = sesEvents(deps);
    const smsEventHandler = smsEvents(deps);
    const smsInboundHandler = smsInbound(deps);
    const createdKey = await ensureMarketerKey(deps, opts.bootstrapKey);
    // Schedules live in memory here: the campaigns still scheduled in the persisted data get theirs back.
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await deps.campaigns.list(100, cursor);
      for (const c of page.items) {
        if (c.status === 'scheduled' && c.scheduleAt) await scheduler.schedule(c.id, new Date(c.scheduleAt));
      }
      cursor = page.next;
    }

    const browserAssets = assetsInMemory(await assets);
    const handlers = Object.fromEntries(
      Object.entries(HTTP_FUNCTIONS).map(([name, make]) => [name, make(deps, browserAssets)]),
    ) as Record<string, HttpLambda>;
    const server = createGateway({
      routes: ROUTES,
      handlers,
      authorizer: authorizer(deps),
      local: {
        'GET /_local/messages': async () => ({
          status: 200,
          body: { items: await localMessages(sesEndpoint, smsOutbox) },
        }),
        'POST /_local/sms-events': async (req) =>
          simulateSmsEvent(deps, smsOutbox, smsEventHandler, await readJson(req)),
        // The automation runner, at once (the demo and tests move the clock and call it).
        'POST /_local/automations/run': async () => ({
          status: 200,
          body: { started: await runAutomationsNow() },
        }),
        'POST /_local/sms/inbound': async (req) =>
          simulateInboundSms(deps, smsOutbox, smsInboundHandler, await readJson(req)),
        'POST /_local/ses-events': async (req) =>
          simulateSesEvent(deps, sesEventHandler, await readJson(req)),
      },
    });
    servers.push(server);
    const port = await listen(server, opts.port ?? 3000);
    const url = `http://127.0.0.1:${port}`;
    // Links are built on the stack's own address (or the one the environment gives, behind a
    // tunnel), as Lambda builds them on PUBLIC_BASE_URL: known only now that the port is.
    (config as { PUBLIC_BASE_URL?: string }).PUBLIC_BASE_URL ??= url;
    // The runner's schedule: EventBridge every few minutes in AWS, a timer here (none in tests).
    const runAutomationsNow = () => runAutomations(automationDeps(deps, url), url);
    if (opts.automationTimerSeconds) {
      const timer = setInterval(() => {
        runAutomationsNow().catch((err: unknown) =>
          logger.error('Automation runner failed', { error: err as Error }),
        );
      }, opts.automationTimerSeconds * 1000);
      timer.unref();
      timers.push(timer);
    }
    // Everything is wired and links have their base: what the last run left on the queues goes now.
    let recovered = 0;
    for (const q of Object.values(queues)) recovered += q.recover();
    return {
      url,
      sesUrl: sesEndpoint,
      dynamoEndpoint,
      ...(createdKey ? { createdKey } : {}),
      deps,
      doc: documentClient(config),
      queues,
      smsOutbox,
      settings,
      recovered,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Makes sure someone can call the API: the bootstrap key when one is given,
 * else a new marketer key on a first boot (no key at all yet).
 */
async function ensureMarketerKey(
  deps: AppDeps,
  bootstrapKey: string | undefined,
): Promise<string | undefined> {
  if (bootstrapKey) {
    if (bootstrapKey.length < 16) throw new Error('RELANCE_BOOTSTRAP_KEY must be at least 16 characters');
    const existing = await deps.apiKeys.findByHash(hashKey(bootstrapKey));
    if (existing) return undefined;
    await createApiKey(deps, { role: 'marketer', label: 'bootstrap' }, { secret: bootstrapKey });
    return bootstrapKey;
  }
  if ((await deps.apiKeys.list()).length > 0) return undefined;
  return (await createApiKey(deps, { role: 'marketer', label: 'first local key' })).key;
}

/** Every message sent through the local providers (SES and the SMS outbox), newest first. */
async function localMessages(sesEndpoint: string, outbox: LocalSmsOutbox) {
  const res = await fetch(`${sesEndpoint}/store`);
  const store = (await res.json()) as {
    emails: {
      messageId: string;
      from: string;
      destination: { to: string[] };
      subject: string;
      body: { html?: string; text?: string };
      headers?: { name: string; value: string }[];
      at: number;
    }[];
  };
  const emails = store.emails.map((e) => ({
    id: e.messageId,
    channel: 'email' as const,
    from: e.from,
    to: e.destination.to.join(', '),
    subject: e.subject,
    headers: Object.fromEntries((e.headers ?? []).map((h) => [h.name, h.value])),
    html: e.body.html ?? null,
    text: e.body.text ?? null,
    at: new Date(e.at * 1000).toISOString(),
  }));
  const sms = outbox.sent.map((m) => ({
    id: m.id,
    channel: 'sms' as const,
    from: null,
    to: m.to,
    subject: null,
    headers: {},
    html: null,
    text: m.body,
    encoding: m.encoding,
    segments: m.segments,
    at: m.at,
  }));
  // Oldest first within each provider; a stable sort on the time keeps that order among equals.
  return [...emails, ...sms].sort((a, b) => a.at.localeCompare(b.at)).reverse();
}
