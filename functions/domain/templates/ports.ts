/**
 * Where template sources come from: the files shipped in `templates/` (an adapter over the file
 * system). Names are checked by the domain before they reach a source, so a source never sees
 * `../etc` or `a/b`.
 */
export interface TemplateSource {
  /** Email templates (`templates/email/<name>/<locale>.mjml`): each name with its locales, in no order. */
  emailTemplates(): Promise<{ name: string; locales: string[] }[]>;
  /** The MJML source of each locale of one email template; empty when there is none. */
  emailSources(name: string): Promise<Record<string, string>>;
  /** SMS templates (`templates/sms/<name>.<locale>.liquid`): each name with its locales, in no order. */
  smsTemplates(): Promise<{ name: string; locales: string[] }[]>;
  /** The Liquid source of each locale of one SMS template; empty when there is none. */
  smsSources(name: string): Promise<Record<string, string>>;
}
