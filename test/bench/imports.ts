import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchWrite } from '../../functions/adapters/dynamo/batch';
import { purchaseItem, receiptItem } from '../../functions/adapters/dynamo/purchases';
import type { Purchase } from '../../functions/domain/purchases/purchase';
import type { Receipt } from '../../functions/domain/purchases/receipt';
import { upload } from '../../infra/cli/import';
import type { LocalStack } from '../../infra/local/stack';
import type { BenchResult } from './lib';
import { withBenchStack } from './pipeline';

const KEY = 'bench-marketer-key-import';
const SHOPS = ['paris', 'lyon', 'lille'];
/** One receipt in ten is a known customer's (by customer reference), the others anonymous traffic. */
const KNOWN_EVERY = 10;

/** Writes `rows` lines to a file, streamed (the benchmark's own memory stays flat too). */
async function writeFile(path: string, header: string, rows: number, line: (i: number) => string) {
  const out = createWriteStream(path);
  out.write(`${header}\r\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${line(i)}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const contactLine = (tag: string) => (i: number) =>
  `${tag}${i}@example.fr;Client ${i};${SHOPS[i % 3]};oui;${tag.toUpperCase()}-${i}`;

/** A French till export: day-first date, separate time, decimal comma. */
function receiptLine(tag: string, customers: number) {
  return (i: number) => {
    const day = 1 + (i % 28);
    const known = customers > 0 && i % KNOWN_EVERY === 0;
    return [
      `${tag}${i}`,
      SHOPS[i % 3],
      `${String(day).padStart(2, '0')}/0${1 + (i % 9)}/2026`,
      `${String(9 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
      `${10 + (i % 90)},${String(i % 100).padStart(2, '0')}`,
      known ? `C-${(i / KNOWN_EVERY) % customers}` : '',
    ].join(';');
  };
}

interface Measured {
  rows: number;
  seconds: number;
  peakRss: number;
  peakHeap: number;
  counts: Record<string, number>;
}

/** Calls the local stack's API with the benchmark's marketer key. */
const api = (stack: LocalStack) => async (method: string, path: string, body?: unknown) => {
  const res = await fetch(stack.url + path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark reads a few fields of known API responses
  const json = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/** Creates a job, uploads the file, and follows it to the end, sampling the process's memory. */
async function runJob(
  stack: LocalStack,
  kind: 'contacts' | 'receipts',
  file: string,
  rows: number,
  log: (s: string) => void,
): Promise<Measured> {
  const call = api(stack);
  global.gc?.();
  const job = await call('POST', '/v1/imports', { kind, options: {} });
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const t = performance.now();
  try {
    await upload(job.uploadUrl, file, (await stat(file)).size);
    let state = job;
    let lastLog = performance.now();
    while (state.status !== 'done' && state.status !== 'failed') {
      await new Promise((r) => setTimeout(r, 250));
      state = await call('GET', `/v1/imports/${job.id}`);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  ${kind}: ${state.counts.read}/${rows} lines (${Math.round((state.progress ?? 0) * 100)}%)`);
      }
    }
    const seconds = (performance.now() - t) / 1000;
    if (state.status !== 'done' || state.counts.read !== rows || state.counts.rejected !== 0)
      throw new Error(
        `${kind} import: ${JSON.stringify({ status: state.status, counts: state.counts, error: state.error })}`,
      );
    return { rows, seconds, peakRss, peakHeap, counts: state.counts };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The import job path through the local stack (presigned upload to the S3 emulator, the worker
 * reading the file in chunks, batches written to dynalite in its own process): receipts per second
 * against raw BatchWriteItem calls writing the same items to the same dynalite, and the peak memory
 * for `rows` lines against `rows / 10` — for receipts and for contacts.
 */
export async function benchImports(
  rows: number,
  log: (s: string) => void,
  contactRows = rows,
): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'relance-bench-import-'));
  const small = Math.max(1000, Math.round(rows / 10));
  const contactsSmall = Math.max(1000, Math.round(contactRows / 10));
  try {
    return await withBenchStack(
      {},
      async (stack) => {
        for (const id of SHOPS) {
          await api(stack)('PUT', `/v1/stores/${id}`, {
            name: id,
            address: '1 rue X',
            postcode: '75001',
            city: id,
            country: 'FR',
          });
        }
        // Contacts: a file of a tenth, then the whole (other addresses): memory flat.
        const contactsHeader = 'E-mail;Prénom;Magasin;Consentement e-mail;N° client';
        await writeFile(join(dir, 'c-small.csv'), contactsHeader, contactsSmall, contactLine('cs'));
        await writeFile(join(dir, 'c-big.csv'), contactsHeader, contactRows, contactLine('c'));
        log(`  contacts: ${contactsSmall} lines…`);
        const cSmall = await runJob(stack, 'contacts', join(dir, 'c-small.csv'), contactsSmall, log);
        log(`  contacts: ${contactRows} lines…`);
        const cBig = await runJob(stack, 'contacts', join(dir, 'c-big.csv'), contactRows, log);
        log(`  contacts: ${(cBig.rows / cBig.seconds).toFixed(0)} lines/s`);

        // Receipts: one in ten of a known customer (the contacts just imported, by reference).
        const receiptsHeader = 'N° ticket;Magasin;Date;Heure;Montant TTC;N° client';
        await writeFile(join(dir, 'r-small.csv'), receiptsHeader, small, receiptLine('RS', small));
        await writeFile(join(dir, 'r-big.csv'), receiptsHeader, rows, receiptLine('RB', contactRows));
        log(`  receipts: ${small} lines…`);
        const rSmall = await runJob(stack, 'receipts', join(dir, 'r-small.csv'), small, log);
        log(`  receipts: ${rows} lines…`);
        const rBig = await runJob(stack, 'receipts', join(dir, 'r-big.csv'), rows, log);
        const importRate = rBig.rows / rBig.seconds;
        log(`  receipts: ${importRate.toFixed(0)} lines/s (${rBig.counts.anonymous} anonymous)`);

        // Baseline: the same items (the receipts, and a purchase for each known customer's), written
        // with raw BatchWriteItem calls, as many at a time, to the same dynalite.
        const table = stack.deps.config.TABLE_NAME;
        const line = receiptLine('RAW', contactRows);
        const now = new Date().toISOString();
        const t = performance.now();
        const per = 2000;
        for (let from = 0; from < rows; from += per) {
          const receipts: Record<string, unknown>[] = [];
          const purchases: Record<string, unknown>[] = [];
          for (let i = from; i < Math.min(rows, from + per); i++) {
            const [ref, storeId, , , amount, customer] = line(i).split(';') as string[];
            const r: Receipt = {
              storeId: storeId as string,
              ref: ref as string,
              at: '2026-03-01T09:00:00.000Z',
              day: '2026-03-01',
              amount: Number((amount as string).replace(',', '.')),
              currency: 'EUR',
              channel: 'store',
              ...(customer ? { contactId: `c_${customer}` } : {}),
              recordedAt: now,
              importId: 'imp_raw',
            };
            receipts.push(receiptItem(r));
            if (customer) {
              const p: Purchase = {
                id: `p_${ref}`,
                contactId: `c_${customer}`,
                storeId: r.storeId,
                at: r.at,
                amount: r.amount,
                currency: 'EUR',
                channel: 'store',
                ref: r.ref,
                recordedAt: now,
              };
              purchases.push(purchaseItem(p));
            }
          }
          await batchWrite(stack.doc, table, receipts);
          await batchWrite(stack.doc, table, purchases);
        }
        const rawRate = rows / ((performance.now() - t) / 1000);
        log(`  raw BatchWriteItem: ${rawRate.toFixed(0)} items/s`);
        const mb = (b: number) => b / 2 ** 20;
        const memory = (what: string, big: Measured, little: Measured, key: 'peakRss' | 'peakHeap') => ({
          name: `${what} import peak ${key === 'peakRss' ? 'RSS' : 'heap'}, ${big.rows} lines`,
          unit: 'MB',
          value: mb(big[key]),
          baseline: `peak ${key === 'peakRss' ? 'RSS' : 'heap'} with ${little.rows} lines`,
          baselineValue: mb(little[key]),
          ratio: big[key] / little[key],
          ratioMeaning: '10× the lines: memory ratio',
          target: '≤ 1.5 (flat)',
          met: big[key] / little[key] <= 1.5,
        });
        return [
          {
            name: `receipts import, ${rows} lines through the job path (1 in ${KNOWN_EVERY} of a known customer)`,
            unit: 'lines/s',
            value: importRate,
            baseline: 'raw BatchWriteItem of the same items on the same dynalite, lines/s',
            baselineValue: rawRate,
            ratio: importRate / rawRate,
            ratioMeaning: 'share of the raw write rate',
            target: '≥ 0.5',
            met: importRate / rawRate >= 0.5,
          },
          {
            name: `contacts import, ${contactRows} lines through the job path`,
            unit: 'lines/s',
            value: cBig.rows / cBig.seconds,
            baseline: 'raw BatchWriteItem of receipts, lines/s (for scale)',
            baselineValue: rawRate,
            ratio: cBig.rows / cBig.seconds / rawRate,
            ratioMeaning: 'share of the raw write rate',
          },
          memory('receipts', rBig, rSmall, 'peakRss'),
          memory('receipts', rBig, rSmall, 'peakHeap'),
          memory('contacts', cBig, cSmall, 'peakRss'),
          memory('contacts', cBig, cSmall, 'peakHeap'),
        ];
      },
      { bootstrapKey: KEY },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
