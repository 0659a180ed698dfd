/**
 * The email templates shipped in `templates/email/<name>/<locale>.mjml`. Read from the file system
 * by the API when a campaign is created; never bundled into the sender, which only sees compiled
 * emails stored on the campaign.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notFound } from '../shared/errors';
import { splitFrontMatter } from './compile';

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
/** `fr.mjml`, `en.mjml`, `fr-CA.mjml`: a BCP 47 language tag. */
const LOCALE_FILE = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.mjml$/;

async function localeFiles(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && LOCALE_FILE.test(e.name))
      .map((e) => e.name.replace(/\.mjml$/, ''))
      .sort();
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return [];
    throw error;
  }
}

/**
 * Lists the templates of a folder, sorted by name, with the subject of each locale. A template
 * whose front matter is broken makes the listing fail with the file and line, so that a bad
 * template is noticed when the catalog is read rather than when a campaign is sent.
 */
export async function listTemplates(dir: string): Promise<TemplateSummary[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && NAME.test(e.name))
    .map((e) => e.name)
    .sort();
  const summaries: TemplateSummary[] = [];
  for (const name of names) {
    const locales = await localeFiles(join(dir, name));
    if (locales.length === 0) continue;
    const subjects: Record<string, string> = {};
    for (const locale of locales) {
      const file = `${name}/${locale}.mjml`;
      subjects[locale] = splitFrontMatter(await readFile(join(dir, file), 'utf8'), file).meta.subject;
    }
    summaries.push({ name, locales, subjects });
  }
  return summaries;
}

/**
 * Reads every locale of one template. An unknown name and an unsafe one (`../etc`, `a/b`) get the
 * same 404, so a caller learns nothing about the file system beyond the catalog.
 */
export async function loadTemplate(dir: string, name: string): Promise<Record<string, string>> {
  if (!NAME.test(name)) throw notFound('Template');
  const locales = await localeFiles(join(dir, name));
  if (locales.length === 0) throw notFound('Template');
  const sources: Record<string, string> = {};
  for (const locale of locales) sources[locale] = await readFile(join(dir, name, `${locale}.mjml`), 'utf8');
  return sources;
}
