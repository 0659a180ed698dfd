import { notFound } from '../shared/errors';

/**
 * The best locale among those a template has for what a contact wants: the exact locale (`fr-FR`,
 * matched without regard to case or `_`), then its language (`fr`, or another variant of it such
 * as `fr-CA`), then the fallback (the same way), then the first available. A contact always gets
 * an email, in the closest language there is. Kept apart from the catalog so the sender can use it
 * without the file system or mjml.
 */
export function pickLocale(available: string[], wanted: string | undefined, fallback = 'fr'): string {
  const lower = available.map((l) => l.toLowerCase());
  const find = (tag: string | undefined): string | undefined => {
    if (!tag) return undefined;
    const t = tag.toLowerCase().replace(/_/g, '-');
    const language = t.split('-')[0] ?? t;
    const index = [
      lower.indexOf(t),
      lower.indexOf(language),
      lower.findIndex((l) => l.split('-')[0] === language),
    ].find((i) => i !== -1);
    return index === undefined ? undefined : available[index];
  };
  const chosen = find(wanted) ?? find(fallback) ?? available[0];
  if (chosen === undefined) throw notFound('Template');
  return chosen;
}
