import { type AppDeps, defaultDeps } from '../deps';
import { parseInput } from '../domain/shared/validation';
import { listSmsTemplates } from '../domain/sms/templates';
import { listTemplates } from '../domain/templates/catalog';
import { previewSchema, previewTemplate } from '../domain/templates/preview';
import { httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
import { httpOptions } from '../http/options';
import { previewDeps } from '../wiring/templates';

/** The email and SMS templates: what exists, and how one renders for a given contact. */
export function makeHandler(deps: AppDeps) {
  const preview = previewDeps(deps);
  return httpHandler(
    'templates',
    {
      'GET /v1/templates': async () =>
        json(200, {
          items: await listTemplates(preview.templates),
          sms: await listSmsTemplates(preview.templates),
        }),
      'POST /v1/templates/{name}/preview': async ({ params, body, event }) =>
        json(
          200,
          await previewTemplate(
            preview,
            params.name ?? '',
            parseInput(previewSchema, body),
            publicBaseUrl(event, deps.config.PUBLIC_BASE_URL),
          ),
        ),
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
