import { templateFiles } from '../adapters/template-files';
import type { AppDeps } from '../deps';
import type { TemplateSource } from '../domain/templates/ports';
import type { PreviewDeps } from '../domain/templates/preview';
import { pick } from './pick';

// Templates

export const previewDeps = (app: AppDeps): PreviewDeps => ({
  templates: templateSource(app),
  ...pick(app, 'contacts', 'stores', 'clock', 'company'),
  timeZone: app.config.DEFAULT_TIME_ZONE,
  smsMaxSegments: app.config.SMS_MAX_SEGMENTS,
  ...(app.smsPolicy.shortLinkBase ? { shortLinkBase: app.smsPolicy.shortLinkBase } : {}),
});

/**
 * The templates campaigns, automations and previews read: the files shipped with the code
 * (TEMPLATES_DIR, SMS_TEMPLATES_DIR). Built here, not in AppDeps, so that functions which never
 * read a template (the sender above all) carry none of this.
 */
export function templateSource(app: AppDeps): TemplateSource {
  return templateFiles({ email: app.config.TEMPLATES_DIR, sms: app.config.SMS_TEMPLATES_DIR });
}
