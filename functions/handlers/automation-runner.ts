import { type AppDeps, defaultDeps } from '../deps';
import { runAutomations } from '../domain/automations/lifecycle';
import { lazyHandler } from '../http/api';
import { automationDeps } from '../wiring/automations';

/**
 * Invoked every few minutes by a schedule (EventBridge in AWS, a timer in the
 * local stack): starts each automation's daily run once its hour has come,
 * and each journey step once its wait is over. Links in the messages point at
 * PUBLIC_BASE_URL (the API's URL in AWS, set by the stack).
 */
export function makeHandler(deps: AppDeps) {
  return async () => {
    const baseUrl = deps.config.PUBLIC_BASE_URL?.replace(/\/$/, '');
    if (!baseUrl)
      throw new Error('Set PUBLIC_BASE_URL: the runner has no request to take the links’ base URL from');
    const started = await runAutomations(automationDeps(deps, baseUrl), baseUrl);
    for (const s of started) deps.logger.info('Automation message started', { ...s });
    return { started };
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
