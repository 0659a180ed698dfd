/**
 * The email templates shipped in `templates/email/<name>/<locale>.mjml`. Read from the file system
 * by the API when a campaign is created; never bundled into the sender, which only sees compiled
 * emails stored on the campaign.
 */
import { notFound } from '../shared/errors';
import { compileEmailTemplate, splitFrontMatter } from './compile';
import { pickLocale } from './locales';
import type { TemplateSource } from './ports';
import type { CompiledEmail } from './types';

/** Part of the catalog's API; it lives in locales.ts so the sender can import it without mjml or fs. */
export { pickLocale } from './locales';

/** What a marketer needs to choose a template: its name, its languages and what the inbox shows. */
export interface TemplateSummary {
  name: string;
  locales: string[];
  /** The subject line of each locale, as written (Liquid not rendered). */
  subjects: Record<string, string>;
}

/** Template names are folder names; nothing else, so a name can never walk out of the folder. */
const NAME = /^[a-z0-9-]+$/;
/**
 * Lists the templates, sorted by name, with the subject of each locale. A template whose front
 * matter is broken makes the listing fail with the file and line, so that a bad template is
 * noticed when the catalog is read rather than when a campaign is sent.
 */
export async function listTemplates(source: TemplateSource): Promise<TemplateSummary[]> {
  const templates = (await source.emailTemplates())
    .filter((t) => NAME.test(t.name) && t.locales.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const summaries: TemplateSummary[] = [];
  for (const { name } of templates) {
    const sources = await source.emailSources(name);
    const locales = Object.keys(sources).sort();
    const subjects: Record<string, string> = {};
    for (const locale of locales) {
      const file = `${name}/${locale}.mjml`;
      subjects[locale] = splitFrontMatter(sources[locale] as string, file).meta.subject;
    }
    summaries.push({ name, locales, subjects });
  }
  return summaries;
}

/**
 * Reads every locale of one template. An unknown name and an unsafe one (`../etc`, `a/b`) get the
 * same 404, so a caller learns nothing about where templates are kept beyond the catalog.
 */
export async function loadTemplate(source: TemplateSource, name: string): Promise<Record<string, string>> {
  if (!NAME.test(name)) throw notFound('Template');
  const sources = await source.emailSources(name);
  if (Object.keys(sources).length === 0) throw notFound('Template');
  return Object.fromEntries(Object.entries(sources).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Compiles every locale of a template (campaign creation, previews): MJML in strict mode, Liquid parsed. */
export function templateCompiler(source: TemplateSource) {
  return async (
    name: string,
  ): Promise<{ defaultLocale: string; byLocale: Record<string, CompiledEmail> }> => {
    const sources = await loadTemplate(source, name);
    const entries = await Promise.all(
      Object.entries(sources).map(
        async ([locale, text]) =>
          [locale, await compileEmailTemplate(text, { file: `${name}/${locale}.mjml` })] as const,
      ),
    );
    const byLocale = Object.fromEntries(entries);
    return { byLocale, defaultLocale: pickLocale(Object.keys(byLocale), undefined) };
  };
}
