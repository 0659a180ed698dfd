import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../../functions/domain/stores/store';
import { type CompiledEmail, compileEmailTemplate } from '../../../../functions/domain/templates/compile';
import {
  type PreparedEmail,
  prepareEmail,
  renderEmail,
  storeVars,
} from '../../../../functions/domain/templates/render';
import { COUPON, STORE, sampleVars, TEMPLATES_DIR } from '../../../support/templates-sample';

const SHIPPED = ['winback/fr', 'winback/en', 'store-event/fr', 'store-event/en'] as const;
const prepared = new Map<string, PreparedEmail>();
const compiled = new Map<string, CompiledEmail>();

beforeAll(async () => {
  for (const name of SHIPPED) {
    const email = await compileEmailTemplate(readFileSync(join(TEMPLATES_DIR, `${name}.mjml`), 'utf8'));
    compiled.set(name, email);
    prepared.set(name, prepareEmail(email));
  }
});

const render = (name: (typeof SHIPPED)[number], vars = sampleVars()) => {
  const email = prepared.get(name);
  if (!email) throw new Error(`${name} was not compiled`);
  return renderEmail(email, vars);
};

describe('renderEmail with the shipped templates', () => {
  it.each(SHIPPED)('%s: a full recipient gets name, shop, coupon and unsubscribe link', async (name) => {
    const { subject, html, text } = await render(name);
    for (const part of [html, text]) {
      expect(part).toContain('Camille');
      expect(part).toContain('112 rue Oberkampf');
      expect(part).toContain('75011 Paris');
      expect(part).toContain('Lundi : 09:30–12:30, 14:00–19:00');
      expect(part).toContain(COUPON.code);
      expect(part).toContain(COUPON.printUrl);
      expect(part).toContain('1 rue de la Paix, 75002 Paris');
      expect(part).toContain('https://t.example.com/v/tok-456');
    }
    // In HTML the URL is an attribute value, where "&" is written "&amp;".
    expect(html).toContain('href="https://t.example.com/u/tok-123?c=cmp_1&amp;k=ct_1"');
    expect(html).toContain(`src="${COUPON.barcodeUrl}"`);
    expect(html).toContain(`src="${COUPON.qrUrl}"`);
    expect(text).toContain('[https://t.example.com/u/tok-123?c=cmp_1&k=ct_1]');
    expect(subject.length).toBeGreaterThan(10);
    expect(html).not.toMatch(/\{\{|\{%/);
    expect(text).not.toMatch(/\{\{|\{%/);
  });

  it.each(SHIPPED)('%s: without a coupon there is no coupon block at all', async (name) => {
    const { html, text } = await render(name, sampleVars({ coupon: undefined }));
    for (const part of [html, text]) {
      expect(part).not.toMatch(/bon personnel|personal coupon|avantage invité|guest perk/i);
      expect(part).not.toMatch(/Imprimer mon bon|Print my coupon|Valable jusqu|Valid until/);
      expect(part).not.toContain('t.example.com/c/');
    }
    expect(html).not.toContain('dashed');
    expect(html).not.toContain('<img');
    expect(text).toContain('112 rue Oberkampf');
    expect(text).not.toMatch(/\n{3,}/);
  });

  it.each(SHIPPED)('%s: without a shop or a first name it still reads well', async (name) => {
    const { subject, html, text } = await render(
      name,
      sampleVars({ store: undefined, coupon: undefined, contact: { id: 'ct_2', firstName: '' } }),
    );
    expect(html).toMatch(/Bonjour chère cliente, cher client,|Hello there,/);
    expect(subject).not.toMatch(/^,|chez $| at $/);
    expect(subject).toContain('Maison Dupont');
    expect(text).not.toContain('openstreetmap');
    expect(text).toContain('[https://t.example.com/u/tok-123?c=cmp_1&k=ct_1]');
  });

  it.each(SHIPPED)('%s: HTML escapes variables, the text part has no HTML', async (name) => {
    const vars = sampleVars({ contact: { id: 'ct_3', firstName: '<script>alert(1)</script>' } });
    const { html, text } = await render(name, vars);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    const plain = (await render(name)).text;
    expect(plain).not.toMatch(/<\/?[a-z][^>]*>/i);
    expect(plain).not.toContain('&amp;');
    // Plain text is not HTML: what the contact typed is shown as typed.
    expect(text).toContain('<script>alert(1)</script>');
  });

  it.each(SHIPPED)('%s: the subject is plain text, not HTML-escaped', async (name) => {
    const vars = sampleVars({
      store: undefined,
      company: { name: 'Zoé & Co', address: '2 place Bellecour, Lyon' },
    });
    const { subject, html } = await render(name, vars);
    expect(subject).toContain('Zoé & Co');
    expect(subject).not.toContain('&amp;');
    expect(html).toContain('Zoé &amp; Co');
    // The rendered subject is also the HTML title, escaped there.
    expect(html).toMatch(/<title>[^<]*Zoé &amp; Co[^<]*<\/title>/);
  });

  it.each(SHIPPED)('%s: the preheader is the hidden preview, rendered', async (name) => {
    const { html } = await render(name);
    const preview = /<div style="display:none;[^"]*">([^<]+)<\/div>/.exec(html)?.[1] ?? '';
    expect(preview.length).toBeGreaterThan(20);
    expect(preview).not.toContain('{');
  });

  it('uses the event variables in store-event, with defaults when absent', async () => {
    const event = {
      title: 'Nuit du cuir',
      date: 'Jeudi 12 juin, 19 h',
      description: 'Ateliers & dégustation.',
    };
    const withEvent = await render('store-event/fr', sampleVars({ event }));
    expect(withEvent.subject).toBe('Invitation : Nuit du cuir chez Paris 11');
    expect(withEvent.html).toContain('Jeudi 12 juin, 19 h');
    expect(withEvent.html).toContain('Ateliers &amp; dégustation.');
    expect(withEvent.text).toContain('Ateliers & dégustation.');
    const without = await render('store-event/en', sampleVars());
    expect(without.subject).toBe('You’re invited: a private evening in store at Paris 11');
    expect(without.html).toContain('Very soon');
  });

  it('keeps a subject on one line whatever the data holds', async () => {
    const { subject } = await render(
      'winback/fr',
      sampleVars({ contact: { id: 'x', firstName: 'Ann\r\nBcc: x' } }),
    );
    expect(subject).toBe('Ann Bcc: x, vous nous manquez chez Paris 11');
  });

  it('writes winback/fr to a file, for a person to look at', async () => {
    const dir = join(tmpdir(), 'relance-templates');
    mkdirSync(dir, { recursive: true });
    const vars = sampleVars({ store: storeVars(STORE, 'fr-FR') });
    const { subject, html, text } = await render('winback/fr', vars);
    writeFileSync(join(dir, 'winback-fr.html'), html);
    writeFileSync(join(dir, 'winback-fr.txt'), `Subject: ${subject}\n\n${text}\n`);
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('@media only screen and (max-width:479px)');
  });
});

describe('renderEmail', () => {
  const email = prepareEmail({
    subject: '{{ company.name }} — {{ contact.firstName | default: "vous" }}',
    preheader: '{{ nothing.here }}',
    html: '<title>{{ subject }}</title><p>{{ contact.firstName }}</p><i>{{ preheader }}</i>',
    text: 'Hello {{ contact.firstName }}\n\n\n\n{% if coupon %}x{% endif %}\n\n\nBye  ',
  });
  const vars = sampleVars({ company: { name: 'A & B', address: '' }, coupon: undefined });

  it('renders missing variables as empty, escapes only the HTML, and tidies the text', async () => {
    const out = await renderEmail(email, vars);
    expect(out).toEqual({
      subject: 'A & B — Camille',
      html: '<title>A &amp; B — Camille</title><p>Camille</p><i></i>',
      text: 'Hello Camille\n\nBye',
    });
  });

  it('treats an empty first name as missing', async () => {
    const out = await renderEmail(email, { ...vars, contact: { id: 'c', firstName: '' } });
    expect(out.subject).toBe('A & B — vous');
  });

  it('does not read files through include or render', async () => {
    const sneaky = prepareEmail({
      subject: 's',
      preheader: '',
      html: "{% include '/etc/passwd' %}",
      text: '',
    });
    await expect(renderEmail(sneaky, vars)).rejects.toThrow(/ENOENT|not found|Failed to lookup/i);
  });

  it.each(['render.ts', 'locales.ts'])(
    '%s is bundled without mjml, html-to-text, yaml or compile.ts',
    async (file) => {
      const entry = fileURLToPath(new URL(`../../../../functions/domain/templates/${file}`, import.meta.url));
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((i) => i.endsWith(file))).toBe(true);
      for (const heavy of [
        'node_modules/mjml',
        'node_modules/html-to-text',
        'node_modules/yaml',
        'compile.ts',
      ]) {
        expect(inputs.filter((i) => i.includes(heavy))).toEqual([]);
      }
    },
  );
});

describe('storeVars', () => {
  it('formats opening hours in French, in week order, closed days left out', () => {
    const vars = storeVars(STORE, 'fr-FR');
    expect(vars.openingHours).toEqual([
      'Lundi : 09:30–12:30, 14:00–19:00',
      'Mardi : 10:00–19:30',
      'Samedi : 10:00–20:00',
    ]);
  });

  it('formats opening hours in English', () => {
    expect(storeVars(STORE, 'en').openingHours).toEqual([
      'Monday: 09:30–12:30, 14:00–19:00',
      'Tuesday: 10:00–19:30',
      'Saturday: 10:00–20:00',
    ]);
  });

  it('orders days by the week, not by the order they were stored in', () => {
    const store: Store = { ...STORE, openingHours: { sun: ['10:00-13:00'], wed: ['09:00-18:00'], thu: [] } };
    expect(storeVars(store, 'fr').openingHours).toEqual(['Mercredi : 09:00–18:00', 'Dimanche : 10:00–13:00']);
  });

  it('builds an OpenStreetMap search link for the address', () => {
    const vars = storeVars(STORE, 'fr');
    expect(vars.mapUrl).toBe(
      'https://www.openstreetmap.org/search?query=112%20rue%20Oberkampf%2C%2075011%20Paris%2C%20France',
    );
    expect(vars).toMatchObject({
      id: 'paris-11',
      name: 'Paris 11',
      postcode: '75011',
      city: 'Paris',
      country: 'FR',
    });
  });

  it('copes with a shop without hours and with a locale Intl refuses', () => {
    const vars = storeVars({ ...STORE, openingHours: undefined }, 'not a locale!');
    expect(vars.openingHours).toEqual([]);
    expect(vars.mapUrl).toContain('France');
  });
});
