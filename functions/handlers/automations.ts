import { type AppDeps, defaultDeps } from '../deps';
import { automationInputSchema } from '../domain/automations/automation';
import { createAutomation, setAutomationStatus } from '../domain/automations/lifecycle';
import { notFound } from '../domain/shared/errors';
import { addDays, localDay } from '../domain/shared/time';
import { parseInput } from '../domain/shared/validation';
import { type ApiRequest, httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
import { httpOptions } from '../http/options';
import { automationDeps } from '../wiring/automations';

/** Automations: create one (it runs every day by itself), list, read with its recent runs, pause, resume. */
export function makeHandler(deps: AppDeps) {
  const status = { automations: deps.automations, clock: deps.clock };
  const base = (req: ApiRequest) =>
    automationDeps(deps, publicBaseUrl(req.event, deps.config.PUBLIC_BASE_URL));
  return httpHandler(
    'automations',
    {
      'POST /v1/automations': async (req) =>
        json(201, await createAutomation(base(req), parseInput(automationInputSchema, req.body))),
      'GET /v1/automations': async () => json(200, { items: await deps.automations.list() }),
      'GET /v1/automations/{id}': async ({ params }) => {
        const automation = await deps.automations.get(params.id ?? '');
        if (!automation) throw notFound('Automation');
        const since = addDays(localDay(deps.clock.now(), deps.config.DEFAULT_TIME_ZONE), -30);
        const runs = await deps.automations.runs(automation.id, since);
        return json(200, { ...automation, runs: runs.reverse() });
      },
      'POST /v1/automations/{id}/pause': async ({ params }) =>
        json(200, await setAutomationStatus(status, params.id ?? '', 'paused')),
      'POST /v1/automations/{id}/resume': async ({ params }) =>
        json(200, await setAutomationStatus(status, params.id ?? '', 'active')),
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
