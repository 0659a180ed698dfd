import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { planNextPage } from '../domain/campaigns/planner';
import { lazyHandler } from '../http/api';
import { sqsJobHandler } from '../http/jobs';

const planJob = z.strictObject({ campaignId: z.string().min(1).max(100), start: z.boolean().optional() });

/** SQS worker: plans one page of a campaign's segment per message (see planNextPage). */
export function makeHandler(deps: AppDeps) {
  const plannerDeps = {
    ...deps,
    pageSize: deps.config.PLAN_PAGE_SIZE,
    recipientsPerJob: deps.config.RECIPIENTS_PER_JOB,
  };
  return sqsJobHandler('plan', planJob, deps.logger, (job) => planNextPage(plannerDeps, job));
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
