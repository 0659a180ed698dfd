import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import pMap from 'p-map';
import { randomIds } from '../../functions/adapters/clock';
import type { Contact } from '../../functions/domain/contacts/contact';
import type { EmailMessenger } from '../../functions/domain/shared/ports';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import type { BenchResult } from './lib';

/** dynalite in its own process, so the pipeline's memory is measured without the database's. */
export async function dynaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const cli = createRequire(import.meta.url).resolve('dynalite/cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--createTableMs', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      const m = /listening at: (http:\/\/[\d.]+:\d+)/.exec(d.toString());
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error('dynalite exited')));
  });
  return { endpoint, child };
}

/**
 * Stops a dynalite process and waits until it has exited: dynalite reads `--port 0` as its default
 * port (4567), so the next benchmark's dynalite needs this one gone.
 */
export async function stopDynalite(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill();
  await exited;
}

/**
 * A local stack on a dynalite of its own process, for benchmarks that call handlers
 * directly; stopped, with its database, whatever happens.
 */
export async function withBenchStack<T>(
  env: Record<string, string>,
  run: (stack: LocalStack) => Promise<T>,
  opts: { bootstrapKey?: string } = {},
): Promise<T> {
  const db = await dynaliteProcess();
  const stack = await startLocalStack({
    port: 0,
    dataDir: ':memory:',
    dynamoEndpoint: db.endpoint,
    sesEndpoint: 'http://127.0.0.1:9',
    env,
    ...opts,
  });
  try {
    return await run(stack);
  } finally {
    await stack.stop();
    await stopDynalite(db.child);
  }
}

const zeroLatencySes: EmailMessenger = { send: async () => ({ messageId: 'stub' }) };

function contact(i: number, tag: string, now: string): Contact {
  return {
    id: randomIds.next('c'),
    email: `${tag}${i}@example.com`,
    firstName: `Client ${i}`,
    locale: i % 5 ? 'fr' : 'en',
    homeStoreId: 'paris',
    tags: [tag],
    attributes: {},
    consent: { email: { status: 'granted', source: 'bench', at: now } },
    suppressed: [],
    purchases: { store: 0, web: 0, phone: 0 },
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * N recipients through the whole local pipeline (planner, queue, sender,
 * DynamoDB on dynalite) with an SES stub that answers at once. Reports
 * recipients per second against raw PutItem calls on the same dynalite, and the
 * pipeline's peak memory for N against N/10 (flat memory: a ratio near 1).
 */
export async function benchPipeline(n: number, log: (s: string) => void): Promise<BenchResult[]> {
  const db = await dynaliteProcess();
  const stack = await startLocalStack({
    port: 0,
    dataDir: ':memory:',
    dynamoEndpoint: db.endpoint,
    sesEndpoint: 'http://127.0.0.1:9',
    bootstrapKey: 'bench-marketer-key-0001',
    sendRatePerSecond: 1_000_000,
    overrides: { messenger: zeroLatencySes },
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(stack.url + path, {
      method,
      headers: { authorization: 'Bearer bench-marketer-key-0001', 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the benchmark reads a few fields of known API responses
    return (await res.json()) as Record<string, any>;
  };
  try {
    await call('PUT', '/v1/stores/paris', {
      name: 'Paris',
      address: '1 rue X',
      postcode: '75001',
      city: 'Paris',
      country: 'FR',
    });
    const now = new Date().toISOString();

    // Baseline: raw PutItem calls on the same dynalite, 8 at a time.
    const raw = 3000;
    let t = performance.now();
    await pMap(
      Array.from({ length: raw }, (_, i) => i),
      (i) =>
        stack.doc.send(
          new PutCommand({
            TableName: stack.deps.config.TABLE_NAME,
            Item: { pk: `BENCH#${i}`, sk: 'X', n: i },
          }),
        ),
      { concurrency: 8 },
    );
    const putsPerSecond = raw / ((performance.now() - t) / 1000);

    const run = async (size: number, tag: string) => {
      log(`  seeding ${size} contacts…`);
      await pMap(
        Array.from({ length: size }, (_, i) => i),
        (i) => stack.deps.contacts.create(contact(i, tag, now)),
        { concurrency: 16 },
      );
      global.gc?.();
      const campaign = await call('POST', '/v1/campaigns', {
        name: tag,
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: [tag] } },
        from: { name: 'Bench', address: 'bench@relance.test' },
      });
      let peakRss = process.memoryUsage().rss;
      let peakHeap = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }, 50);
      t = performance.now();
      await call('POST', `/v1/campaigns/${campaign.id}/send`);
      let state = await call('GET', `/v1/campaigns/${campaign.id}`);
      let lastLog = 0;
      while (state.status === 'sending') {
        await new Promise((r) => setTimeout(r, 200));
        state = await call('GET', `/v1/campaigns/${campaign.id}`);
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(`  ${tag}: ${state.counts.sent}/${size} sent`);
        }
      }
      const seconds = (performance.now() - t) / 1000;
      clearInterval(sampler);
      if (state.counts.sent !== size)
        throw new Error(`${tag}: sent ${state.counts.sent} of ${size} (${state.status})`);
      return { perSecond: size / seconds, peakRss, peakHeap, seconds };
    };

    const small = await run(Math.max(1000, Math.round(n / 10)), 'small');
    log(
      `  ${Math.round(n / 10)} recipients: ${small.perSecond.toFixed(0)}/s, peak RSS ${(small.peakRss / 2 ** 20).toFixed(0)} MB`,
    );
    const big = await run(n, 'big');
    log(
      `  ${n} recipients: ${big.perSecond.toFixed(0)}/s, peak RSS ${(big.peakRss / 2 ** 20).toFixed(0)} MB`,
    );
    const mb = (b: number) => b / 2 ** 20;
    return [
      {
        name: `pipeline throughput, ${n} recipients (zero-latency SES stub)`,
        unit: 'recipients/s',
        value: big.perSecond,
        baseline: 'raw PutItem calls/s on the same dynalite',
        baselineValue: putsPerSecond,
        ratio: big.perSecond / putsPerSecond,
        ratioMeaning: 'recipients per raw PutItem',
      },
      {
        name: `pipeline peak RSS, ${n} recipients`,
        unit: 'MB',
        value: mb(big.peakRss),
        baseline: `peak RSS with ${Math.round(n / 10)} recipients`,
        baselineValue: mb(small.peakRss),
        ratio: big.peakRss / small.peakRss,
        ratioMeaning: '10× the recipients: memory ratio',
        target: '≤ 1.5 (flat)',
        met: big.peakRss / small.peakRss <= 1.5,
      },
      {
        name: `pipeline peak heap, ${n} recipients`,
        unit: 'MB',
        value: mb(big.peakHeap),
        baseline: `peak heap with ${Math.round(n / 10)} recipients`,
        baselineValue: mb(small.peakHeap),
        ratio: big.peakHeap / small.peakHeap,
        ratioMeaning: '10× the recipients: memory ratio',
        target: '≤ 1.5 (flat)',
        met: big.peakHeap / small.peakHeap <= 1.5,
      },
    ];
  } finally {
    await stack.stop();
    await stopDynalite(db.child);
  }
}
