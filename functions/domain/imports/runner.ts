import type { Logger } from '@aws-lambda-powertools/logger';
import { AppError, notFound } from '../shared/errors';
import type { Ids, MetricSink, WorkQueue } from '../shared/ports';
import {
  BATCH_ROWS,
  type Dialect,
  type FileRecord,
  HEAD_BYTES,
  headerCells,
  type ImportEngineDeps,
  importBatch,
  readDialect,
  readRecords,
} from './engine';
import {
  CHUNK_BYTES,
  emptyImportCounts,
  type ImportJob,
  type ImportKind,
  type ImportOptions,
  importView,
  MAX_IMPORT_BYTES,
} from './job';
import type { ImportFiles, ImportRepository } from './ports';
import { textDecoder } from './text';

/** The message that asks a worker to go on with an import. */
export interface ImportJobMessage {
  importId: string;
}

export interface ImportJobDeps extends ImportEngineDeps {
  imports: ImportRepository;
  files: ImportFiles;
  queue: WorkQueue<ImportJobMessage>;
  ids: Ids;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** This worker's name on the leases it takes. */
  workerId: string;
  /** How long a lease lasts: more than one invocation of the worker. */
  leaseSeconds: number;
  metrics?: MetricSink;
}

/** Where the file of an import is stored, and its UTF-8 copy when it was in another encoding. */
export const fileKey = (id: string) => `imports/${id}/file`;
export const utf8Key = (id: string) => `imports/${id}/utf8`;

/** How long the presigned upload URL works. */
export const UPLOAD_URL_SECONDS = 3600;

/** Creates an import job and the URL its file is PUT to; the upload starts the worker. */
export async function createImport(
  deps: Pick<ImportJobDeps, 'imports' | 'files' | 'ids' | 'clock'>,
  input: { kind: ImportKind; options: ImportOptions },
) {
  const now = deps.clock.now().toISOString();
  const job: ImportJob = {
    id: deps.ids.next('imp'),
    kind: input.kind,
    status: 'waiting_upload',
    options: input.options,
    createdAt: now,
    updatedAt: now,
    checkpoint: { offset: 0, line: 1, chunks: 0 },
    counts: emptyImportCounts(),
    warnings: [],
  };
  await deps.imports.create(job);
  const uploadUrl = await deps.files.uploadUrl(fileKey(job.id), UPLOAD_URL_SECONDS);
  return { ...importView(job, deps.clock.now()), uploadUrl, uploadExpiresInSeconds: UPLOAD_URL_SECONDS };
}

/** An uploaded file (an object-created event): its job is queued, and the worker asked to start. */
export async function fileUploaded(deps: Pick<ImportJobDeps, 'imports' | 'queue' | 'clock'>, key: string) {
  const m = /^imports\/([^/]+)\/file$/.exec(key);
  if (!m?.[1]) return 'ignored' as const;
  const job = await deps.imports.transition(
    m[1],
    ['waiting_upload'],
    'queued',
    deps.clock.now().toISOString(),
  );
  if (!job) return 'ignored' as const;
  await deps.queue.enqueue([{ importId: job.id }]);
  return 'queued' as const;
}

/** How many warnings a job keeps for people to read. */
const KEPT_WARNINGS = 50;

/**
 * Does one chunk of an import: takes the job's lease, reads the file from its checkpoint, writes
 * batches of rows, and saves the checkpoint after each (conditional on the lease and on the
 * checkpoint it started from, so a batch written again after a crash counts once). Stops well
 * before `remainingMs` runs out or after CHUNK_BYTES, queues the next chunk and gives the lease
 * back; finishes the job at the end of the file. A file refused as a whole fails the job with the
 * reason; an unexpected error leaves the checkpoint where it was, for the queue's retry.
 */
export async function runImportChunk(
  deps: ImportJobDeps,
  importId: string,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<'done' | 'continued' | 'failed' | 'busy' | 'nothing'> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() + deps.leaseSeconds * 1000).toISOString();
  const job = await deps.imports.lease(importId, deps.workerId, until, now.toISOString());
  if (!job) {
    const current = await deps.imports.get(importId);
    if (!current) return 'nothing';
    if (current.status === 'done' || current.status === 'failed') return 'nothing';
    // Someone holds it: look again once its lease may be over (it may have died).
    await deps.queue.enqueue([{ importId }], Math.min(900, deps.leaseSeconds));
    return 'busy';
  }
  try {
    if (job.status === 'done' || job.status === 'failed' || job.status === 'waiting_upload') return 'nothing';
    return await work(deps, job, remainingMs);
  } finally {
    await deps.imports.release(importId, deps.workerId).catch(() => undefined);
  }
}

async function work(deps: ImportJobDeps, job: ImportJob, remainingMs: () => number) {
  let offset = job.checkpoint.offset;
  let line = job.checkpoint.line;
  let dialect = job.dialect as (Dialect & { utf8Copy?: boolean }) | undefined;
  const warnings = [...job.warnings];
  const fail = async (err: AppError) => {
    await deps.imports.advance(job.id, deps.workerId, offset, {
      checkpoint: job.checkpoint,
      add: {},
      status: 'failed',
      finishedAt: deps.clock.now().toISOString(),
      error: { message: err.message, issues: err.issues },
    });
    deps.logger.warn('Import refused', { importId: job.id, reason: err.message });
    return 'failed' as const;
  };

  if (!dialect) {
    const size = await deps.files.size(fileKey(job.id));
    if (size === undefined) return fail(new AppError(400, 'no_file', 'No file was uploaded for this import'));
    if (size > MAX_IMPORT_BYTES)
      return fail(
        new AppError(
          413,
          'file_too_large',
          `The file is ${mb(size)}: an import takes ${mb(MAX_IMPORT_BYTES, Math.floor)} at most`,
          [{ path: '(file)', message: 'Split the file, or remove columns Relance does not read' }],
        ),
      );
    const head = await readHead(deps.files.read(fileKey(job.id), 0), HEAD_BYTES);
    try {
      dialect = readDialect(head, job.kind, job.options, { whole: head.length >= size });
    } catch (err) {
      if (err instanceof AppError) return fail(err);
      throw err;
    }
    if (dialect.encoding !== 'utf-8') {
      // Offsets must be those of the bytes read back: a file in another encoding is stored again as UTF-8.
      await deps.files.write(
        utf8Key(job.id),
        transcode(deps.files.read(fileKey(job.id), dialect.bom), dialect),
      );
    }
    const started = deps.clock.now().toISOString();
    const saved = await deps.imports.advance(job.id, deps.workerId, job.checkpoint.offset, {
      checkpoint: { offset: dialect.dataOffset, line: dialect.dataLine, chunks: job.checkpoint.chunks },
      add: {},
      dialect: { ...dialect, ...(dialect.encoding !== 'utf-8' ? { utf8Copy: true } : {}) },
      status: 'running',
      size,
      startedAt: started,
    });
    if (!saved) return 'busy';
    offset = dialect.dataOffset;
    line = dialect.dataLine;
    job.startedAt = started;
  }

  const key = dialect.encoding === 'utf-8' ? fileKey(job.id) : utf8Key(job.id);
  const { cells } = headerCells(job.kind, dialect.header, job.options);
  const shops = await deps.stores.list();
  const chunkStart = offset;
  let batch: FileRecord[] = [];
  let n = 0;
  let ended = true;
  const flush = async (): Promise<boolean> => {
    if (batch.length === 0) return true;
    const last = batch[batch.length - 1] as FileRecord;
    const result = await importBatch(deps, batch, {
      kind: job.kind,
      cells,
      dateFormat: dialect?.dateFormat ?? 'dmy',
      options: job.options,
      shops,
      importId: job.id,
      batchKey: `${job.id}:${offset}`,
    });
    await deps.imports.addRejected(job.id, result.rejected);
    deps.metrics?.count('ImportRows', result.add.read ?? 0, { name: 'Kind', value: job.kind });
    deps.metrics?.count('ImportRowsRejected', result.add.rejected ?? 0, { name: 'Kind', value: job.kind });
    for (const w of result.warnings) if (warnings.length < KEPT_WARNINGS) warnings.push(w);
    const ok = await deps.imports.advance(job.id, deps.workerId, offset, {
      checkpoint: { offset: last.end, line: last.nextLine, chunks: job.checkpoint.chunks + 1 },
      add: result.add,
      warnings,
    });
    if (!ok) return false;
    offset = last.end;
    line = last.nextLine;
    batch = [];
    n++;
    return true;
  };

  try {
    for await (const rec of readRecords(deps.files.read(key, offset), dialect.separator, { offset, line })) {
      batch.push(rec);
      if (batch.length >= BATCH_ROWS[job.kind]) {
        if (!(await flush())) return 'busy';
        if (remainingMs() < 60_000 || offset - chunkStart >= CHUNK_BYTES) {
          ended = false;
          break;
        }
      }
    }
  } catch (err) {
    // The file stops being CSV further on: the lines before it are in, the job says where it stopped.
    if (!(err instanceof AppError)) throw err;
    if (!(await flush())) return 'busy';
    return fail(err);
  }
  if (!(await flush())) return 'busy';
  if (!ended) {
    await deps.queue.enqueue([{ importId: job.id }]);
    deps.logger.info('Import chunk done', { importId: job.id, batches: n, offset });
    return 'continued';
  }
  const done = await deps.imports.advance(job.id, deps.workerId, offset, {
    checkpoint: { offset, line, chunks: job.checkpoint.chunks + 1 },
    add: {},
    status: 'done',
    finishedAt: deps.clock.now().toISOString(),
  });
  if (!done) return 'busy';
  if (dialect.encoding !== 'utf-8') await deps.files.remove(utf8Key(job.id)).catch(() => undefined);
  deps.logger.info('Import done', { importId: job.id });
  return 'done';
}

async function readHead(source: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= max) break;
  }
  return Buffer.concat(parts).subarray(0, max);
}

async function* transcode(source: AsyncIterable<Uint8Array>, dialect: Dialect): AsyncIterable<Uint8Array> {
  const d = textDecoder(dialect.encoding, { offset: dialect.bom });
  for await (const chunk of source) {
    const text = d.write(chunk);
    if (text) yield Buffer.from(text, 'utf8');
  }
  const rest = d.end();
  if (rest) yield Buffer.from(rest, 'utf8');
}

/** A size in MB for people: a file just over the limit must not read as the limit itself. */
const mb = (bytes: number, round: (n: number) => number = Math.ceil) => `${round(bytes / 1024 / 1024)} MB`;

/** The job a marketer asks about, as the API shows it. */
export async function importStatus(deps: Pick<ImportJobDeps, 'imports' | 'clock'>, id: string) {
  const job = await deps.imports.get(id);
  if (!job) throw notFound('Import');
  return importView(job, deps.clock.now());
}

/**
 * The lines an import refused, as a CSV in the file's own dialect (its separator; UTF-8 with a BOM,
 * which Excel opens in columns): the header, then each line as it was, with an `errors` column.
 */
export async function rejectedCsv(
  deps: Pick<ImportJobDeps, 'imports'>,
  id: string,
  cursor: string | undefined,
  limit = 10_000,
): Promise<{ csv: string; next?: string }> {
  const job = await deps.imports.get(id);
  if (!job) throw notFound('Import');
  const sep = job.dialect?.separator ?? ',';
  const quote = (v: string) => (/["\r\n]/.test(v) || v.includes(sep) ? `"${v.replace(/"/g, '""')}"` : v);
  const page = await deps.imports.rejected(id, cursor, limit);
  const lines = page.lines.map(
    (l) =>
      `${l.raw}${sep}${quote(l.errors.map((e) => `line ${l.line}, ${e.path}: ${e.message}`).join(' | '))}`,
  );
  const head = cursor ? '' : `\uFEFF${[...(job.dialect?.header ?? []).map(quote), 'errors'].join(sep)}\r\n`;
  return { csv: head + lines.map((l) => `${l}\r\n`).join(''), ...(page.next ? { next: page.next } : {}) };
}
