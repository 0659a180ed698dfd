import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { MessageCache } from '../domain/campaigns/message';
import { type SenderDeps, sendJob } from '../domain/campaigns/sender';
import { CHANNELS } from '../domain/contacts/contact';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';

const sendJobSchema = z.strictObject({
  campaignId: z.string().min(1).max(100),
  contactIds: z.array(z.string().min(1).max(100)).min(1).max(100),
  channel: z.enum(CHANNELS).optional(),
});

/**
 * SQS worker: renders and sends one job of recipients per message. A record
 * that throws is reported as a batch item failure and comes back after the
 * visibility timeout; one that keeps failing lands in the dead-letter queue.
 */
export function makeHandler(deps: AppDeps) {
  const senderDeps: SenderDeps = {
    ...deps,
    company: { name: deps.config.COMPANY_NAME, address: deps.config.COMPANY_ADDRESS },
    requeueDelaySeconds: deps.config.REQUEUE_DELAY_SECONDS,
    claimLeaseSeconds: deps.config.SEND_CLAIM_LEASE_SECONDS,
    errorThreshold: deps.config.ERROR_THRESHOLD,
    errorThresholdMin: deps.config.ERROR_THRESHOLD_MIN,
    timeZone: deps.config.DEFAULT_TIME_ZONE,
    cache: new MessageCache(),
  };
  return sqsJobHandler('send', sendJobSchema, deps.logger, (job, remainingMs) =>
    sendJob(senderDeps, job, remainingMs),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
