import { type AppDeps, defaultDeps } from '../deps';
import { createKeySchema } from '../domain/keys/api-keys';
import { createApiKey, publicKey } from '../domain/keys/create';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { keyDeps } from '../wiring/keys';

/** API keys: created (secret shown once), listed without secrets, revoked. */
export function makeHandler(deps: AppDeps) {
  return httpHandler(
    'keys',
    {
      'POST /v1/keys': async ({ body }) =>
        json(201, await createApiKey(keyDeps(deps), parseInput(createKeySchema, body))),
      'GET /v1/keys': async () => json(200, { items: (await deps.apiKeys.list()).map(publicKey) }),
      'DELETE /v1/keys/{id}': async ({ params }) => {
        if (!(await deps.apiKeys.delete(params.id ?? ''))) throw notFound('API key');
        return { status: 204 };
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
