import * as z from 'zod';

/**
 * An import of a file of any size, as a job: the file is uploaded to object storage (an S3
 * presigned PUT), a worker reads it in chunks from a checkpoint (its byte offset, saved after every
 * batch of rows is written), so a crash or a timeout resumes where it stopped, and the job's record
 * says how far it is.
 */
export const IMPORT_KINDS = ['contacts', 'receipts'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_STATUSES = ['waiting_upload', 'queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** How to read a file; everything is detected when not given. */
export const importOptionsSchema = z
  .strictObject({
    /** The column separator; detected from the first lines by default. */
    separator: z.enum([',', ';', '\t', '|']).optional(),
    /** The text's encoding when it is not UTF-8 (`windows-1252`, `iso-8859-15`…); detected by default. */
    charset: z.string().trim().min(1).max(40).optional(),
    /** How dates are written: ISO 8601, or dd/mm/yyyy (`dmy`) or mm/dd/yyyy (`mdy`); detected by default. */
    dateFormat: z.enum(['iso', 'dmy', 'mdy']).optional(),
    /** Header text → field (or `ignore`), over the built-in French and English names. */
    mapping: z.record(z.string().trim().min(1).max(200), z.string().min(1).max(60)).optional(),
    /** Skip columns that match no field instead of refusing the file. */
    ignoreUnknown: z.boolean().optional(),
    /** The country of phone numbers written without a prefix (the stack's DEFAULT_COUNTRY by default). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    /** The time zone of dates written without one (the shop's, else the stack's by default). */
    timeZone: z.string().max(64).optional(),
    /** Receipts: the currency of amounts when the file has no currency column (the stack's by default). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .default({});
export type ImportOptions = z.infer<typeof importOptionsSchema>;

export const createImportSchema = z.strictObject({
  kind: z.enum(IMPORT_KINDS),
  options: importOptionsSchema,
});

/** What a job has counted so far. */
export interface ImportCounts {
  /** Data lines read (the header excluded). */
  read: number;
  created: number;
  updated: number;
  rejected: number;
  /** Lines imported with something left out (an invalid phone, say), each said in `warnings`. */
  warnings: number;
  /** Receipts whose customer is unknown or not given: the shop's traffic, without a customer. */
  anonymous: number;
  /** Receipts recorded before (the same shop and receipt reference), in this file or another. */
  duplicates: number;
}

export const emptyImportCounts = (): ImportCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  rejected: 0,
  warnings: 0,
  anonymous: 0,
  duplicates: 0,
});

/** How the file was read, decided on its first chunk and kept for the others. */
export interface ImportDialect {
  encoding: string;
  separator: string;
  dateFormat?: 'iso' | 'dmy' | 'mdy';
  /** The header as it is in the file. */
  header: string[];
  /** The file was stored again as UTF-8 (it was in another encoding): chunks read that copy. */
  utf8Copy?: boolean;
}

export interface ImportJob {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  options: ImportOptions;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The uploaded file's size, in bytes, once known. */
  size?: number;
  dialect?: ImportDialect;
  /** Where the next chunk starts: the byte offset just after the last line written, and its line number. */
  checkpoint: { offset: number; line: number; chunks: number };
  counts: ImportCounts;
  /** The first warnings, for people to read (all of them are counted). */
  warnings: { line: number; message: string }[];
  /** Why the whole file was refused, when it was. */
  error?: { message: string; issues: { path: string; message: string }[] };
  /** The worker holding the job, until when: a second delivery of its message waits. */
  lease?: { owner: string; until: string };
}

/** A line refused, kept as it was with its errors: what `rejected.csv` gives back. */
export interface RejectedLine {
  line: number;
  raw: string;
  errors: { path: string; message: string }[];
}

/** Bytes of the file read per invocation of the worker at most (then the next chunk is queued). */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** The largest file an import accepts. */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/**
 * A job's progress for people: rows per second since it started and the time left, estimated
 * from the bytes read against the file's size.
 */
export function importProgress(job: ImportJob, now: Date) {
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now.getTime();
  const seconds = started !== undefined ? Math.max(0.001, (end - started) / 1000) : undefined;
  const rowsPerSecond = seconds ? Math.round((job.counts.read / seconds) * 10) / 10 : undefined;
  const share = job.size ? Math.min(1, job.checkpoint.offset / job.size) : undefined;
  const secondsLeft =
    job.status === 'running' && seconds && share && share > 0
      ? Math.round((seconds * (1 - share)) / share)
      : job.status === 'done'
        ? 0
        : undefined;
  return {
    ...(share !== undefined ? { progress: Math.round(share * 1000) / 1000 } : {}),
    ...(rowsPerSecond !== undefined ? { rowsPerSecond } : {}),
    ...(secondsLeft !== undefined ? { secondsLeft } : {}),
  };
}

/** A job as the API shows it. */
export function importView(job: ImportJob, now: Date) {
  const { lease: _lease, dialect, checkpoint: _checkpoint, ...rest } = job;
  return {
    ...rest,
    ...(dialect
      ? {
          dialect: {
            encoding: dialect.encoding,
            separator: dialect.separator,
            dateFormat: dialect.dateFormat,
          },
        }
      : {}),
    ...importProgress(job, now),
  };
}
