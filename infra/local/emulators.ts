import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
