import type { AppDeps } from '../deps';
import { MessageCache } from '../domain/campaigns/message';
import type { PlannerDeps } from '../domain/campaigns/planner';
import type { SenderDeps } from '../domain/campaigns/sender';
import type { ViewMessageDeps } from '../domain/campaigns/view';
import { pick } from './pick';

export const plannerDeps = (app: AppDeps): PlannerDeps => ({
  ...pick(app, 'campaigns', 'contacts', 'engagement', 'clock', 'planQueue', 'sendQueue', 'keyring'),
  pageSize: app.config.PLAN_PAGE_SIZE,
  recipientsPerJob: app.config.RECIPIENTS_PER_JOB,
  timeZone: app.config.DEFAULT_TIME_ZONE,
});

export const senderDeps = (app: AppDeps): SenderDeps => ({
  ...pick(
    app,
    'campaigns',
    'coupons',
    'contacts',
    'stores',
    'messenger',
    'sms',
    'shortLinks',
    'engagement',
    'suppression',
    'smsPolicy',
    'smsLimiter',
    'frequency',
    'frequencyCap',
    'automations',
    'publisher',
    'sendQueue',
    'clock',
    'keyring',
    'limiter',
    'logger',
    'metrics',
    'company',
    'sleep',
  ),
  // One per instance: parsed templates and shop blocks are reused across its jobs.
  cache: new MessageCache(),
  timeZone: app.config.DEFAULT_TIME_ZONE,
  requeueDelaySeconds: app.config.REQUEUE_DELAY_SECONDS,
  claimLeaseSeconds: app.config.SEND_CLAIM_LEASE_SECONDS,
  inFlight: app.config.SEND_IN_FLIGHT,
  errorThreshold: app.config.ERROR_THRESHOLD,
  errorThresholdMin: app.config.ERROR_THRESHOLD_MIN,
});

export const viewMessageDeps = (app: AppDeps): ViewMessageDeps => ({
  ...pick(app, 'keyring', 'campaigns', 'contacts', 'coupons', 'stores', 'clock', 'company'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
});
