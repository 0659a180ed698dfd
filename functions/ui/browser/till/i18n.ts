import { state, type Vars } from './state';
import { KEYS, storage } from './storage';
import { type Lang, type TextKey, TILL_TEXT } from './text';

/** The language chosen on this device, else the browser's: French for any `fr*`, English otherwise. */
export function pickLanguage(): Lang {
  const saved = storage.get(KEYS.lang);
  if (saved === 'fr' || saved === 'en') return saved;
  return String(navigator.language || 'en')
    .toLowerCase()
    .indexOf('fr') === 0
    ? 'fr'
    : 'en';
}

const text = (lang: Lang, key: string): string | undefined =>
  (TILL_TEXT[lang] as Partial<Record<string, string>>)[key];

/** A string in the current language (English when it has none), its `{placeholders}` filled in. */
export function t(key: TextKey, vars?: Vars | null): string {
  const found = text(state.lang, key) ?? text('en', key);
  if (found === undefined) return key;
  if (!vars) return found;
  return found.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : match,
  );
}
