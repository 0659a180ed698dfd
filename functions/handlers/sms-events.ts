import type { SNSEvent } from 'aws-lambda';
import { type AppDeps, defaultDeps } from '../deps';
import { handleSmsEvent, smsEventSchema } from '../domain/sms/events';
import { lazyHandler } from '../http/api';
import { parseJson } from '../http/jobs';
import { smsEventDeps } from '../wiring/tracking';

/**
 * SNS subscriber of the SMS configuration set's event destination: delivery
 * receipts. A message that is not an SMS event is logged and ignored; a
 * failure throws, so SNS retries the invocation (recording is idempotent).
 */
export function makeHandler(deps: AppDeps) {
  const events = smsEventDeps(deps);
  return async (event: SNSEvent) => {
    const statuses: string[] = [];
    for (const record of event.Records) {
      const parsed = smsEventSchema.safeParse(parseJson(record.Sns.Message));
      if (!parsed.success) {
        deps.logger.warn('Ignored a message that is not an SMS event', { id: record.Sns.MessageId });
        statuses.push('ignored');
        continue;
      }
      statuses.push(await handleSmsEvent(events, parsed.data));
    }
    return { statuses };
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
