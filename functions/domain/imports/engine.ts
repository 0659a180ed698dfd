import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { contactInputSchema } from '../contacts/contact';
import { type ContactDeps, upsertContacts } from '../contacts/customer-file';
import { type ReceiptLine, type ReceiptsDeps, recordReceipts } from '../purchases/record-receipts';
import { type Issue, validationError, zodIssues } from '../shared/errors';
import type { Clock } from '../shared/ports';
import { isTimeZone } from '../shared/time';
import type { StoreRepository } from '../stores/ports';
import {
  CONTACT_COLUMNS,
  type ContactField,
  foldHeader,
  type HeaderCell,
  matchHeader,
  RECEIPT_COLUMNS,
  type ReceiptField,
} from './columns';
import { type DateFormat, detectDateFormat } from './dates';
import { detectSeparator, oneColumnHint } from './dialect';
import type { ImportCounts, ImportKind, ImportOptions, RejectedLine } from './job';
import { contactRow, receiptRow } from './rows';
import { binaryKind, looksBinary, sniffEncoding, type TextEncoding, textDecoder } from './text';

/** What reading and writing rows needs, whichever way the file came (a job or a request body). */
export interface ImportEngineDeps {
  contacts: ContactDeps;
  receipts: Omit<ReceiptsDeps, 'stores' | 'clock'>;
  stores: Pick<StoreRepository, 'list'>;
  clock: Clock;
  /** The stack's defaults: phone numbers' country, dates' time zone, receipts' currency. */
  defaultCountry: string;
  timeZone: string;
  currency: string;
}

/** How a file is read, decided from its head: kept on the job so every chunk reads alike. */
export interface Dialect {
  encoding: TextEncoding;
  /** Bytes of byte order mark at the start of the file. */
  bom: number;
  separator: string;
  header: string[];
  dateFormat: DateFormat;
  /** Where the first data line starts, in the UTF-8 bytes the rows are read from. */
  dataOffset: number;
  /** The line the first data line is on (the header may span several lines). */
  dataLine: number;
}

/** How much of the file's start is looked at to decide its dialect. */
export const HEAD_BYTES = 256 * 1024;

const DATE_FIELDS: Record<ImportKind, string[]> = {
  contacts: ['email_consent_at', 'sms_consent_at', 'birthDate'],
  receipts: ['at'],
};

/**
 * Decides how to read a file from its first bytes (all of it when `whole`): refuses what is not a
 * text file, finds the encoding (a BOM, the declared charset, UTF-8 if it is valid, else
 * windows-1252), the separator, the header and the date format, and checks the header against the
 * kind's columns. Every problem of the file as a whole is one 400 naming what to fix.
 */
export function readDialect(
  head: Uint8Array,
  kind: ImportKind,
  options: ImportOptions,
  ctx: { whole: boolean; declaredCharset?: string },
): Dialect {
  if (head.length === 0) throw fileError('(file)', 'The file is empty');
  if (looksBinary(head)) {
    const what = binaryKind(head) ?? 'not a text file';
    throw fileError(
      '(file)',
      `This file is ${what}: save it as CSV (in Excel: "CSV UTF-8" or "CSV (separator: semicolon)")`,
    );
  }
  const { encoding, bom } = sniffEncoding(head, options.charset ?? ctx.declaredCharset, { whole: ctx.whole });
  const decoder = textDecoder(encoding, { offset: bom });
  let text = decoder.write(head.subarray(bom));
  if (ctx.whole) text += decoder.end();
  else text = text.slice(0, Math.max(0, text.lastIndexOf('\n') + 1)) || text;
  if (text.trim() === '') throw fileError('(file)', 'The file is empty');
  const separator = options.separator ?? detectSeparator(text);
  let sample: { record: string[]; info: { bytes: number; lines: number } }[];
  try {
    sample = parseSync(Buffer.from(text, 'utf8'), {
      delimiter: separator,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: true,
      to_line: 500,
    }) as unknown as typeof sample;
  } catch (err) {
    throw fileError('(file)', `The file is not valid CSV: ${(err as Error).message}`);
  }
  const header = sample[0]?.record.map((h) => h.trim());
  if (!header) throw fileError('header', 'The file has no header line');
  const { cells, issues } = headerCells(kind, header, options);
  if (issues.length > 0) {
    const hint = oneColumnHint(header, text);
    throw validationError(
      hint ? [{ path: 'header', message: hint }, ...issues] : issues,
      'The header of the file is not valid',
    );
  }
  if (sample.length < 2 && ctx.whole) throw fileError('(file)', 'The file has a header but no line after it');
  const dateColumns = new Set(DATE_FIELDS[kind]);
  const dates: string[] = [];
  cells.forEach((c, i) => {
    if (c.kind === 'field' && dateColumns.has(c.field))
      for (const row of sample.slice(1)) {
        const v = row.record[i]?.trim();
        if (v) dates.push(v);
      }
  });
  return {
    encoding,
    bom,
    separator,
    header,
    dateFormat: options.dateFormat ?? detectDateFormat(dates) ?? 'dmy',
    // Rows are read from the file itself when it is UTF-8 (its BOM included in the offsets), else
    // from its UTF-8 copy (no BOM).
    dataOffset: (sample[0]?.info.bytes ?? 0) + (encoding === 'utf-8' ? bom : 0),
    dataLine: (sample[0]?.info.lines ?? 1) + 1,
  };
}

/** The header's columns for an import kind, with the issues that refuse it. */
export function headerCells(kind: ImportKind, header: string[], options: ImportOptions) {
  const opts = {
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.ignoreUnknown ? { ignoreUnknown: true } : {}),
  };
  if (kind === 'contacts') {
    const m = matchHeader<ContactField>(header, CONTACT_COLUMNS, { ...opts, attributes: true });
    const fields = new Set(m.cells.flatMap((c) => (c.kind === 'field' ? [c.field] : [])));
    if (!fields.has('email') && !fields.has('phone'))
      m.issues.push({
        path: 'header',
        message: 'The header needs an email or a phone column (E-mail, Téléphone, Portable…)',
      });
    return m;
  }
  const m = matchHeader<ReceiptField>(header, RECEIPT_COLUMNS, opts);
  const fields = new Set(m.cells.flatMap((c) => (c.kind === 'field' ? [c.field] : [])));
  for (const [f, what] of [
    ['receiptRef', 'a receipt reference (N° ticket)'],
    ['storeId', 'a shop (Magasin)'],
    ['at', 'a date (Date)'],
    ['amount', 'an amount (Montant)'],
  ] as const) {
    if (!fields.has(f)) m.issues.push({ path: 'header', message: `The header needs ${what} column` });
  }
  return m;
}

const fileError = (path: string, message: string) =>
  validationError([{ path, message }], 'The file could not be read');

/** One record of the file: its cells, its text as it was, where it starts and where the next starts. */
export interface FileRecord {
  record: string[];
  raw: string;
  line: number;
  /** The line the next record may start on (a quoted cell may span several lines). */
  nextLine: number;
  /** The byte offset just after this record (in the UTF-8 bytes read). */
  end: number;
  /** The line's bytes were not UTF-8 (a Windows-1252 accent in a UTF-8 file): read as Windows-1252. */
  recoded?: true;
}

/** The longest line (or quoted multi-line value) a file may have: a larger one is a quote never closed. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Line breaks in `bytes` from `from`: CRLF, LF or a lone CR each count once. */
function lineBreaks(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b === 0x0a) n++;
    else if (b === 0x0d) {
      n++;
      if (bytes[i + 1] === 0x0a) i++;
    }
  }
  return n;
}

/** The bytes fed to the parser that it has not given back as records yet, by absolute offset. */
class ByteWindow {
  private chunks: Buffer[] = [];
  constructor(private start: number) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /** The bytes up to `end` (from where the last call stopped), dropped from the window. */
  take(end: number): Buffer {
    const parts: Buffer[] = [];
    while (this.start < end && this.chunks.length > 0) {
      const head = this.chunks[0] as Buffer;
      const want = end - this.start;
      if (head.length <= want) {
        parts.push(head);
        this.chunks.shift();
        this.start += head.length;
      } else {
        parts.push(head.subarray(0, want));
        this.chunks[0] = head.subarray(want);
        this.start = end;
      }
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}

const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

/**
 * The records of UTF-8 bytes from `offset` (a record boundary) on: their cells, their text as it is
 * in the file, the line they start on and the offset after them, so a job can checkpoint after any
 * of them and resume exactly there. Lines are counted from the bytes themselves (blank lines and
 * quoted line breaks, CRLF or LF, included). A line whose bytes are not UTF-8 is read as
 * Windows-1252, and said so. A file that is not CSV further on (a quote never closed) is a 400
 * naming the line. Leaving the loop early (a chunk's end, an error) stops the reading.
 */
export async function* readRecords(
  source: AsyncIterable<Uint8Array>,
  separator: string,
  at: { offset: number; line: number },
): AsyncGenerator<FileRecord> {
  const parser = parse({
    delimiter: separator,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    relax_quotes: true,
    // A record the parser cannot read is skipped and said (the 'skip' event), so the records before
    // it still come out in order; reading stops there.
    skip_records_with_error: true,
    // A quote never closed would otherwise hold the rest of the file in memory as one value.
    max_record_size: MAX_RECORD_BYTES,
  });
  let broken: { err: { code?: string; message?: string }; at: number } | undefined;
  parser.on('skip', (err: { code?: string; message?: string }) => {
    broken ??= { err, at: at.offset + parser.info.bytes };
  });
  const window = new ByteWindow(at.offset);
  let stopped = false;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (stopped) break;
        window.push(chunk);
        if (!parser.write(chunk))
          await new Promise<void>((resume) => {
            const go = () => {
              parser.off('drain', go);
              parser.off('close', go);
              resume();
            };
            parser.on('drain', go);
            parser.on('close', go);
          });
        if (stopped) break;
      }
      if (!stopped) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let line = at.line;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      const end = at.offset + r.info.bytes;
      if (broken && end > broken.at) break;
      const bytes = window.take(end);
      // Blank lines the parser skipped come first; the record's own line break last.
      let first = 0;
      while (isNewline(bytes[first])) first++;
      let last = bytes.length;
      if (bytes[last - 1] === 0x0a) last--;
      if (bytes[last - 1] === 0x0d) last--;
      const own = bytes.subarray(first, last);
      const start = line + lineBreaks(bytes, 0, first);
      line += lineBreaks(bytes);
      let record = r.record;
      let raw = own.toString('utf8');
      let recoded: true | undefined;
      if (!isUtf8(own)) {
        const d = textDecoder('windows-1252');
        raw = d.write(own) + d.end();
        record = (parseSync(raw, { delimiter: separator, relax_column_count: true, relax_quotes: true })[0] ??
          []) as string[];
        recoded = true;
      }
      yield { record, raw, line: start, nextLine: line, end, ...(recoded ? { recoded } : {}) };
    }
    if (broken) {
      // The line after the last record read: where the unreadable one starts.
      const rest = window.take(broken.at);
      let blank = 0;
      while (isNewline(rest[blank])) blank++;
      const where = line + lineBreaks(rest, 0, blank);
      throw fileError(
        '(file)',
        broken.err.code === 'CSV_QUOTE_NOT_CLOSED' || broken.err.code === 'CSV_MAX_RECORD_SIZE'
          ? `A quote (") on line ${where} opens a value that is never closed, so the rest of the file cannot be read: close it, or remove it`
          : `The file is not valid CSV from line ${where} (${broken.err.message ?? broken.err.code})`,
      );
    }
  } finally {
    stopped = true;
    parser.destroy();
    await feed.catch(() => undefined);
  }
}

/** What one batch of rows did: counts to add, lines refused (as they were, with their errors), warnings. */
export interface BatchResult {
  add: Partial<ImportCounts>;
  rejected: RejectedLine[];
  warnings: { line: number; message: string }[];
}

/** What a batch needs besides its rows: the dialect's header cells, the shops, and where it runs. */
export interface BatchContext {
  kind: ImportKind;
  cells: HeaderCell<string>[];
  dateFormat: DateFormat;
  options: ImportOptions;
  shops: { id: string; name: string; timeZone?: string }[];
  importId: string;
  batchKey: string;
}

/**
 * Writes one batch of records, each line standing alone: a line's errors refuse it (all of them at
 * once, each naming its column), a line's warnings let it in with something left out, and nothing a
 * line does stops the others.
 */
export async function importBatch(
  deps: ImportEngineDeps,
  rows: FileRecord[],
  ctx: BatchContext,
): Promise<BatchResult> {
  const out: BatchResult = { add: { read: rows.length }, rejected: [], warnings: [] };
  const now = deps.clock.now();
  const timeZone =
    ctx.options.timeZone && isTimeZone(ctx.options.timeZone) ? ctx.options.timeZone : deps.timeZone;
  const rowCtx = {
    dateFormat: ctx.dateFormat,
    timeZone,
    defaultCountry: ctx.options.defaultCountry ?? deps.defaultCountry,
    now,
  };
  const reject = (r: FileRecord, errors: Issue[]) => out.rejected.push({ line: r.line, raw: r.raw, errors });
  /** What is wrong with a line whatever its kind: values past the header's last column. */
  const shape = (r: FileRecord): Issue[] => {
    const extra = r.record.slice(ctx.cells.length).filter((v) => v.trim() !== '');
    return extra.length > 0
      ? [
          {
            path: '(line)',
            message: `This line has ${ctx.cells.length + extra.length} values for ${ctx.cells.length} columns ("${extra[0]?.slice(0, 40)}" is past the last one): a value containing the separator must be in quotes`,
          },
        ]
      : [];
  };
  const recodedWarning = (r: FileRecord) =>
    r.recoded ? ['This line is not UTF-8 like the rest of the file: read as Windows-1252'] : [];
  const warn = (r: FileRecord, messages: string[]) => {
    for (const message of messages) out.warnings.push({ line: r.line, message });
  };
  const count = (k: keyof ImportCounts, n = 1) => {
    out.add[k] = (out.add[k] ?? 0) + n;
  };
  if (ctx.kind === 'contacts') {
    const schema = contactInputSchema(rowCtx.defaultCountry);
    const ok: { r: FileRecord; input: ReturnType<typeof schema.parse>; warnings: string[] }[] = [];
    for (const r of rows) {
      const row = contactRow(ctx.cells as HeaderCell<ContactField>[], r.record, rowCtx);
      const parsed = schema.safeParse(row.value);
      // One error per column: the row's own reading says it best; the schema adds the others.
      const said = new Set(row.errors.map((e) => e.path));
      const schemaErrors = parsed.success ? [] : zodIssues(parsed.error).map(columnIssue);
      const errors = [...shape(r), ...row.errors, ...schemaErrors.filter((e) => !said.has(e.path))];
      if (errors.length > 0 || !parsed.success) reject(r, dedupe(errors));
      else ok.push({ r, input: parsed.data, warnings: [...recodedWarning(r), ...row.warnings] });
    }
    const known = new Set(ctx.shops.map((s) => s.id));
    for (const group of distinctGroups(ok, (o) => [o.input.email, o.input.phone, o.input.customerRef])) {
      const outcomes = await upsertContacts(
        deps.contacts,
        group.map((g) => g.input),
        known,
      );
      outcomes.forEach((o, i) => {
        const g = group[i] as (typeof group)[number];
        if ('error' in o)
          reject(
            g.r,
            o.error.issues.length ? o.error.issues : [{ path: '(line)', message: o.error.message }],
          );
        else {
          count(o.created ? 'created' : 'updated');
          if (g.warnings.length) {
            count('warnings');
            warn(g.r, g.warnings);
          }
        }
      });
    }
  } else {
    const byName = new Map<string, { id: string; timeZone: string }>();
    for (const s of ctx.shops) {
      const shop = { id: s.id, timeZone: s.timeZone && isTimeZone(s.timeZone) ? s.timeZone : timeZone };
      byName.set(foldHeader(s.id), shop);
      byName.set(foldHeader(s.name), shop);
    }
    const shopOf = (v: string) => byName.get(foldHeader(v));
    const lines: ReceiptLine[] = [];
    const byLine = new Map<number, { r: FileRecord; warnings: string[] }>();
    for (const r of rows) {
      const row = receiptRow(ctx.cells as HeaderCell<ReceiptField>[], r.record, r.line, {
        ...rowCtx,
        shopOf,
        currency: ctx.options.currency ?? deps.currency,
      });
      const errors = [...shape(r), ...row.errors];
      if (!row.value || errors.length) reject(r, dedupe(errors));
      else {
        lines.push(row.value);
        byLine.set(r.line, { r, warnings: [...recodedWarning(r), ...row.warnings] });
      }
    }
    const stores = new Map([...byName.values()].map((s) => [s.id, { timeZone: s.timeZone }] as const));
    const outcomes = await recordReceipts({ ...deps.receipts, clock: deps.clock, stores }, lines, {
      importId: ctx.importId,
      batchKey: ctx.batchKey,
    });
    for (const o of outcomes) {
      const source = byLine.get(o.line) as { r: FileRecord; warnings: string[] };
      if (o.kind === 'rejected') reject(source.r, o.errors);
      else if (o.kind === 'duplicate') {
        count('duplicates');
        out.rejected.push({
          line: o.line,
          raw: source.r.raw,
          errors: [{ path: 'receiptRef', message: o.message }],
        });
      } else {
        count('created');
        if (!o.contactId) count('anonymous');
        const warnings = [...source.warnings, ...(o.warning ? [o.warning] : [])];
        if (warnings.length) {
          count('warnings');
          warn(source.r, warnings);
        }
      }
    }
  }
  count('rejected', out.rejected.length - (out.add.duplicates ?? 0));
  return out;
}

/** A schema path back to the column a person fixes in their file. */
function columnIssue(i: Issue): Issue {
  const m = /^consent\.(email|sms)\.(status|source|at)/.exec(i.path);
  if (m) return { ...i, path: m[2] === 'status' ? `${m[1]}_consent` : `${m[1]}_consent_${m[2]}` };
  if (i.path.startsWith('attributes.'))
    return { ...i, path: `attr.${i.path.slice('attributes.'.length).split('.')[0]}` };
  return { ...i, path: i.path.split('.')[0] ?? i.path };
}

const dedupe = (issues: Issue[]) =>
  issues.filter((x, i) => issues.findIndex((y) => y.path === x.path && y.message === x.message) === i);

/**
 * Splits rows, in file order, into groups whose identifiers are all distinct (two lines of one
 * customer are applied one after the other, the later winning).
 */
function distinctGroups<T>(rows: T[], ids: (row: T) => (string | undefined)[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let seen = new Set<string>();
  for (const row of rows) {
    const keys = ids(row).filter((k): k is string => Boolean(k));
    if (keys.some((k) => seen.has(k))) {
      groups.push(current);
      current = [];
      seen = new Set();
    }
    current.push(row);
    for (const k of keys) seen.add(k);
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Rows written per batch: one batch is one checkpoint. */
export const BATCH_ROWS: Record<ImportKind, number> = { contacts: 500, receipts: 2000 };

/** The result of an import made at once (a request's body), as the synchronous endpoint answers it. */
export interface ImportNowResult {
  created: number;
  updated: number;
  rejected: { line: number; errors: Issue[] }[];
  warnings: { line: number; message: string }[];
  anonymous?: number;
  duplicates?: number;
}

/**
 * Imports a whole file held in memory (a small file sent as a request body): the same reading,
 * checks and writes as a job, without the job. A file that is not UTF-8 is decoded first.
 */
export async function importNow(
  deps: ImportEngineDeps,
  bytes: Uint8Array,
  kind: ImportKind,
  options: ImportOptions,
  declaredCharset?: string,
): Promise<ImportNowResult> {
  const dialect = readDialect(bytes, kind, options, {
    whole: true,
    ...(declaredCharset ? { declaredCharset } : {}),
  });
  const utf8 = toUtf8(bytes, dialect);
  const { cells } = headerCells(kind, dialect.header, options);
  const shops = await deps.stores.list();
  const result: ImportNowResult = { created: 0, updated: 0, rejected: [], warnings: [] };
  // Each request is its own import: its receipts and batches must never pass for another's.
  const run = `now:${crypto.randomUUID()}`;
  let n = 0;
  // The whole body is read before anything is written (it is small): a line that breaks the CSV
  // further on refuses the request, not half of it.
  const records: FileRecord[] = [];
  for await (const rec of readRecords(once(utf8.subarray(dialect.dataOffset)), dialect.separator, {
    offset: dialect.dataOffset,
    line: dialect.dataLine,
  }))
    records.push(rec);
  const flush = async (batch: FileRecord[]) => {
    const r = await importBatch(deps, batch, {
      kind,
      cells,
      dateFormat: dialect.dateFormat,
      options,
      shops,
      importId: run,
      batchKey: `${run}:${n++}`,
    });
    result.created += r.add.created ?? 0;
    result.updated += r.add.updated ?? 0;
    if (r.add.anonymous) result.anonymous = (result.anonymous ?? 0) + r.add.anonymous;
    if (r.add.duplicates) result.duplicates = (result.duplicates ?? 0) + r.add.duplicates;
    result.rejected.push(...r.rejected.map(({ line, errors }) => ({ line, errors })));
    result.warnings.push(...r.warnings);
  };
  for (let i = 0; i < records.length; i += BATCH_ROWS[kind])
    await flush(records.slice(i, i + BATCH_ROWS[kind]));
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}

/** The bytes rows are read from: the file when it is UTF-8, its text re-encoded as UTF-8 otherwise. */
export function toUtf8(bytes: Uint8Array, dialect: Pick<Dialect, 'encoding' | 'bom'>): Buffer {
  // UTF-8: the file itself, BOM included (offsets are the file's); else its text, re-encoded.
  if (dialect.encoding === 'utf-8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const d = textDecoder(dialect.encoding, { offset: dialect.bom });
  return Buffer.from(d.write(bytes.subarray(dialect.bom)) + d.end(), 'utf8');
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
