import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { planNextPage } from '../domain/campaigns/planner';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';
import { plannerDeps } from '../wiring/sending';

const planJob = z.strictObject({ campaignId: z.string().min(1).max(100), start: z.boolean().optional() });

/** SQS worker: plans one page of a campaign's segment per message (see planNextPage). */
export function makeHandler(deps: AppDeps) {
  const planner = plannerDeps(deps);
  return sqsJobHandler('plan', planJob, deps.logger, (job) => planNextPage(planner, job));
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
