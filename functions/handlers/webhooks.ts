import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { registerWebhook } from '../domain/webhooks/delivery';
import { publicWebhook, webhookInputSchema } from '../domain/webhooks/webhook';
import { httpHandler, json, lazyHandler } from '../http/api';
import { cursors } from '../http/cursors';
import { httpOptions } from '../http/options';
import { webhookDeps } from '../wiring/webhooks';

const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2000).optional(),
});

/** Webhook endpoints: registered (signing secret shown once), listed without secrets, deleted; their deliveries. */
export function makeHandler(deps: AppDeps) {
  const inputSchema = webhookInputSchema({ allowHttp: deps.config.WEBHOOK_ALLOW_HTTP });
  const pages = cursors(deps.keyring);
  return httpHandler(
    'webhooks',
    {
      'POST /v1/webhooks': async ({ body }) =>
        json(201, await registerWebhook(webhookDeps(deps), parseInput(inputSchema, body))),
      'GET /v1/webhooks': async () => json(200, { items: (await deps.webhooks.list()).map(publicWebhook) }),
      'DELETE /v1/webhooks/{id}': async ({ params }) => {
        if (!(await deps.webhooks.delete(params.id ?? ''))) throw notFound('Webhook');
        return { status: 204 };
      },
      'GET /v1/webhooks/{id}/deliveries': async ({ params, query }) => {
        const q = parseInput(deliveriesQuery, query, 'query');
        const id = params.id ?? '';
        if (!(await deps.webhooks.get(id))) throw notFound('Webhook');
        const list = `webhook:${id}`;
        const page = await deps.webhooks.deliveries(id, q.limit, await pages.open(list, q.cursor));
        const next = await pages.seal(list, page.next);
        return json(200, { items: page.items, ...(next ? { next } : {}) });
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
