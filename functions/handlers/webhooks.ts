import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { registerWebhook } from '../domain/webhooks/delivery';
import { publicWebhook, webhookInputSchema } from '../domain/webhooks/webhook';
import { httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { webhookDeps } from '../wiring/webhooks';

const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2000).optional(),
});

/** Webhook endpoints: registered (signing secret shown once), listed without secrets, deleted; their deliveries. */
export function makeHandler(deps: AppDeps) {
  const inputSchema = webhookInputSchema({ allowHttp: deps.config.WEBHOOK_ALLOW_HTTP });
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
        const page = await deps.webhooks.deliveries(id, q.limit, q.cursor);
        return json(200, { items: page.items, ...(page.next ? { next: page.next } : {}) });
      },
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
