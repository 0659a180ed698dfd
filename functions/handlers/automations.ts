import { fileTemplateCompiler } from '../adapters/templates';
import { type AppDeps, defaultDeps } from '../deps';
import { addDays, automationInputSchema, localDay } from '../domain/automations/automation';
import { type AutomationDeps, createAutomation, setAutomationStatus } from '../domain/automations/lifecycle';
import { notFound } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { compileSmsTemplate } from '../domain/sms/templates';
import { type ApiRequest, httpHandler, json, lazyHandler, publicBaseUrl } from '../http/api';
import { httpOptions } from '../http/options';

/** The automations' dependencies, shared by the API and the runner. */
export function automationDeps(deps: AppDeps, shortLinkBase: string): AutomationDeps {
  return {
    ...deps,
    compile: fileTemplateCompiler(deps.config.TEMPLATES_DIR),
    compileSms: (name) => compileSmsTemplate(deps.config.SMS_TEMPLATES_DIR, name),
    company: { name: deps.config.COMPANY_NAME, address: deps.config.COMPANY_ADDRESS },
    ...(deps.config.SENDER_IDENTITY ? { senderIdentity: deps.config.SENDER_IDENTITY } : {}),
    shortLinkBase: deps.smsPolicy.shortLinkBase ?? shortLinkBase,
    smsMaxSegments: deps.config.SMS_MAX_SEGMENTS,
    smsEnabled: deps.config.SMS_ENABLED,
    timeZone: deps.config.DEFAULT_TIME_ZONE,
  };
}

/** Automations: create one (it runs every day by itself), list, read with its recent runs, pause, resume. */
export function makeHandler(deps: AppDeps) {
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
        json(200, await setAutomationStatus(deps, params.id ?? '', 'paused')),
      'POST /v1/automations/{id}/resume': async ({ params }) =>
        json(200, await setAutomationStatus(deps, params.id ?? '', 'active')),
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
