import type { TemplateCompiler } from '../domain/campaigns/lifecycle';
import { loadTemplate } from '../domain/templates/catalog';
import { compileEmailTemplate } from '../domain/templates/compile';
import { pickLocale } from '../domain/templates/locales';

/** Compiles every locale of a template from the templates directory (campaign creation, previews). */
export function fileTemplateCompiler(dir: string): TemplateCompiler {
  return async (name) => {
    const sources = await loadTemplate(dir, name);
    const entries = await Promise.all(
      Object.entries(sources).map(
        async ([locale, source]) =>
          [locale, await compileEmailTemplate(source, { file: `${name}/${locale}.mjml` })] as const,
      ),
    );
    const byLocale = Object.fromEntries(entries);
    return { byLocale, defaultLocale: pickLocale(Object.keys(byLocale), undefined) };
  };
}
