import { type AppDeps, defaultDeps } from '../deps';
import { storeIdSchema } from '../domain/contacts/contact';
import { parseInput } from '../domain/shared/validation';
import { type Store, storeInputSchema } from '../domain/stores/store';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';

/** Shops: where customers are invited back to and where coupons are redeemed. */
export function makeHandler(deps: AppDeps) {
  return httpHandler(
    'stores',
    {
      'PUT /v1/stores/{id}': async ({ params, body }) => {
        const id = parseInput(storeIdSchema, params.id, 'id');
        const input = parseInput(storeInputSchema, body);
        const existing = await deps.stores.get(id);
        const now = deps.clock.now().toISOString();
        const store: Store = { ...input, id, createdAt: existing?.createdAt ?? now, updatedAt: now };
        await deps.stores.put(store);
        return json(existing ? 200 : 201, store);
      },
      'GET /v1/stores': async () => json(200, { items: await deps.stores.list() }),
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
