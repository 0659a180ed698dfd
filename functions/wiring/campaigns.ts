import type { AppDeps } from '../deps';
import type { CampaignCreationDeps, CampaignDeps } from '../domain/campaigns/lifecycle';
import { compileSmsTemplate } from '../domain/sms/templates';
import { templateCompiler } from '../domain/templates/catalog';
import { pick } from './pick';
import { templateSource } from './templates';

// Campaigns: creation and lifecycle, planning, sending, the view-in-browser page

export const campaignDeps = (app: AppDeps): CampaignDeps =>
  pick(app, 'campaigns', 'clock', 'ids', 'planQueue', 'scheduler');

/** `shortLinkBase`: where links will point, when no short-link domain is configured. */
export const campaignCreationDeps = (app: AppDeps, shortLinkBase: string): CampaignCreationDeps => ({
  ...campaignDeps(app),
  compile: templateCompiler(templateSource(app)),
  compileSms: (name) => compileSmsTemplate(templateSource(app), name),
  company: app.company,
  shortLinkBase: app.smsPolicy.shortLinkBase ?? shortLinkBase,
  smsMaxSegments: app.config.SMS_MAX_SEGMENTS,
  smsEnabled: app.config.SMS_ENABLED,
  currency: app.config.COST_CURRENCY,
  ...(app.config.SENDER_IDENTITY ? { senderIdentity: app.config.SENDER_IDENTITY } : {}),
});

export const segmentPreviewDeps = (app: AppDeps) => pick(app, 'contacts', 'clock');
