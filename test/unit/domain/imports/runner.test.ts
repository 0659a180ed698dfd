import iconv from 'iconv-lite';
import { describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import { upsertContact } from '../../../../functions/domain/contacts/customer-file';
import { BATCH_ROWS, HEAD_BYTES, importNow } from '../../../../functions/domain/imports/engine';
import {
  emptyImportCounts,
  type ImportJob,
  type ImportKind,
  type ImportOptions,
  MAX_IMPORT_BYTES,
} from '../../../../functions/domain/imports/job';
import {
  createImport,
  fileKey,
  fileUploaded,
  type ImportJobDeps,
  type ImportJobMessage,
  importStatus,
  rejectedCsv,
  runImportChunk,
  utf8Key,
} from '../../../../functions/domain/imports/runner';
import {
  type FakeDeps,
  FakeImportFiles,
  FakeImportRepository,
  FakeWorkQueue,
  fakeDeps,
  fakeImportEngineDeps,
} from '../../../support/fakes';

/**
 * The import job's worker (runner.ts) over the fakes: the file read from the fake bucket a few
 * bytes at a time, the job's record with the DynamoDB adapter's conditions, the queue kept. A
 * "worker" is one Lambda instance (its own name on the leases); several share the same world.
 */

interface World {
  d: FakeDeps;
  imports: FakeImportRepository;
  files: FakeImportFiles;
  queue: FakeWorkQueue<ImportJobMessage>;
}

type Worker = ImportJobDeps & Pick<World, 'imports' | 'files' | 'queue'>;

function world(stores: string[] = ['paris'], chunkSize = 7): World {
  const d = fakeDeps(stores);
  return {
    d,
    imports: new FakeImportRepository(d.clock),
    files: new FakeImportFiles(chunkSize),
    queue: new FakeWorkQueue<ImportJobMessage>(),
  };
}

function worker(w: World, workerId = 'w1'): Worker {
  return {
    ...fakeImportEngineDeps(w.d),
    imports: w.imports,
    files: w.files,
    queue: w.queue,
    ids: w.d.ids,
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    workerId,
    leaseSeconds: 600,
  };
}

const bytes = (body: string | Uint8Array) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;

/** A job created, its file PUT to the bucket and the upload event handled: its id. */
async function upload(
  w: World,
  kind: ImportKind,
  body: string | Uint8Array,
  options: ImportOptions = {},
): Promise<string> {
  const deps = worker(w, 'api');
  const created = await createImport(deps, { kind, options });
  expect(created.uploadUrl).toContain(fileKey(created.id));
  w.files.put(fileKey(created.id), bytes(body));
  expect(await fileUploaded(deps, fileKey(created.id))).toBe('queued');
  return created.id;
}

/**
 * Delivers what is queued to `deps`, as SQS would (delays not waited for), until nothing is left:
 * the outcome of each delivery.
 */
async function drain(w: World, deps: Worker, remainingMs?: () => number, max = 50) {
  const outcomes: string[] = [];
  for (let n = 0; n < max; n++) {
    const message = w.queue.take().flatMap((b) => b.jobs)[0];
    if (!message) return outcomes;
    outcomes.push(await runImportChunk(deps, message.importId, remainingMs));
  }
  throw new Error(`still queued after ${max} deliveries: ${outcomes.join(', ')}`);
}

async function job(w: World, id: string): Promise<ImportJob> {
  const j = await w.imports.get(id);
  if (!j) throw new Error(`no job ${id}`);
  return j;
}

async function byEmail(d: FakeDeps, email: string) {
  const id = await d.contacts.ownerOf('email', email);
  return id ? d.contacts.get(id) : undefined;
}

/** The contacts as a customer file holds them, without what depends on when and in which order they were written. */
const people = (d: FakeDeps) =>
  [...d.contacts.items.values()]
    .map((c) => {
      const {
        id: _i,
        createdAt: _c,
        updatedAt: _u,
        version: _v,
        ...rest
      } = c as Contact & { version?: number };
      return rest;
    })
    .sort((a, b) => ((a.email ?? a.phone ?? '') < (b.email ?? b.phone ?? '') ? -1 : 1));

/** A promise that must settle within two seconds: a hung worker fails the test at once. */
async function within<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

const allRejected = async (w: World, id: string) =>
  (await w.imports.rejected(id, undefined, 1_000_000)).lines;

/** A French Excel export: BOM, CRLF, semicolons, accents, a quoted line break, bad lines and repeats. */
function frenchFile(rows: number): string {
  const lines = ['Prénom;Nom;Adresse e-mail;Tél. portable;Newsletter;Magasin'];
  for (let i = 1; i <= rows; i++) {
    if (i % 97 === 0) lines.push(`Bad${i};X;not-an-email;;oui;`);
    else if (i % 89 === 0) lines.push(`Zoé${i};"Lœuvre\nde la Tour";zoe${i}@example.fr;12;non;paris`);
    else if (i % 50 === 0) lines.push(`Aurélie;Châtelain v${i};aurelie@example.fr;06 12 34 56 78;oui;paris`);
    else lines.push(`Élodie${i};Dupré;u${i}@example.fr;;${i % 2 ? 'oui' : 'non'};${i % 3 ? 'paris' : ''}`);
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

describe('runImportChunk', () => {
  it('gives the same contacts, counts, refused lines and warnings as importNow, over many chunks', async () => {
    const csv = frenchFile(1300);
    const now = fakeDeps(['paris']);
    const expected = await importNow(fakeImportEngineDeps(now), bytes(csv), 'contacts', {});
    expect(expected.rejected.length).toBeGreaterThan(0);
    expect(expected.warnings.length).toBeGreaterThan(0);

    // The file comes 7 bytes at a time (accents and CRLFs cut in two), in three batches of rows.
    const w = world(['paris'], 7);
    const id = await upload(w, 'contacts', csv);
    expect(Math.ceil(1300 / BATCH_ROWS.contacts)).toBe(3);
    expect(await drain(w, worker(w))).toEqual(['done']);

    const j = await job(w, id);
    expect(j).toMatchObject({ status: 'done', dialect: { encoding: 'utf-8', separator: ';' } });
    expect(j.lease).toBeUndefined();
    expect(j.counts).toEqual({
      ...emptyImportCounts(),
      read: 1300,
      created: expected.created,
      updated: expected.updated,
      rejected: expected.rejected.length,
      warnings: expected.warnings.length,
    });
    expect(j.warnings).toEqual(expected.warnings);
    expect((await allRejected(w, id)).map(({ line, errors }) => ({ line, errors }))).toEqual(
      expected.rejected,
    );
    expect(people(w.d)).toEqual(people(now));
    expect((await byEmail(w.d, 'aurelie@example.fr'))?.lastName).toBe('Châtelain v1300');
    expect((await byEmail(w.d, 'zoe89@example.fr'))?.lastName).toBe('Lœuvre\nde la Tour');
  });

  it('resumes after a crash between a batch’s writes and its checkpoint without counting it twice', async () => {
    const w = world();
    const csv = frenchFile(700);
    const id = await upload(w, 'contacts', csv);
    const real = w.imports.advance.bind(w.imports);
    let calls = 0;
    // Call 1 saves the dialect, 2 the first batch, 3 the second (last) one: the worker dies there.
    const spy = vi.spyOn(w.imports, 'advance').mockImplementation(async (...args) => {
      if (++calls === 3) throw new Error('Task timed out after 900.00 seconds');
      return real(...args);
    });
    await expect(runImportChunk(worker(w), id)).rejects.toThrow('Task timed out');
    spy.mockRestore();
    const crashed = await job(w, id);
    expect(crashed).toMatchObject({ status: 'running', counts: { read: BATCH_ROWS.contacts } });
    expect(crashed.lease).toBeUndefined();
    const status = await importStatus(worker(w), id);
    expect(status).not.toHaveProperty('lease');
    expect(status.progress).toBeGreaterThan(0.5);
    expect(status.progress).toBeLessThan(1);

    // SQS delivers the message again.
    w.queue.take();
    expect(await runImportChunk(worker(w, 'w2'), id)).toBe('done');
    const ref = fakeDeps(['paris']);
    const expected = await importNow(fakeImportEngineDeps(ref), bytes(csv), 'contacts', {});
    const j = await job(w, id);
    expect(j.counts.read).toBe(700);
    // The replayed batch's contacts were written before the crash: they count as updated the second time.
    expect(j.counts.created + j.counts.updated).toBe(expected.created + expected.updated);
    expect(j.counts.rejected).toBe(expected.rejected.length);
    expect(j.counts.warnings).toBe(expected.warnings.length);
    expect(await allRejected(w, id)).toHaveLength(expected.rejected.length);
    expect(people(w.d)).toEqual(people(ref));
    expect(await importStatus(worker(w), id)).toMatchObject({ status: 'done', progress: 1, secondsLeft: 0 });
  });

  it('resumes a receipts batch that crashed after its writes without adding it twice to the customer', async () => {
    const w = world();
    await upsertContact(w.d, { email: 'ann@x.fr', customerRef: 'C1' });
    const id = await upload(
      w,
      'receipts',
      'N° ticket;Magasin;Date;Montant TTC;Code client\nT1;paris;01/03/2025 10:00;12,50;C1\nT2;paris;02/03/2025 10:00;7,50;C1\n',
    );
    const real = w.imports.advance.bind(w.imports);
    let calls = 0;
    vi.spyOn(w.imports, 'advance').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('Task timed out');
      return real(...args);
    });
    await expect(runImportChunk(worker(w), id)).rejects.toThrow('Task timed out');
    expect(await byEmail(w.d, 'ann@x.fr')).toMatchObject({ totalSpent: 20, purchases: { store: 2 } });

    expect(await runImportChunk(worker(w, 'w2'), id)).toBe('done');
    expect((await job(w, id)).counts).toMatchObject({ read: 2, created: 2, duplicates: 0, anonymous: 0 });
    expect(await byEmail(w.d, 'ann@x.fr')).toMatchObject({ totalSpent: 20, purchases: { store: 2 } });
    expect(w.d.receipts.items.size).toBe(2);
  });

  it('backs off while another worker holds a live lease, and takes over an expired one', async () => {
    const w = world();
    const id = await upload(w, 'contacts', frenchFile(20));
    w.queue.take();
    const now = w.d.clock.now();
    const until = new Date(now.getTime() + 600_000).toISOString();
    expect(await w.imports.lease(id, 'w-dead', until, now.toISOString())).toBeDefined();

    expect(await runImportChunk(worker(w), id)).toBe('busy');
    // Looked at again once the lease may be over.
    expect(w.queue.take()).toEqual([{ jobs: [{ importId: id }], delay: 600 }]);
    expect(await job(w, id)).toMatchObject({ status: 'queued', counts: emptyImportCounts() });
    expect(w.d.contacts.items.size).toBe(0);

    w.d.clock.advance(599_000);
    expect(await runImportChunk(worker(w), id)).toBe('busy');
    w.queue.take();
    w.d.clock.advance(2_000);
    expect(await runImportChunk(worker(w), id)).toBe('done');
    expect((await job(w, id)).counts.read).toBe(20);
    // The dead worker, back, can save nothing: it no longer holds the job.
    expect(
      await w.imports.advance(id, 'w-dead', (await job(w, id)).checkpoint.offset, {
        checkpoint: { offset: 1, line: 1, chunks: 9 },
        add: { created: 100 },
      }),
    ).toBe(false);
  });

  it('counts a file once when its message is delivered twice, at once or later', async () => {
    const w = world();
    const csv = frenchFile(700);
    const id = await upload(w, 'contacts', csv);
    // A second upload event for the same key queues nothing.
    expect(await fileUploaded(worker(w), fileKey(id))).toBe('ignored');
    expect(w.queue.jobs).toEqual([{ importId: id }]);

    // Two instances receive the message at the same time.
    const outcomes = await Promise.all([
      runImportChunk(worker(w, 'w1'), id),
      runImportChunk(worker(w, 'w2'), id),
    ]);
    expect(outcomes.sort()).toEqual(['busy', 'done']);
    // The busy one's retry, and a late duplicate, find the job done.
    expect(await drain(w, worker(w, 'w3'))).toEqual(['nothing']);
    expect(await runImportChunk(worker(w, 'w4'), id)).toBe('nothing');

    const expected = await importNow(fakeImportEngineDeps(fakeDeps(['paris'])), bytes(csv), 'contacts', {});
    expect((await job(w, id)).counts).toMatchObject({
      read: 700,
      created: expected.created,
      updated: expected.updated,
      rejected: expected.rejected.length,
    });
    expect(w.d.contacts.items.size).toBe(expected.created);
  });

  it('keeps each refused line once, in line order, even when its batch is written twice', async () => {
    const w = world();
    const csv = [
      'email;firstName',
      'a@x.fr;Ann',
      'bad;Bob',
      'c@x.fr;Cy',
      'worse;Di',
      ';Ed',
      'f@x.fr;Flo',
    ].join('\n');
    const id = await upload(w, 'contacts', csv);
    w.queue.take();
    const real = w.imports.advance.bind(w.imports);
    let calls = 0;
    const spy = vi.spyOn(w.imports, 'advance').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('Task timed out');
      return real(...args);
    });
    await expect(runImportChunk(worker(w), id)).rejects.toThrow();
    expect(await allRejected(w, id)).toHaveLength(3);
    spy.mockRestore();
    expect(await runImportChunk(worker(w), id)).toBe('done');

    expect((await job(w, id)).counts).toMatchObject({ read: 6, rejected: 3 });
    const lines = await allRejected(w, id);
    expect(lines.map((l) => [l.line, l.raw, l.errors[0]?.path])).toEqual([
      [3, 'bad;Bob', 'email'],
      [5, 'worse;Di', 'email'],
      [6, ';Ed', 'email'],
    ]);
    const first = await w.imports.rejected(id, undefined, 2);
    expect(first.lines.map((l) => l.line)).toEqual([3, 5]);
    expect(first.next).toBe('5');
    expect(await w.imports.rejected(id, first.next, 2)).toEqual({ lines: [lines[2]] });

    // rejected.csv: the file's header and separator, each refused line as it was, with its errors.
    const page1 = await rejectedCsv(worker(w), id, undefined, 2);
    expect(page1.csv.split('\r\n')).toEqual([
      '\uFEFFemail;firstName;errors',
      'bad;Bob;line 3, email: Invalid email address',
      'worse;Di;line 5, email: Invalid email address',
      '',
    ]);
    expect(page1.next).toBe('5');
    const page2 = await rejectedCsv(worker(w), id, page1.next, 2);
    expect(page2.csv.startsWith(';Ed;line 6, email: ')).toBe(true);
    expect(page2).not.toHaveProperty('next');
  });

  it('reads a Windows-1252 file through a UTF-8 copy, resuming in the copy, and removes the copy at the end', async () => {
    const w = world(['paris'], 7);
    const lines = ['Prénom;Nom;E-mail'];
    for (let i = 1; i <= 1100; i++) lines.push(`Aurélie${i};Châtelain-Lœuvre €${i};a${i}@x.fr`);
    const csv = `${lines.join('\r\n')}\r\n`;
    const id = await upload(w, 'contacts', new Uint8Array(iconv.encode(csv, 'windows-1252')));
    w.queue.take();
    const real = w.imports.advance.bind(w.imports);
    let calls = 0;
    // The dialect, batches 1 and 2 are saved; the worker dies before saving the last batch.
    const spy = vi.spyOn(w.imports, 'advance').mockImplementation(async (...args) => {
      if (++calls === 4) throw new Error('Task timed out');
      return real(...args);
    });
    await expect(runImportChunk(worker(w), id)).rejects.toThrow('Task timed out');
    spy.mockRestore();
    const running = await job(w, id);
    expect(running.dialect).toMatchObject({ encoding: 'windows-1252', separator: ';', utf8Copy: true });
    expect(running.counts.read).toBe(2 * BATCH_ROWS.contacts);
    expect(w.files.text(utf8Key(id))).toBe(csv);

    expect(await runImportChunk(worker(w, 'w2'), id)).toBe('done');
    // Rows were read from the copy: from the end of its header, then from the checkpoint (an offset of the copy).
    const fromCopy = w.files.reads.filter((r) => r.key === utf8Key(id)).map((r) => r.offset);
    const header = Buffer.byteLength('Prénom;Nom;E-mail\r\n');
    const rows1000 = Buffer.byteLength(`${lines.slice(0, 1001).join('\r\n')}\r\n`);
    expect(fromCopy).toEqual([header, rows1000]);
    expect(w.files.files.has(utf8Key(id))).toBe(false);
    expect(w.files.files.has(fileKey(id))).toBe(true);

    const { counts } = await job(w, id);
    expect(counts).toMatchObject({ read: 1100, rejected: 0 });
    // The last batch, written before the crash, counts as updated when written again.
    expect(counts.created + counts.updated).toBe(1100);
    expect(w.d.contacts.items.size).toBe(1100);
    expect(await byEmail(w.d, 'a777@x.fr')).toMatchObject({
      firstName: 'Aurélie777',
      lastName: 'Châtelain-Lœuvre €777',
    });
    expect(await byEmail(w.d, 'a1100@x.fr')).toMatchObject({ lastName: 'Châtelain-Lœuvre €1100' });
    expect(JSON.stringify([...w.d.contacts.items.values()])).not.toContain('\uFFFD');
  });

  // Runner bug, left failing on purpose (see readRecords in engine.test.ts): leaving the loop over
  // readRecords (at the end of a chunk, when time runs short or after CHUNK_BYTES; a `return 'busy'`;
  // an error) destroys the parser while its feeder waits for a 'drain' that never comes, and
  // readRecords' `finally` awaits that feeder: runImportChunk never returns, the lease is never given
  // back and the next chunk is never queued (the Lambda runs until its timeout).
  // The file comes in pieces much smaller than itself, as S3's body does (16-64 KB for files of MBs).
  it('goes on in a next invocation when time runs short', async () => {
    const w = world(['paris'], 100);
    const id = await upload(w, 'contacts', frenchFile(1100));
    w.queue.take();
    expect(await within(runImportChunk(worker(w), id, () => 0))).toBe('continued');
    expect(w.queue.jobs).toEqual([{ importId: id }]);
    const j = await job(w, id);
    expect(j.counts.read).toBe(BATCH_ROWS.contacts);
    expect(j.lease).toBeUndefined();
    expect(await within(drain(w, worker(w), () => 0))).toEqual(['continued', 'done']);
    expect((await job(w, id)).counts.read).toBe(1100);
  });

  it('lets an error in the middle of a chunk reach the queue, which delivers the message again', async () => {
    const w = world(['paris'], 100);
    const id = await upload(w, 'contacts', frenchFile(1100));
    w.queue.take();
    const real = w.imports.advance.bind(w.imports);
    let calls = 0;
    vi.spyOn(w.imports, 'advance').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('ProvisionedThroughputExceededException');
      return real(...args);
    });
    await expect(within(runImportChunk(worker(w), id))).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    expect((await job(w, id)).lease).toBeUndefined();
  });

  // Reproduces a defect found in review (fixed): the encoding is decided on the first HEAD_BYTES (256 KB); a
  // file that is plain ASCII there is read as UTF-8, and its rows are handed to csv-parse as bytes,
  // which decodes them with replacement characters: a Windows-1252 "é" further on is stored as
  // "Aur\uFFFDlie", against the rule of text.ts (never U+FFFD; refuse the file and name the charset).
  it('never stores U+FFFD for a byte that is not UTF-8 after the first 256 KB', async () => {
    const w = world(['paris'], 64 * 1024);
    const filler = 'x'.repeat(1000);
    const lines = ['email;firstName;note'];
    for (let i = 0; i < 300; i++) lines.push(`u${i}@x.fr;U${i};${filler}`);
    const head = bytes(`${lines.join('\n')}\n`);
    expect(head.length).toBeGreaterThan(HEAD_BYTES);
    const file = new Uint8Array([...head, ...bytes('z@x.fr;Aur'), 0xe9, ...bytes('lie;n\n')]);
    const id = await upload(w, 'contacts', file, { ignoreUnknown: true });
    const outcomes = await drain(w, worker(w));
    const j = await job(w, id);
    const z = await byEmail(w.d, 'z@x.fr');
    expect(z?.firstName ?? '').not.toContain('\uFFFD');
    // Either the file is refused, naming the charset to give, or the name is read right.
    if (j.status === 'failed') {
      expect(outcomes).toContain('failed');
      expect(j.error?.issues[0]?.path).toBe('options.charset');
    } else expect(z?.firstName).toBe('Aurélie');
  });

  // Reproduces a defect found in review (fixed): the CSV is checked on its first 500 lines (readDialect's
  // sample); an unclosed quote further on makes readRecords throw csv-parse's CsvError, which is
  // not an AppError, so runImportChunk throws, the checkpoint stays, and every redelivery of the
  // message throws again: the job stays "running" forever instead of failing, or refusing the line.
  it('fails the job, or refuses the line, for an unclosed quote after the first 500 lines', async () => {
    const w = world(['paris'], 4096);
    const lines = ['email;firstName'];
    for (let i = 0; i < 600; i++) lines.push(`u${i}@x.fr;U${i}`);
    lines.push('"bad@x.fr;Bob', 'ok@x.fr;Ok');
    const id = await upload(w, 'contacts', `${lines.join('\n')}\n`);
    w.queue.take();
    await expect(runImportChunk(worker(w), id)).resolves.toMatch(/^(failed|done)$/);
    const j = await job(w, id);
    if (j.status === 'failed') expect(JSON.stringify(j.error)).toContain('line 602');
    else expect((await allRejected(w, id)).map((l) => l.line)).toContain(602);
  });

  it.each([
    ['an empty file', '', 'The file is empty'],
    ['blank lines', '\r\n\r\n  \r\n', 'The file is empty'],
    ['a header alone', 'email;firstName\r\n', 'The file has a header but no line after it'],
    [
      'an Excel workbook',
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
      'This file is an Excel workbook (.xlsx) or another zip file: save it as CSV',
    ],
    ['a PDF', bytes('%PDF-1.7\n%\xe2\xe3\n1 0 obj'), 'This file is a PDF document: save it as CSV'],
    [
      'a binary file',
      new Uint8Array([...bytes('SQLite format 3'), 0x00, 0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]),
      'This file is a binary file',
    ],
  ])('fails the job for %s, saying why', async (_what, body, message) => {
    const w = world();
    const id = await upload(w, 'contacts', body);
    expect(await drain(w, worker(w))).toEqual(['failed']);
    const j = await job(w, id);
    expect(j).toMatchObject({
      status: 'failed',
      counts: emptyImportCounts(),
      finishedAt: expect.any(String),
    });
    expect(j.error?.message).toBe('The file could not be read');
    expect(j.error?.issues).toEqual([{ path: '(file)', message: expect.stringContaining(message) }]);
    expect(j.lease).toBeUndefined();
    expect(w.d.contacts.items.size).toBe(0);
  });

  it('fails the job for a bad header, naming the column', async () => {
    const w = world();
    const id = await upload(w, 'contacts', 'email;colour\na@x.fr;red\n');
    expect(await drain(w, worker(w))).toEqual(['failed']);
    expect((await job(w, id)).error).toEqual({
      message: 'The header of the file is not valid',
      issues: [{ path: 'header.colour', message: expect.stringMatching(/^Unknown column "colour"/) }],
    });
  });

  it('fails the job for a file too big, saying its size and the limit, without reading it', async () => {
    const w = world();
    const id = await upload(w, 'contacts', 'email\na@x.fr\n');
    vi.spyOn(w.files, 'size').mockResolvedValue(1.5 * MAX_IMPORT_BYTES);
    expect(await drain(w, worker(w))).toEqual(['failed']);
    expect((await job(w, id)).error).toEqual({
      message: 'The file is 1536 MB: an import takes 1024 MB at most',
      issues: [{ path: '(file)', message: expect.stringContaining('Split the file') }],
    });
    expect(w.files.reads).toEqual([]);
  });

  it('fails the job when no file was uploaded', async () => {
    const w = world();
    const id = await upload(w, 'contacts', 'email\na@x.fr\n');
    w.files.files.delete(fileKey(id));
    expect(await drain(w, worker(w))).toEqual(['failed']);
    expect((await job(w, id)).error?.message).toBe('No file was uploaded for this import');
  });

  it('does nothing for a job whose file has not been uploaded yet, or that is finished', async () => {
    const w = world();
    const deps = worker(w);
    const created = await createImport(deps, { kind: 'contacts', options: {} });
    expect(await runImportChunk(deps, created.id)).toBe('nothing');
    expect(await runImportChunk(deps, 'imp_unknown')).toBe('nothing');
    expect(await fileUploaded(deps, 'imports/imp_unknown/file')).toBe('ignored');
    expect(await fileUploaded(deps, 'elsewhere/file')).toBe('ignored');
    expect(w.queue.jobs).toEqual([]);
  });
});

describe('runImportChunk: receipts', () => {
  const TILL = 'N° ticket;Magasin;Date;Heure;Montant TTC;Code client;E-mail\r\n';

  async function shopWithCustomers() {
    const w = world(['paris', 'lyon']);
    await upsertContact(w.d, { email: 'ann@x.fr', customerRef: 'C1' });
    await upsertContact(w.d, { email: 'bob@x.fr' });
    return w;
  }

  it('counts a receipts file imported again as duplicates, without doubling the customers’ figures', async () => {
    const w = await shopWithCustomers();
    const file =
      TILL +
      'T1;paris;01/03/2025;10:00;12,50;C1;\r\n' +
      'T2;Store paris;02/03/2025;11:30;7,50;;bob@x.fr\r\n' +
      'T3;lyon;02/03/2025;12:00;30;C1;\r\n' +
      'T4;lyon;03/03/2025;09:15;5;;\r\n';
    const first = await upload(w, 'receipts', file);
    expect(await drain(w, worker(w))).toEqual(['done']);
    expect((await job(w, first)).counts).toMatchObject({ read: 4, created: 4, duplicates: 0, anonymous: 1 });
    const ann = { totalSpent: 42.5, purchases: { store: 2 }, lastPurchaseStoreId: 'lyon' };
    const bob = { totalSpent: 7.5, purchases: { store: 1 } };
    expect(await byEmail(w.d, 'ann@x.fr')).toMatchObject(ann);
    expect(await byEmail(w.d, 'bob@x.fr')).toMatchObject(bob);

    const again = await upload(w, 'receipts', file);
    expect(await drain(w, worker(w, 'w2'))).toEqual(['done']);
    expect((await job(w, again)).counts).toEqual({ ...emptyImportCounts(), read: 4, duplicates: 4 });
    const lines = await allRejected(w, again);
    expect(lines.map((l) => [l.line, l.errors[0]?.path])).toEqual([
      [2, 'receiptRef'],
      [3, 'receiptRef'],
      [4, 'receiptRef'],
      [5, 'receiptRef'],
    ]);
    expect(lines[0]?.errors[0]?.message).toBe(
      'Receipt T1 of shop paris was recorded before (another import)',
    );
    expect(await byEmail(w.d, 'ann@x.fr')).toMatchObject(ann);
    expect(await byEmail(w.d, 'bob@x.fr')).toMatchObject(bob);
    expect(w.d.receipts.items.size).toBe(4);
  });

  it('counts receipts without a customer, or with one nobody is, as anonymous', async () => {
    const w = await shopWithCustomers();
    const id = await upload(
      w,
      'receipts',
      TILL +
        'A1;paris;01/03/2025;10:00;12,50;;\r\n' +
        'A2;paris;01/03/2025;10:05;3,20;C404;\r\n' +
        'A3;paris;01/03/2025;10:10;8;C1;\r\n' +
        'A4;nowhere;01/03/2025;10:15;8;;\r\n',
    );
    expect(await drain(w, worker(w))).toEqual(['done']);
    const j = await job(w, id);
    expect(j.counts).toEqual({
      ...emptyImportCounts(),
      read: 4,
      created: 3,
      anonymous: 2,
      rejected: 1,
      warnings: 1,
    });
    expect(j.warnings).toEqual([
      { line: 3, message: 'No customer "C404": the receipt is kept without a customer' },
    ]);
    expect((await allRejected(w, id)).map((l) => [l.line, l.errors])).toEqual([
      [5, [{ path: 'storeId', message: 'Unknown shop "nowhere"' }]],
    ]);
    const anonymous = [...w.d.receipts.items.values()].filter((r) => !r.contactId).map((r) => r.ref);
    expect(anonymous.sort()).toEqual(['A1', 'A2']);
    expect(await byEmail(w.d, 'ann@x.fr')).toMatchObject({ totalSpent: 8, purchases: { store: 1 } });
  });
});

describe('FakeImportRepository', () => {
  const at = '2025-03-10T09:00:00.000Z';
  const later = (minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();
  const sample = (): ImportJob => ({
    id: 'imp_1',
    kind: 'contacts',
    status: 'waiting_upload',
    options: {},
    createdAt: at,
    updatedAt: at,
    checkpoint: { offset: 0, line: 1, chunks: 0 },
    counts: emptyImportCounts(),
    warnings: [],
  });

  it('creates a job once and moves it only from the statuses given', async () => {
    const repo = new FakeImportRepository();
    await repo.create(sample());
    await expect(repo.create(sample())).rejects.toThrow('The conditional request failed');
    expect(await repo.transition('imp_1', ['queued'], 'running', later(1))).toBeUndefined();
    expect(await repo.transition('imp_1', ['waiting_upload'], 'queued', later(1))).toMatchObject({
      status: 'queued',
      updatedAt: later(1),
    });
    expect(await repo.transition('imp_1', ['waiting_upload'], 'queued', later(2))).toBeUndefined();
    expect(await repo.transition('nope', ['waiting_upload'], 'queued', later(2))).toBeUndefined();
  });

  it('leases a job to one worker until the lease ends, and lets only the holder release it', async () => {
    const repo = new FakeImportRepository();
    await repo.create(sample());
    expect(await repo.lease('imp_1', 'w1', later(10), at)).toMatchObject({
      lease: { owner: 'w1', until: later(10) },
    });
    expect(await repo.lease('imp_1', 'w2', later(15), later(5))).toBeUndefined();
    // Not even its holder takes it again while it lasts (the adapter's condition names no owner).
    expect(await repo.lease('imp_1', 'w1', later(15), later(5))).toBeUndefined();
    await repo.release('imp_1', 'w2');
    expect((await repo.get('imp_1'))?.lease?.owner).toBe('w1');
    expect(await repo.lease('imp_1', 'w2', later(21), later(11))).toMatchObject({ lease: { owner: 'w2' } });
    await repo.release('imp_1', 'w2');
    expect((await repo.get('imp_1'))?.lease).toBeUndefined();
    expect(await repo.lease('nope', 'w1', later(30), later(20))).toBeUndefined();
  });

  it('advances only for the lease holder, from the checkpoint it read, adding counts', async () => {
    const repo = new FakeImportRepository();
    await repo.create(sample());
    const step = (offset: number, created: number) => ({
      checkpoint: { offset, line: offset, chunks: 1 },
      add: { read: created, created },
    });
    expect(await repo.advance('imp_1', 'w1', 0, step(10, 2))).toBe(false);
    await repo.lease('imp_1', 'w1', later(10), at);
    expect(await repo.advance('imp_1', 'w2', 0, step(10, 2))).toBe(false);
    expect(await repo.advance('imp_1', 'w1', 0, step(10, 2))).toBe(true);
    // The same batch saved again (a retry) is refused: its checkpoint moved on.
    expect(await repo.advance('imp_1', 'w1', 0, step(10, 2))).toBe(false);
    expect(
      await repo.advance('imp_1', 'w1', 10, { ...step(20, 3), status: 'done', finishedAt: later(3) }),
    ).toBe(true);
    expect(await repo.get('imp_1')).toMatchObject({
      status: 'done',
      finishedAt: later(3),
      updatedAt: later(3),
      checkpoint: { offset: 20 },
      counts: { read: 5, created: 5, updated: 0 },
    });
  });

  it('keeps refused lines by line and pages them in line order', async () => {
    const repo = new FakeImportRepository();
    const line = (n: number, message = 'bad') => ({
      line: n,
      raw: `r${n}`,
      errors: [{ path: 'email', message }],
    });
    await repo.addRejected('imp_1', [line(12), line(3), line(7)]);
    await repo.addRejected('imp_1', [line(7, 'again'), line(100)]);
    await repo.addRejected('imp_1', []);
    const p1 = await repo.rejected('imp_1', undefined, 3);
    expect(p1).toEqual({ lines: [line(3), line(7, 'again'), line(12)], next: '12' });
    expect(await repo.rejected('imp_1', p1.next, 3)).toEqual({ lines: [line(100)] });
    expect(await repo.rejected('imp_2', undefined, 3)).toEqual({ lines: [] });
  });

  it('lists the newest jobs first', async () => {
    const repo = new FakeImportRepository();
    for (const [id, createdAt] of [
      ['imp_a', later(1)],
      ['imp_b', later(3)],
      ['imp_c', later(2)],
    ] as const)
      await repo.create({ ...sample(), id, createdAt });
    expect((await repo.recent(2)).map((j) => j.id)).toEqual(['imp_b', 'imp_c']);
  });
});

describe('FakeImportFiles', () => {
  it('reads a file from an offset in chunks of the size asked, and stores what is written', async () => {
    const files = new FakeImportFiles(3);
    files.put('k', 'abcdefgh');
    const chunks: string[] = [];
    for await (const c of files.read('k', 2)) chunks.push(Buffer.from(c).toString());
    expect(chunks).toEqual(['cde', 'fgh']);
    expect(await files.size('k')).toBe(8);
    expect(await files.size('none')).toBeUndefined();
    await expect(
      (async () => {
        for await (const _ of files.read('none', 0)) return;
      })(),
    ).rejects.toThrow('does not exist');
    await files.write('copy', files.read('k', 0));
    expect(files.text('copy')).toBe('abcdefgh');
    await files.remove('copy');
    expect(files.files.has('copy')).toBe(false);
  });
});
