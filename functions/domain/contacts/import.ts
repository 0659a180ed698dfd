import { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { AppError, type Issue, validationError, zodIssues } from '../shared/errors';
import { contactInputSchema, isReservedName } from './contact';
import { type BulkOutcome, type ContactDeps, upsertContact, upsertContacts } from './customer-file';

/** Columns an import file may have. Headers match case-insensitively, ignoring "_", "-" and spaces. */
const COLUMNS = [
  'email',
  'phone',
  'firstName',
  'lastName',
  'locale',
  'homeStoreId',
  'timeZone',
  'tags',
  'email_consent',
  'email_consent_source',
  'email_consent_at',
  'sms_consent',
  'sms_consent_source',
  'sms_consent_at',
] as const;
type Column = (typeof COLUMNS)[number];

const fold = (h: string) => h.toLowerCase().replace(/[\s_-]/g, '');
const BY_FOLDED = new Map(COLUMNS.map((c) => [fold(c), c]));
const ATTRIBUTE = /^(?:attr|attribute|attributes)\.([A-Za-z0-9_]{1,40})(?::(string|number|boolean))?$/i;

type HeaderCell =
  | { kind: 'column'; column: Column }
  | { kind: 'attribute'; name: string; type: string }
  | { kind: 'unknown' };

export interface ImportResult {
  created: number;
  updated: number;
  rejected: { line: number; errors: Issue[] }[];
}

export interface ImportOptions {
  defaultCountry: string;
  now: () => Date;
  /** Rows processed together; identifiers repeated within a batch wait for the next one. */
  batchSize?: number;
  concurrency?: number;
  onProgress?: (done: number) => void;
}

/** Reads the header row, refusing the whole file when a column is unknown. */
export function parseHeader(header: string[]): HeaderCell[] {
  const issues: Issue[] = [];
  const cells = header.map((raw): HeaderCell => {
    const name = raw.trim();
    const attr = ATTRIBUTE.exec(name);
    if (attr?.[1] && isReservedName(attr[1])) {
      issues.push({
        path: `header.${name}`,
        message: `"${attr[1]}" is a reserved name: choose another attribute name`,
      });
      return { kind: 'unknown' };
    }
    if (attr?.[1]) return { kind: 'attribute', name: attr[1], type: (attr[2] ?? 'string').toLowerCase() };
    const column = BY_FOLDED.get(fold(name));
    if (!column) {
      issues.push({
        path: `header.${name || '(empty)'}`,
        message: `Unknown column; use ${COLUMNS.join(', ')} or attr.<name>[:number|:boolean]`,
      });
      return { kind: 'unknown' };
    }
    return { kind: 'column', column };
  });
  const columns = cells.flatMap((c) => (c.kind === 'column' ? [c.column] : []));
  const names = cells.flatMap((c) =>
    c.kind === 'column' ? [c.column as string] : c.kind === 'attribute' ? [`attr.${c.name}`] : [],
  );
  const dupes = names.filter((c, i) => names.indexOf(c) !== i);
  for (const d of new Set(dupes)) issues.push({ path: `header.${d}`, message: 'Column given twice' });
  if (!columns.includes('email') && !columns.includes('phone')) {
    issues.push({ path: 'header', message: 'The header needs an email or a phone column' });
  }
  if (issues.length > 0) throw validationError(issues, 'The CSV header is not valid');
  return cells;
}

const CONSENT_WORDS: Record<string, 'granted' | 'denied'> = {
  granted: 'granted',
  yes: 'granted',
  true: 'granted',
  '1': 'granted',
  oui: 'granted',
  denied: 'denied',
  no: 'denied',
  false: 'denied',
  '0': 'denied',
  non: 'denied',
};

/** Turns one CSV record into the JSON shape the API accepts, so both paths share one schema. */
export function rowToInput(
  cells: HeaderCell[],
  record: string[],
  now: Date,
): { input: Record<string, unknown>; errors: Issue[] } {
  const errors: Issue[] = [];
  const values: Partial<Record<Column, string>> = {};
  const attributes: Record<string, string | number | boolean> = {};
  cells.forEach((cell, i) => {
    const value = record[i]?.trim();
    if (!value || cell.kind === 'unknown') return;
    if (cell.kind === 'column') {
      values[cell.column] = value;
      return;
    }
    const path = `attr.${cell.name}`;
    if (cell.type === 'number') {
      const n = Number(value.replace(',', '.'));
      if (Number.isFinite(n)) attributes[cell.name] = n;
      else errors.push({ path, message: `"${value}" is not a number` });
    } else if (cell.type === 'boolean') {
      const b = CONSENT_WORDS[value.toLowerCase()];
      if (b) attributes[cell.name] = b === 'granted';
      else errors.push({ path, message: `"${value}" is not true or false` });
    } else attributes[cell.name] = value;
  });

  const consent: Record<string, unknown> = {};
  for (const channel of ['email', 'sms'] as const) {
    const raw = values[`${channel}_consent`];
    if (!raw) continue;
    const status = CONSENT_WORDS[raw.toLowerCase()];
    if (!status) {
      errors.push({ path: `${channel}_consent`, message: `"${raw}" is not granted or denied` });
      continue;
    }
    const at = values[`${channel}_consent_at`];
    consent[channel] = {
      status,
      source: values[`${channel}_consent_source`] ?? 'import',
      at: consentTime(at, now),
    };
  }

  const input: Record<string, unknown> = {
    email: values.email,
    phone: values.phone,
    firstName: values.firstName,
    lastName: values.lastName,
    locale: values.locale,
    homeStoreId: values.homeStoreId,
    timeZone: values.timeZone,
    tags: values.tags
      ?.split(/[|;]/)
      .map((t) => t.trim())
      .filter(Boolean),
    attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    consent: Object.keys(consent).length > 0 ? consent : undefined,
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  return { input, errors };
}

/**
 * Consent times must be ISO 8601 (a date alone means midnight UTC). Anything
 * else is passed on for the schema to refuse: guessing would read the French
 * 01/02/2025 as the 2nd of January.
 */
function consentTime(raw: string | undefined, now: Date): string {
  if (!raw) return now.toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return `${raw}T00:00:00.000Z`;
  const ms = Date.parse(raw);
  return /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(ms) ? new Date(ms).toISOString() : raw;
}

/** Maps a schema path back to the CSV column a user would fix. */
function columnOf(path: string): string {
  const m = /^consent\.(email|sms)\.(status|source|at)/.exec(path);
  if (m) return m[2] === 'status' ? `${m[1]}_consent` : `${m[1]}_consent_${m[2]}`;
  if (path.startsWith('attributes.')) return `attr.${path.slice('attributes.'.length).split('.')[0]}`;
  return path.split('.')[0] ?? path;
}

type Row = { line: number; input: ReturnType<ReturnType<typeof contactInputSchema>['parse']> };

/**
 * Imports contacts from CSV text. The file is streamed through csv-parse; a
 * bad line is reported with its number and never blocks the good ones. Rows are
 * upserted in concurrent batches; two rows for the same address are applied in
 * file order, so the last one wins.
 */
export async function importContacts(
  deps: ContactDeps,
  csv: string,
  opts: ImportOptions,
): Promise<ImportResult> {
  if (csv.trim() === '') throw validationError([{ path: '(body)', message: 'The CSV body is empty' }]);
  const schema = contactInputSchema(opts.defaultCountry);
  const knownStores = new Set((await deps.stores.list()).map((s) => s.id));
  const result: ImportResult = { created: 0, updated: 0, rejected: [] };
  const batchSize = opts.batchSize ?? 200;
  let cells: HeaderCell[] | undefined;
  let pending: Row[] = [];
  let done = 0;

  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
    relax_quotes: false,
  });
  parser.on('skip', (err: CsvError) => {
    const line = typeof err.lines === 'number' ? err.lines : 0;
    result.rejected.push({ line, errors: [{ path: '(line)', message: err.message }] });
  });
  Readable.from([csv]).pipe(parser);

  const flush = async (all: boolean) => {
    while (pending.length >= batchSize || (all && pending.length > 0)) {
      const { batch, rest } = takeBatch(pending, batchSize);
      pending = rest;
      const outcomes = await upsertContacts(
        deps,
        batch.map((r) => r.input),
        knownStores,
        opts.concurrency ? { concurrency: opts.concurrency } : {},
      ).catch(() => oneByOne(deps, batch, knownStores));
      outcomes.forEach((o, i) => {
        if ('error' in o) result.rejected.push({ line: batch[i]?.line ?? 0, errors: rowErrors(o.error) });
        else if (o.created) result.created++;
        else result.updated++;
      });
      done += batch.length;
      opts.onProgress?.(done);
    }
  };

  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      const line = startLine(info.lines, raw);
      if (!cells) {
        cells = parseHeader(record);
        continue;
      }
      const { input, errors } = rowToInput(cells, record, opts.now());
      const parsed = schema.safeParse(input);
      const issues = [
        ...errors,
        ...(parsed.success ? [] : zodIssues(parsed.error).map((i) => ({ ...i, path: columnOf(i.path) }))),
      ];
      if (issues.length > 0 || !parsed.success) result.rejected.push({ line, errors: issues });
      else pending.push({ line, input: parsed.data });
      if (pending.length >= batchSize) await flush(false);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw validationError([{ path: '(body)', message: (err as Error).message }], 'The CSV could not be read');
  }
  if (!cells) throw validationError([{ path: 'header', message: 'The CSV has no header row' }]);
  await flush(true);
  result.rejected = mergeByLine(result.rejected);
  return result;
}

/**
 * A batch whose bulk write failed for an unexpected reason is retried row by row, so one row the
 * database refuses is rejected alone and the import never stops half way.
 */
async function oneByOne(deps: ContactDeps, batch: Row[], knownStores: Set<string>): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const row of batch) {
    try {
      outcomes.push(await upsertContact(deps, row.input, knownStores));
    } catch (err) {
      outcomes.push({
        error:
          err instanceof AppError
            ? err
            : validationError([{ path: '(line)', message: 'This line could not be saved; the others were' }]),
      });
    }
  }
  return outcomes;
}

/** One entry per line, in line order, with all of that line's errors (each once). */
function mergeByLine(rejected: ImportResult['rejected']): ImportResult['rejected'] {
  const byLine = new Map<number, Issue[]>();
  for (const r of rejected) {
    const errors = byLine.get(r.line) ?? [];
    for (const e of r.errors)
      if (!errors.some((x) => x.path === e.path && x.message === e.message)) errors.push(e);
    byLine.set(r.line, errors);
  }
  return [...byLine].sort(([a], [b]) => a - b).map(([line, errors]) => ({ line, errors }));
}

/**
 * csv-parse reports the line where a record ends; people look for the line
 * where it starts: the end minus the line breaks inside the record.
 */
function startLine(endLine: number, raw: string): number {
  const inner = raw.replace(/\r?\n$|\r$/, '').match(/\r\n|\n|\r/g)?.length ?? 0;
  return Math.max(1, endLine - inner);
}

/** Takes up to `size` rows whose identifiers are distinct; the others keep their order for later. */
function takeBatch(rows: Row[], size: number): { batch: Row[]; rest: Row[] } {
  const seen = new Set<string>();
  const batch: Row[] = [];
  const rest: Row[] = [];
  for (const row of rows) {
    const ids = [row.input.email && `e:${row.input.email}`, row.input.phone && `p:${row.input.phone}`].filter(
      (x): x is string => Boolean(x),
    );
    if (batch.length < size && ids.every((i) => !seen.has(i))) {
      batch.push(row);
    } else {
      rest.push(row);
    }
    // A deferred row still blocks its identifiers, so later rows cannot overtake it.
    for (const i of ids) seen.add(i);
  }
  return { batch, rest };
}

function rowErrors(err: AppError): Issue[] {
  return err.issues.length > 0 ? err.issues : [{ path: '(line)', message: err.message }];
}
