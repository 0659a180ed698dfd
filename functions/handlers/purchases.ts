import { type AppDeps, defaultDeps } from '../deps';
import { purchaseInputSchema } from '../domain/purchases/purchase';
import { recordPurchase } from '../domain/purchases/record';
import { parseInput } from '../domain/shared/validation';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { purchaseDeps } from '../wiring/contacts';

/** Purchases by response channel (store, web, phone): the facts segments and reports are built on. */
export function makeHandler(deps: AppDeps) {
  return httpHandler(
    'purchases',
    {
      'POST /v1/purchases': async ({ body }) => {
        const { purchase, created } = await recordPurchase(
          purchaseDeps(deps),
          parseInput(purchaseInputSchema, body),
        );
        const { applied: _applied, ...view } = purchase;
        return json(created ? 201 : 200, view);
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
