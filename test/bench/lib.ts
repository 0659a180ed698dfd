import { writeFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** One figure of `npm run bench`, always set against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  baseline: string;
  baselineValue: number;
  /** value ÷ baselineValue, unless the benchmark says otherwise in `ratioMeaning`. */
  ratio: number;
  ratioMeaning: string;
  target?: string;
  met?: boolean;
}

/** Mean time per call of `fn` in milliseconds, after a warm-up, over at least `minMs`. */
export async function timePerCall(
  fn: () => Promise<unknown> | unknown,
  opts: { warmup?: number; minMs?: number } = {},
) {
  for (let i = 0; i < (opts.warmup ?? 20); i++) await fn();
  const minMs = opts.minMs ?? 2000;
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await fn();
    n++;
  }
  return (performance.now() - start) / n;
}

export function printTable(results: BenchResult[]) {
  const rows = results.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    `${r.baseline}: ${fmt(r.baselineValue)}`,
    `${fmt(r.ratio)} (${r.ratioMeaning})`,
    r.target ? `${r.target} ${r.met ? '✓' : '✗'}` : '',
  ]);
  const head = ['benchmark', 'value', 'baseline', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function writeResults(path: string, results: BenchResult[]) {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);

/**
 * Mean time per call of two operations measured in alternating rounds, so that
 * a change in the machine's load during the run weighs on both alike.
 */
export async function timeInterleaved(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  opts: { rounds?: number; perRound?: number } = {},
): Promise<[number, number]> {
  const rounds = opts.rounds ?? 40;
  const per = opts.perRound ?? 20;
  let ta = 0;
  let tb = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (let i = 0; i < per; i++) await a();
    ta += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < per; i++) await b();
    tb += performance.now() - t;
  }
  return [ta / (rounds * per), tb / (rounds * per)];
}

/** An API Gateway v2 event for calling a handler directly, as Lambda would. */
export function apiEvent(
  routeKey: string,
  o: {
    params: Record<string, string>;
    n: number;
    body?: unknown;
    principal?: { keyId: string; role: string; storeId?: string };
  },
): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const rawPath = path.replace(/\{(\w+)\}/g, (_m, name: string) => o.params[name] ?? '');
  const userAgent = 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15';
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      'user-agent': userAgent,
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    pathParameters: o.params,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent },
      requestId: `req-${o.n}`,
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(o.principal ? { authorizer: { lambda: o.principal } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    isBase64Encoded: false,
  };
}
