/**
 * `npm run import -- contacts|receipts <file>`: imports a file of any size from a terminal, as a
 * job of the stack (local by default, a deployed one with --url): creates the job, uploads the file
 * to its URL, shows the progress, then the summary, and saves the refused lines next to the file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { IMPORT_KINDS, type ImportKind } from '../../functions/domain/imports/job';
import { type ApiCall, apiBase, apiClient, type Io, NO_KEY, printError } from './api';

const USAGE = `Usage:
  npm run import -- contacts <file.csv> [options]
  npm run import -- receipts <file.csv> [options]

Options (everything is detected when not given):
  --separator <;|,|tab|pipe>   the column separator
  --charset <name>             the encoding (windows-1252, iso-8859-15…)
  --date-format <iso|dmy|mdy>  how dates are written (dmy: 31/12/2025)
  --mapping <file.json|json>   header → field, e.g. {"N° client":"customerRef","Divers":"ignore"}
  --ignore-unknown             skip columns that match no field instead of refusing the file
  --country <FR>               the country of phone numbers without a prefix
  --time-zone <Europe/Paris>   the time zone of dates without one
  --currency <EUR>             receipts: the currency of amounts without one
  --rejected <path>            where refused lines go (default: <file>.rejected.csv)
  --url <apiUrl>               a deployed stack's API (default: the local stack)
  --key <key>                  a marketer key (or RELANCE_API_KEY)`;

const SEPARATORS: Record<string, string> = { tab: '\t', pipe: '|', ',': ',', ';': ';', '\t': '\t', '|': '|' };

export interface ImportCliOptions {
  /** Seconds between two looks at the job. */
  pollSeconds?: number;
  /** Draws a progress bar (a terminal); otherwise a line every few seconds. */
  tty?: boolean;
}

export async function main(argv: string[], io: Io, cli: ImportCliOptions = {}): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  const [kind, file] = positionals;
  if (!kind || !IMPORT_KINDS.includes(kind as ImportKind))
    return usage(io, 'Say what the file holds: contacts or receipts');
  if (!file) return usage(io, 'Give the file to import');
  const key = values.key ?? io.env.RELANCE_API_KEY;
  if (!key) return usage(io, NO_KEY);
  try {
    const size = (await stat(file).catch(() => undefined))?.size;
    if (size === undefined) return fail(io, `Cannot read ${file}`);
    const options = await importOptions(values);
    const api = apiClient(apiBase(values.url, io.env), key);
    const job = await api.call('POST', '/v1/imports', { kind, options });
    io.out(`Import ${job.id}: uploading ${file} (${megabytes(size)})…`);
    await upload(job.uploadUrl, file, size);
    const done = await follow(api.call, job.id, io, cli);
    summary(done, io);
    if (done.counts.rejected > 0) {
      const path = values.rejected ?? `${file.replace(/\.(csv|txt)$/i, '')}.rejected.csv`;
      await saveRejected(api.raw, job.id, path);
      io.out(`Refused lines, with their errors: ${path}`);
    }
    return done.status === 'done' ? 0 : 1;
  } catch (err) {
    return printError(err, io);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      separator: { type: 'string' },
      charset: { type: 'string' },
      'date-format': { type: 'string' },
      mapping: { type: 'string' },
      'ignore-unknown': { type: 'boolean' },
      country: { type: 'string' },
      'time-zone': { type: 'string' },
      currency: { type: 'string' },
      rejected: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

/** The job's options from the flags; the API checks them and names the one at fault. */
async function importOptions(values: Values): Promise<Record<string, unknown>> {
  let mapping: unknown;
  if (values.mapping) {
    const text = values.mapping.trim().startsWith('{')
      ? values.mapping
      : await readFile(values.mapping, 'utf8');
    try {
      mapping = JSON.parse(text);
    } catch {
      throw new Error('--mapping: not JSON (give {"header":"field"} or a .json file)');
    }
  }
  const options: Record<string, unknown> = {
    separator:
      values.separator === undefined ? undefined : (SEPARATORS[values.separator] ?? values.separator),
    charset: values.charset,
    dateFormat: values['date-format'],
    mapping,
    ignoreUnknown: values['ignore-unknown'],
    defaultCountry: values.country,
    timeZone: values['time-zone'],
    currency: values.currency,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** PUTs the file to the presigned URL, streamed with its length (S3 refuses a PUT without one). */
export async function upload(url: string, file: string, size: number): Promise<void> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const req = request(target, { method: 'PUT', headers: { 'content-length': size } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        (res.statusCode ?? 500) < 300
          ? resolve()
          : reject(new Error(`Upload refused (${res.statusCode}): ${text.slice(0, 300)}`)),
      );
    });
    req.on('error', reject);
    createReadStream(file).on('error', reject).pipe(req);
  });
}

interface JobView {
  id: string;
  status: string;
  progress?: number;
  rowsPerSecond?: number;
  secondsLeft?: number;
  counts: Record<string, number> & { read: number; rejected: number };
  warnings?: { line: number; message: string }[];
  error?: { message: string };
}

/** Looks at the job until it ends, showing how far it is. */
async function follow(call: ApiCall, id: string, io: Io, cli: ImportCliOptions): Promise<JobView> {
  const every = (cli.pollSeconds ?? 1) * 1000;
  const bar = cli.tty
    ? new SingleBar({
        format: ' {bar} {percentage}% | {read} lines | {speed} lines/s | {eta_left} left',
        hideCursor: true,
      })
    : undefined;
  bar?.start(1000, 0, { read: 0, speed: 0, eta_left: '…' });
  let lastLine = 0;
  for (;;) {
    const job = (await call('GET', `/v1/imports/${id}`)) as JobView;
    const finished = job.status === 'done' || job.status === 'failed';
    const left = job.secondsLeft === undefined ? '…' : `${job.secondsLeft}s`;
    if (bar) {
      bar.update(Math.round((job.progress ?? 0) * 1000), {
        read: job.counts.read,
        speed: job.rowsPerSecond ?? 0,
        eta_left: left,
      });
    } else if (finished || Date.now() - lastLine >= 5000) {
      lastLine = Date.now();
      const pct = job.progress === undefined ? '' : `${Math.round(job.progress * 100)}% `;
      io.out(
        `  ${job.status} ${pct}— ${job.counts.read} lines read${job.rowsPerSecond ? `, ${job.rowsPerSecond} lines/s` : ''}${job.status === 'running' ? `, ${left} left` : ''}`,
      );
    }
    if (finished) {
      bar?.stop();
      return job;
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

function summary(job: JobView, io: Io): void {
  if (job.status === 'failed') {
    io.err(`Import ${job.id} failed: ${job.error?.message ?? 'unknown error'}`);
    return;
  }
  const c = job.counts;
  const parts = [
    `${c.read} lines read`,
    `${c.created ?? 0} created`,
    `${c.updated ?? 0} updated`,
    `${c.rejected} refused`,
    ...(c.warnings ? [`${c.warnings} with a warning`] : []),
    ...(c.anonymous ? [`${c.anonymous} anonymous receipts`] : []),
    ...(c.duplicates ? [`${c.duplicates} already recorded`] : []),
  ];
  io.out(`Import ${job.id} done: ${parts.join(', ')}.`);
  for (const w of (job.warnings ?? []).slice(0, 10)) io.out(`  line ${w.line}: ${w.message}`);
  if ((job.warnings?.length ?? 0) > 10) io.out(`  … and ${(job.warnings?.length ?? 0) - 10} more warnings`);
}

/** Downloads every page of the refused lines into one file. */
async function saveRejected(
  raw: (path: string) => Promise<Response>,
  id: string,
  path: string,
): Promise<void> {
  const out = createWriteStream(path);
  let next: string | undefined = `/v1/imports/${id}/rejected.csv`;
  while (next) {
    const res = await raw(next);
    if (!res.ok) throw new Error(`Cannot download the refused lines (${res.status})`);
    // The first page starts with the header; the next ones are lines only.
    const bytes = new Uint8Array(await res.arrayBuffer());
    await new Promise<void>((resolve, reject) => out.write(bytes, (e) => (e ? reject(e) : resolve())));
    const cursor = res.headers.get('x-next-cursor');
    next = cursor ? `/v1/imports/${id}/rejected.csv?cursor=${encodeURIComponent(cursor)}` : undefined;
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function usage(io: Io, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
}

function fail(io: Io, message: string): number {
  io.err(message);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await main(
    process.argv.slice(2),
    {
      out: (l) => console.log(l),
      err: (l) => console.error(l),
      env: process.env,
    },
    { tty: process.stdout.isTTY === true },
  );
  process.exit(code);
}
