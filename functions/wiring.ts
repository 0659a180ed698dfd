/**
 * What each use case receives, built from the application's ports in one place per capability:
 * every builder names the ports and settings its use case declares, so a use case's needs are met
 * on purpose, never by handing it everything. Handlers call these; nothing else builds deps.
 */
import type { AppDeps } from './deps';
import type { AutomationDeps } from './domain/automations/lifecycle';
import type { CampaignCreationDeps, CampaignDeps } from './domain/campaigns/lifecycle';
import type { PlannerDeps } from './domain/campaigns/planner';
import type { SenderDeps } from './domain/campaigns/sender';
import type { ViewMessageDeps } from './domain/campaigns/view';
import type { ContactDeps } from './domain/contacts/customer-file';
import type { ImportOptions } from './domain/contacts/import';
import type { PrintableDeps } from './domain/coupons/printable';
import type { RedemptionDeps } from './domain/coupons/redemptions';
import type { TillDeps } from './domain/coupons/till';
import type { PurchaseDeps } from './domain/purchases/record';
import type { ReportCsvDeps } from './domain/reports/csv';
import type { SignupDeps } from './domain/signups/signup';
import { optinSender } from './domain/signups/signup';
import type { SmsEventDeps } from './domain/sms/events';
import { compileSmsTemplate } from './domain/sms/templates';
import { templateCompiler } from './domain/templates/catalog';
import type { PreviewDeps } from './domain/templates/preview';
import type { CouponStepDeps, TrackingDeps } from './domain/tracking/engagement';
import type { ProviderEventDeps } from './domain/tracking/ses-events';
import type { UnsubscribeDeps } from './domain/tracking/unsubscribe';
import type { DeliveryDeps } from './domain/webhooks/delivery';
import { renderOptinEmail } from './ui/emails/optin';

/** The named ports of the application, and nothing else. */
function pick<K extends keyof AppDeps>(app: AppDeps, ...keys: K[]): Pick<AppDeps, K> {
  const out: Partial<Pick<AppDeps, K>> = {};
  for (const k of keys) if (app[k] !== undefined) out[k] = app[k];
  return out as Pick<AppDeps, K>;
}

// Keys and shops

export const keyDeps = (app: AppDeps) => pick(app, 'apiKeys', 'stores', 'clock', 'ids');

// Contacts and purchases

export const contactDeps = (app: AppDeps): ContactDeps =>
  pick(app, 'contacts', 'stores', 'suppression', 'clock', 'ids');

export const purchaseDeps = (app: AppDeps): PurchaseDeps => ({
  ...contactDeps(app),
  purchases: app.purchases,
});

export const importOptions = (app: AppDeps): ImportOptions => ({
  defaultCountry: app.config.DEFAULT_COUNTRY,
  now: () => app.clock.now(),
});

// Templates

export const previewDeps = (app: AppDeps): PreviewDeps => ({
  ...pick(app, 'templates', 'contacts', 'stores', 'clock', 'company'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
  smsMaxSegments: app.config.SMS_MAX_SEGMENTS,
  ...(app.smsPolicy.shortLinkBase ? { shortLinkBase: app.smsPolicy.shortLinkBase } : {}),
});

// Campaigns: creation and lifecycle, planning, sending, the view-in-browser page

export const campaignDeps = (app: AppDeps): CampaignDeps =>
  pick(app, 'campaigns', 'clock', 'ids', 'planQueue', 'scheduler');

/** `shortLinkBase`: where links will point, when no short-link domain is configured. */
export const campaignCreationDeps = (app: AppDeps, shortLinkBase: string): CampaignCreationDeps => ({
  ...campaignDeps(app),
  compile: templateCompiler(app.templates),
  compileSms: (name) => compileSmsTemplate(app.templates, name),
  company: app.company,
  shortLinkBase: app.smsPolicy.shortLinkBase ?? shortLinkBase,
  smsMaxSegments: app.config.SMS_MAX_SEGMENTS,
  smsEnabled: app.config.SMS_ENABLED,
  ...(app.config.SENDER_IDENTITY ? { senderIdentity: app.config.SENDER_IDENTITY } : {}),
});

export const segmentPreviewDeps = (app: AppDeps) => pick(app, 'contacts', 'clock');

export const plannerDeps = (app: AppDeps): PlannerDeps => ({
  ...pick(app, 'campaigns', 'contacts', 'engagement', 'clock', 'planQueue', 'sendQueue'),
  pageSize: app.config.PLAN_PAGE_SIZE,
  recipientsPerJob: app.config.RECIPIENTS_PER_JOB,
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
    'company',
    'sleep',
  ),
  cache: app.messageCache,
  timeZone: app.config.DEFAULT_TIME_ZONE,
  requeueDelaySeconds: app.config.REQUEUE_DELAY_SECONDS,
  claimLeaseSeconds: app.config.SEND_CLAIM_LEASE_SECONDS,
  errorThreshold: app.config.ERROR_THRESHOLD,
  errorThresholdMin: app.config.ERROR_THRESHOLD_MIN,
});

export const viewMessageDeps = (app: AppDeps): ViewMessageDeps => ({
  ...pick(app, 'keyring', 'campaigns', 'contacts', 'coupons', 'stores', 'clock', 'company'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
});

// Tracking: opens, clicks, short links, coupon views, unsubscribes, provider events

export const trackingDeps = (app: AppDeps): TrackingDeps & Pick<AppDeps, 'shortLinks'> => ({
  ...pick(app, 'engagement', 'clock', 'keyring', 'logger', 'shortLinks'),
  tooSoonSeconds: app.config.TRACK_TOO_SOON_SECONDS,
});

export const couponStepDeps = (app: AppDeps): CouponStepDeps => ({
  ...pick(app, 'engagement', 'clock', 'logger'),
  tooSoonSeconds: app.config.TRACK_TOO_SOON_SECONDS,
});

export const unsubscribeDeps = (app: AppDeps): UnsubscribeDeps =>
  pick(app, 'keyring', 'contacts', 'suppression', 'clock', 'engagement', 'publisher', 'logger');

export const providerEventDeps = (app: AppDeps): ProviderEventDeps =>
  pick(app, 'engagement', 'contacts', 'suppression', 'events', 'clock', 'publisher');

export const smsEventDeps = (app: AppDeps): SmsEventDeps =>
  pick(app, 'engagement', 'contacts', 'suppression', 'events', 'clock', 'publisher');

export const inboundSmsDeps = (app: AppDeps): SmsEventDeps & { defaultCountry: string } => ({
  ...smsEventDeps(app),
  defaultCountry: app.config.DEFAULT_COUNTRY,
});

export const aggregatorDeps = (app: AppDeps) => pick(app, 'engagement', 'publisher');

// Reports

export const reportDeps = (app: AppDeps) => pick(app, 'campaigns', 'engagement');

export const reportCsvDeps = (app: AppDeps): ReportCsvDeps =>
  pick(app, 'campaigns', 'engagement', 'contacts');

// Coupons: the till, the printable coupon, redemptions

/** One per instance: `blockedUntil` remembers the stores this instance made wait. */
export const tillDeps = (app: AppDeps): TillDeps => ({
  coupons: app.coupons,
  clock: app.clock,
  lookupLimitPerMinute: app.config.COUPON_LOOKUP_LIMIT_PER_MINUTE,
  voidWindowMinutes: app.config.COUPON_VOID_WINDOW_MINUTES,
  blockedUntil: new Map(),
});

export const printableDeps = (app: AppDeps): PrintableDeps => pick(app, 'keyring', 'coupons', 'stores');

export const redemptionDeps = (app: AppDeps): RedemptionDeps => ({
  ...purchaseDeps(app),
  ...pick(app, 'campaigns', 'engagement', 'logger', 'publisher'),
});

// Automations

export const automationDeps = (app: AppDeps, shortLinkBase: string): AutomationDeps => ({
  ...campaignCreationDeps(app, shortLinkBase),
  ...pick(app, 'automations', 'contacts', 'logger'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
});

// Sign-ups

export const signupDeps = (app: AppDeps): SignupDeps => ({
  ...contactDeps(app),
  ...pick(app, 'messenger', 'keyring', 'company'),
  sender: optinSender(app.config),
  renderOptinEmail,
});

// Webhooks

export const webhookDeps = (app: AppDeps) => pick(app, 'webhooks', 'clock', 'ids');

export const deliveryDeps = (app: AppDeps): DeliveryDeps => ({
  ...pick(app, 'webhooks', 'webhookQueue', 'clock', 'logger'),
  post: app.webhookPoster,
  backoffSeconds: app.config.WEBHOOK_BACKOFF_SECONDS,
});
