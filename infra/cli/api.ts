/** What the command-line tools share: the stack they talk to and how they call its API. */
import { AppError } from '../../functions/domain/shared/errors';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

/** The API's base URL: --url, else the local stack on RELANCE_PORT (3000). */
export const apiBase = (url: string | undefined, env: Io['env']) =>
  (url ?? `http://127.0.0.1:${env.RELANCE_PORT ?? 3000}`).replace(/\/$/, '');

export const NO_KEY =
  'Give a marketer key with --key or RELANCE_API_KEY (npm start prints one on first boot; RELANCE_BOOTSTRAP_KEY sets one)';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read by the caller
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<any>;

/**
 * Calls the API with a marketer key: the JSON answer, or an AppError with the API's status, message
 * and issues (each naming the field at fault).
 */
export function apiClient(
  base: string,
  key: string,
): { call: ApiCall; raw: (path: string) => Promise<Response> } {
  const raw = async (path: string, init: RequestInit = {}) => {
    try {
      return await fetch(base + path, {
        ...init,
        headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
      });
    } catch {
      throw new Error(`Cannot reach ${base}: is the stack running (npm start)?`);
    }
  };
  const call: ApiCall = async (method, path, body) => {
    const res = await raw(path, {
      method,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: any JSON answer
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const issues = (json?.issues ?? []) as { path: string; message: string }[];
      throw new AppError(
        res.status,
        json?.error ?? 'error',
        `${res.status}: ${json?.message ?? text}`,
        issues,
      );
    }
    return json;
  };
  return { call, raw: (path) => raw(path) };
}

/** An error as a terminal shows it: the message, then each field at fault. */
export function printError(err: unknown, io: Io): number {
  if (err instanceof AppError) {
    io.err(`${err.message}${err.issues.map((i) => `\n  ${i.path}: ${i.message}`).join('')}`);
    return 1;
  }
  io.err(`Failed: ${(err as Error).message}`);
  return 1;
}
