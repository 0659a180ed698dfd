import { type AppDeps, defaultDeps } from '../deps';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';

/** Liveness: answers once the function (or the local stack) can serve requests. */
export function makeHandler(deps: AppDeps) {
  return httpHandler('health', { 'GET /health': async () => json(200, { status: 'ok' }) }, httpOptions(deps));
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
