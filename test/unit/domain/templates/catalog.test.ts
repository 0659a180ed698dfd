import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateFiles } from '../../../../functions/adapters/template-files';
import { AppError } from '../../../../functions/domain/shared/errors';
import { listTemplates, loadTemplate, pickLocale } from '../../../../functions/domain/templates/catalog';
import { TEMPLATES_DIR } from '../../../support/templates-sample';

/** Email templates read from a folder, as the API reads them. */
const email = (dir: string) => templateFiles({ email: dir, sms: join(dir, 'no-sms') });

describe('listTemplates', () => {
  it('lists the shipped templates, sorted, with their locales and subjects', async () => {
    const list = await listTemplates(email(TEMPLATES_DIR));
    expect(list.map((t) => [t.name, t.locales])).toEqual([
      ['store-event', ['en', 'fr']],
      ['winback', ['en', 'fr']],
    ]);
    const winback = list.find((t) => t.name === 'winback');
    expect(winback?.subjects.fr).toContain('nous manquez');
    expect(winback?.subjects.en).toContain('miss you');
  });

  it('ignores folders without templates and files that are not <locale>.mjml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relance-catalog-'));
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'promo'));
    mkdirSync(join(dir, 'Bad_Name'));
    writeFileSync(join(dir, 'promo', 'fr-CA.mjml'), '---\nsubject: Promo\n---\n<mjml></mjml>');
    writeFileSync(join(dir, 'promo', 'notes.txt'), 'not a template');
    writeFileSync(join(dir, 'Bad_Name', 'fr.mjml'), '---\nsubject: x\n---\n');
    expect(await listTemplates(email(dir))).toEqual([
      { name: 'promo', locales: ['fr-CA'], subjects: { 'fr-CA': 'Promo' } },
    ]);
  });
});

describe('loadTemplate', () => {
  it('reads every locale of a template', async () => {
    const sources = await loadTemplate(email(TEMPLATES_DIR), 'winback');
    expect(Object.keys(sources).sort()).toEqual(['en', 'fr']);
    expect(sources.fr).toMatch(/^---\nsubject:/);
    expect(sources.en).toContain('<mjml lang="en">');
  });

  it.each(['../etc', '..', 'winback/../winback', 'winback/fr', '/etc', 'WINBACK', '', 'unknown'])(
    'answers 404 for %j',
    async (name) => {
      const error = await loadTemplate(email(TEMPLATES_DIR), name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(404);
      expect((error as AppError).message).toBe('Template was not found');
    },
  );
});

describe('pickLocale', () => {
  it.each([
    [['fr', 'en'], 'fr-FR', 'fr'],
    [['fr', 'en'], 'en-GB', 'en'],
    [['fr', 'fr-CA', 'en'], 'fr-CA', 'fr-CA'],
    [['fr', 'fr-CA', 'en'], 'FR_ca', 'fr-CA'],
    [['fr-CA', 'en'], 'fr', 'fr-CA'],
    [['fr', 'en'], 'de-DE', 'fr'],
    [['fr', 'en'], undefined, 'fr'],
    [['en', 'es'], 'de', 'en'],
    [['es', 'en'], undefined, 'es'],
  ] as const)('%j, %j → %j', (available, wanted, expected) => {
    expect(pickLocale([...available], wanted)).toBe(expected);
  });

  it('uses the fallback it is given', () => {
    expect(pickLocale(['fr', 'en'], 'de', 'en')).toBe('en');
  });

  it('refuses an empty list', () => {
    expect(() => pickLocale([], 'fr')).toThrow(AppError);
  });
});
