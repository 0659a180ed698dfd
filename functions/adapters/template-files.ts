import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TemplateSource } from '../domain/templates/ports';

/** `fr.mjml`, `en.mjml`, `fr-CA.mjml`: a BCP 47 language tag. */
const EMAIL_FILE = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.mjml$/;
/** `winback.fr.liquid`. */
const SMS_FILE = /^([a-z0-9-]+)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.liquid$/;
/** Folder names that can be templates. */
const NAME = /^[a-z0-9-]+$/;

const missing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (missing(error)) return [];
    throw error;
  }
}

/**
 * The templates shipped with the code, read from two folders (TEMPLATES_DIR and SMS_TEMPLATES_DIR):
 * what the API reads when a campaign is created or a template previewed; never bundled into the sender.
 */
export function templateFiles(dirs: { email: string; sms: string }): TemplateSource {
  const emailLocales = async (name: string) =>
    (await entries(join(dirs.email, name)))
      .filter((e) => e.isFile() && EMAIL_FILE.test(e.name))
      .map((e) => e.name.replace(/\.mjml$/, ''));
  const smsFiles = async () =>
    (await entries(dirs.sms)).flatMap((e) => {
      const m = e.isFile() ? SMS_FILE.exec(e.name) : null;
      return m ? [{ name: m[1] as string, locale: m[2] as string, file: e.name }] : [];
    });
  return {
    async emailTemplates() {
      const all = await entries(dirs.email);
      const found = [];
      for (const e of all) {
        if (!e.isDirectory() || !NAME.test(e.name)) continue;
        found.push({ name: e.name, locales: await emailLocales(e.name) });
      }
      return found;
    },
    async emailSources(name) {
      const sources: Record<string, string> = {};
      for (const locale of await emailLocales(name))
        sources[locale] = await readFile(join(dirs.email, name, `${locale}.mjml`), 'utf8');
      return sources;
    },
    async smsTemplates() {
      const byName = new Map<string, string[]>();
      for (const f of await smsFiles()) byName.set(f.name, [...(byName.get(f.name) ?? []), f.locale]);
      return [...byName].map(([name, locales]) => ({ name, locales }));
    },
    async smsSources(name) {
      const sources: Record<string, string> = {};
      for (const f of await smsFiles())
        if (f.name === name) sources[f.locale] = await readFile(join(dirs.sms, f.file), 'utf8');
      return sources;
    },
  };
}
