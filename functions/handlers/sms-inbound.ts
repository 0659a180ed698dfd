import type { SNSEvent } from 'aws-lambda';
import { type AppDeps, defaultDeps } from '../deps';
import { handleInboundSms, inboundSmsSchema } from '../domain/sms/events';
import { lazyHandler } from '../http/api';
import { parseJson } from '../http/jobs';
import { inboundSmsDeps } from '../wiring/tracking';

/**
 * SNS subscriber of the two-way SMS channel: replies to our numbers. STOP
 * revokes SMS consent at once. A failure throws, so SNS retries (idempotent).
 */
export function makeHandler(deps: AppDeps) {
  const inbound = inboundSmsDeps(deps);
  return async (event: SNSEvent) => {
    const statuses: string[] = [];
    for (const record of event.Records) {
      const parsed = inboundSmsSchema.safeParse(parseJson(record.Sns.Message));
      if (!parsed.success) {
        deps.logger.warn('Ignored a message that is not an inbound SMS', { id: record.Sns.MessageId });
        statuses.push('ignored');
        continue;
      }
      const status = await handleInboundSms(inbound, parsed.data);
      if (status === 'stopped') deps.logger.info('SMS opt-out received');
      statuses.push(status);
    }
    return { statuses };
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
