import type { EventBridgeEvent } from 'aws-lambda';
import { type AppDeps, defaultDeps } from '../deps';
import { handleSesEvent, sesEventSchema } from '../domain/tracking/ses-events';
import { lazyHandler } from '../http/api';
import { providerEventDeps } from '../wiring/tracking';

/**
 * EventBridge target for the SES configuration set's events: delivery, bounce,
 * complaint, reject. An event that is not an SES event is logged and ignored;
 * a failure throws, so the invocation is retried (EventBridge invokes the function
 * asynchronously: Lambda retries, then the dead-letter queue) — recording is idempotent.
 */
export function makeHandler(deps: AppDeps) {
  const events = providerEventDeps(deps);
  return async (event: EventBridgeEvent<string, unknown>) => {
    const parsed = sesEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn('Ignored an event that is not an SES event', { id: event.id });
      return { status: 'ignored' as const };
    }
    const status = await handleSesEvent(events, parsed.data);
    return { status };
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
