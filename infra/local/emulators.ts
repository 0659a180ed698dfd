import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sesModule from 'aws-ses-v2-local';
import dynalite from 'dynalite';

// aws-ses-v2-local is CommonJS with an `__esModule` default: unwrap it whichever way the loader exposes it.
const sesLocal = (sesModule as unknown as { default?: typeof sesModule }).default ?? sesModule;

/** A running local emulator: where to reach it and how to stop it. */
export interface Emulator {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * Starts dynalite, DynamoDB's local emulator, on a port (0 = any free one).
 * With a data directory its LevelDB files persist there; without, it keeps
 * everything in memory.
 */
export async function startDynalite(opts: { port?: number; dataDir?: string } = {}): Promise<Emulator> {
  const path = opts.dataDir ? join(opts.dataDir, 'dynamodb') : undefined;
  if (path) mkdirSync(path, { recursive: true });
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

/**
 * Starts aws-ses-v2-local: a local SES v2 API that keeps sent mail in memory
 * and shows it in a web mailbox at its root URL. It holds one global mailbox
 * per process.
 */
export async function startSes(opts: { port?: number } = {}): Promise<Emulator> {
  const server = await sesLocal({ host: '127.0.0.1', port: opts.port ?? 0 });
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

/** A running S3 emulator, with the object-created events S3 would send to a queue. */
export interface S3Emulator extends Emulator {
  /** Called with the key of every object written (a PUT, a copy, a completed multipart upload). */
  onObjectCreated(listener: (bucket: string, key: string) => void): void;
}

/**
 * Starts s3rver, an S3 emulator from npm, with one bucket: files kept under `dataDir` (or a
 * temporary folder emptied on close). Presigned PUTs from a browser or curl work against it as
 * against S3; its object-created events stand in for the bucket's notifications.
 */
export async function startS3(opts: {
  bucket: string;
  dataDir?: string;
  port?: number;
}): Promise<S3Emulator> {
  const { default: S3rver } = (await import('s3rver')) as unknown as {
    default: new (
      o: Record<string, unknown>,
    ) => {
      run(): Promise<AddressInfo>;
      close(): Promise<void>;
      on(
        event: 'event',
        listener: (e: {
          Records: { s3: { bucket: { name: string }; object: { key: string } }; eventName: string }[];
        }) => void,
      ): void;
    };
  };
  const directory = opts.dataDir
    ? join(opts.dataDir, 's3')
    : join(tmpdir(), `relance-s3-${process.pid}-${Date.now()}`);
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    port: opts.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    resetOnClose: !opts.dataDir,
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: [{ name: opts.bucket }],
  });
  const address = await server.run();
  const listeners: ((bucket: string, key: string) => void)[] = [];
  server.on('event', (e) => {
    for (const r of e.Records ?? []) {
      if (!r.eventName.startsWith('ObjectCreated')) continue;
      for (const l of listeners) l(r.s3.bucket.name, decodeURIComponent(r.s3.object.key));
    }
  });
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      await server.close();
      if (!opts.dataDir) rmSync(directory, { recursive: true, force: true });
    },
    onObjectCreated: (l) => listeners.push(l),
  };
}
