/**
 * `npm run bench`: every benchmark, each against a baseline measured in the
 * same run (a ratio holds on a noisy machine, an absolute time does not).
 * Prints a table and writes test/bench/results.json.
 * BENCH_RECIPIENTS sets the pipeline size (default 100,000), BENCH_IMPORT_ROWS the import files' (default
 * 200,000), BENCH_IMPORT_CONTACT_ROWS the contacts file's (default 50,000);
 * BENCH_ONLY=bundle,render,tracking,redeem,pipeline,imports
 * runs some of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { benchBundles } from './bundle';
import { benchImports } from './imports';
import { type BenchResult, printTable, writeResults } from './lib';
import { benchPipeline } from './pipeline';
import { benchRedeem } from './redeem';
import { benchSenderRender } from './sender-render';
import { benchTracking } from './tracking';

const RESULTS = 'test/bench/results.json';
const recipients = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const importRows = Number(process.env.BENCH_IMPORT_ROWS ?? 200_000);
/** Contacts import one by one with conditional claims: a quarter of the receipts' lines by default. */
const contactRows = Number(process.env.BENCH_IMPORT_CONTACT_ROWS ?? Math.min(importRows, 50_000));
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const log = (s: string) => console.log(s);

const benches: [string, string, () => Promise<BenchResult[]>][] = [
  ['bundle', 'sender bundle size', benchBundles],
  ['render', 'per-recipient sender path vs MJML per recipient', benchSenderRender],
  ['tracking', 'open and click handlers vs one PutItem', benchTracking],
  ['redeem', 'redeem handler vs one conditional UpdateItem', benchRedeem],
  ['pipeline', `whole local pipeline, ${recipients} recipients`, () => benchPipeline(recipients, log)],
  [
    'imports',
    `import jobs, ${importRows} lines of receipts and ${contactRows} of contacts`,
    () => benchImports(importRows, log, contactRows),
  ],
];

const results: BenchResult[] = [];
for (const [id, title, run] of benches) {
  if (only && !only.includes(id)) continue;
  log(`• ${title}`);
  results.push(...(await run()));
}

console.log('');
printTable(results);
// A partial run (BENCH_ONLY) keeps the other benchmarks' last figures in the file.
const previous: BenchResult[] = only && existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : [];
const names = new Set(results.map((r) => r.name));
writeResults(RESULTS, [...previous.filter((r) => !names.has(r.name)), ...results]);
console.log('\nWritten to test/bench/results.json');
