import type { AppDeps } from '../deps';

/**
 * What each use case receives is built from the application's ports in one module per capability
 * (functions/wiring/*): every builder names the ports and settings its use case declares, so a use
 * case's needs are met on purpose, never by handing it everything — and a Lambda's bundle holds
 * only its own capability's code.
 */

/** The named ports of the application, and nothing else. */
export function pick<K extends keyof AppDeps>(app: AppDeps, ...keys: K[]): Pick<AppDeps, K> {
  const out: Partial<Pick<AppDeps, K>> = {};
  for (const k of keys) if (app[k] !== undefined) out[k] = app[k];
  return out as Pick<AppDeps, K>;
}
