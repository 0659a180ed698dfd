import type { ImportCounts, ImportDialect, ImportJob, ImportStatus, RejectedLine } from './job';

/** What a batch of an import changes on its job, saved in one conditional write. */
export interface ImportAdvance {
  checkpoint: ImportJob['checkpoint'];
  /** Added to the counts. */
  add: Partial<ImportCounts>;
  warnings?: ImportJob['warnings'];
  dialect?: ImportDialect;
  status?: ImportStatus;
  size?: number;
  startedAt?: string;
  finishedAt?: string;
  error?: ImportJob['error'];
}

/** Import jobs and the lines they refused. */
export interface ImportRepository {
  create(job: ImportJob): Promise<void>;
  get(id: string): Promise<ImportJob | undefined>;
  /** The most recent jobs, newest first. */
  recent(limit: number): Promise<ImportJob[]>;
  /** Moves a job to `to` only if its status is one of `from`; the job after, or undefined. */
  transition(
    id: string,
    from: readonly ImportStatus[],
    to: ImportStatus,
    at: string,
  ): Promise<ImportJob | undefined>;
  /**
   * Takes the job for a worker until `until`: only if nobody holds it, or its holder's lease ended
   * before `now` (a worker that died). The job as it is then, or undefined when someone holds it.
   */
  lease(id: string, owner: string, until: string, now: string): Promise<ImportJob | undefined>;
  /**
   * Saves a batch's progress: only if `owner` still holds the lease and the checkpoint is still at
   * `fromOffset` (so a batch written twice after a crash counts once). False when it was not.
   */
  advance(id: string, owner: string, fromOffset: number, next: ImportAdvance): Promise<boolean>;
  /** Gives the lease back (the next chunk's worker takes it). */
  release(id: string, owner: string): Promise<void>;
  /** Keeps refused lines (written again by a retried batch: idempotent by line). */
  addRejected(id: string, lines: RejectedLine[]): Promise<void>;
  /** The refused lines in line order, a page at a time. */
  rejected(
    id: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ lines: RejectedLine[]; next?: string }>;
}

/** Where uploaded files live (an S3 bucket of the stack; an S3 emulator locally). */
export interface ImportFiles {
  /** A URL the client PUTs the file to, without a key of ours, valid for `expiresSeconds`. */
  uploadUrl(key: string, expiresSeconds: number): Promise<string>;
  /** The stored file's size in bytes; undefined when nothing was uploaded. */
  size(key: string): Promise<number | undefined>;
  /** The file's bytes from `offset` to the end, streamed. */
  read(key: string, offset: number): AsyncIterable<Uint8Array>;
  /** Stores a file from a stream (a UTF-8 copy of a file in another encoding). */
  write(key: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  remove(key: string): Promise<void>;
}
