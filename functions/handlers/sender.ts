import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { sendJob } from '../domain/campaigns/sender';
import { CHANNELS } from '../domain/contacts/contact';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';
import { senderDeps } from '../wiring/sending';

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
  const sending = senderDeps(deps);
  return sqsJobHandler('send', sendJobSchema, deps.logger, (job, remainingMs) =>
    sendJob(sending, job, remainingMs),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
