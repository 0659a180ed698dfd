import type { AppDeps } from '../deps';
import type { AutomationDeps } from '../domain/automations/lifecycle';
import { campaignCreationDeps } from './campaigns';
import { pick } from './pick';

// Automations

export const automationDeps = (app: AppDeps, shortLinkBase: string): AutomationDeps => ({
  ...campaignCreationDeps(app, shortLinkBase),
  ...pick(app, 'automations', 'contacts', 'logger'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
});
