/**
 * `npm run bench`: every benchmark, each against a baseline measured in the
 * same run (a ratio holds on a noisy machine, an absolute time does not).
 * Prints a table and writes test/bench/results.json.
 * BENCH_RECIPIENTS sets the pipeline size (default 100,000).
 */
import { benchBundles } from './bundle';
import { type BenchResult, printTable, writeResults } from './lib';
import { benchPipeline } from './pipeline';
import { benchSenderRender } from './sender-render';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const recipients = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const log = (s: string) => console.log(s);

const results: BenchResult[] = [];
log('• sender bundle size');
results.push(...(await benchBundles()));
log('• per-recipient sender path vs MJML per recipient');
results.push(...(await benchSenderRender()));
log(`• whole local pipeline, ${recipients} recipients`);
results.push(...(await benchPipeline(recipients, log)));

console.log('');
printTable(results);
writeResults('test/bench/results.json', results);
console.log('\nWritten to test/bench/results.json');
