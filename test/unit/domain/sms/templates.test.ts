import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateFiles } from '../../../../functions/adapters/template-files';
import { offerSchema } from '../../../../functions/domain/coupons/coupon';
import {
  compileSmsTemplate,
  estimateSms,
  listSmsTemplates,
  sampleSmsVars,
} from '../../../../functions/domain/sms/templates';
import { appError } from '../../../support/assertions';

/** SMS templates read from a folder, as the API reads them. */
const sms = (dir: string) => templateFiles({ email: join(dir, 'no-email'), sms: dir });

const DIR = join(import.meta.dirname, '../../../../templates/sms');
const BASE = 'https://r.example';
const NOW = new Date('2026-01-15T10:00:00.000Z');
const company = { name: 'Maison Martin', address: '1 rue de la Paix, 75002 Paris' };
const offer = offerSchema.parse({
  kind: 'percent',
  value: 15,
  description: { fr: '-15 % sur tout', en: '15% off' },
  validDays: 30,
  stores: 'all',
});

/** A short link as estimateSms prints it: the base, /s/ and 11 characters. */
const SHORT = /https:\/\/r\.example\/s\/[0-9A-Za-z]{11}/g;

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sms-templates-'));
  await writeFile(join(tmp, 'broken.fr.liquid'), 'Bonjour\n{{ x | nofilter }}\n');
  await writeFile(join(tmp, 'includes.en.liquid'), "Hello\n\n{% include 'a' %}\n");
  await writeFile(join(tmp, 'party.fr.liquid'), '  Soldes 🎉 chez {{ company.name }} ! ✨ Réponse’ \n');
  await writeFile(join(tmp, 'party.en.liquid'), 'Sale at {{ company.name }}!\n');
  await writeFile(join(tmp, 'solo.de.liquid'), 'Hallo');
  await writeFile(join(tmp, 'notes.txt'), 'not a template');
  await writeFile(join(tmp, 'Upper.fr.liquid'), 'ignored: the name is not lower case');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('listSmsTemplates', () => {
  it('lists the shipped templates by name, with their locales', async () => {
    expect(await listSmsTemplates(sms(DIR))).toEqual([
      { name: 'store-event', locales: ['en', 'fr'] },
      { name: 'winback', locales: ['en', 'fr'] },
    ]);
  });

  it('ignores files that are not <name>.<locale>.liquid', async () => {
    expect(await listSmsTemplates(sms(tmp))).toEqual([
      { name: 'broken', locales: ['fr'] },
      { name: 'includes', locales: ['en'] },
      { name: 'party', locales: ['en', 'fr'] },
      { name: 'solo', locales: ['de'] },
    ]);
  });

  it('is empty for a directory that does not exist', async () => {
    expect(await listSmsTemplates(sms(join(tmp, 'nowhere')))).toEqual([]);
  });
});

describe('compileSmsTemplate', () => {
  it('reads every locale of a shipped template, trimmed, with fr as the default locale', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'winback');
    expect(Object.keys(content.byLocale).sort()).toEqual(['en', 'fr']);
    expect(content.defaultLocale).toBe('fr');
    expect(content.byLocale.fr?.body).toBe(
      '{{ store.name | default: company.name }} : {% if contact.firstName %}{{ contact.firstName }}, vous{% else %}Vous{% endif %} nous manquez !\n' +
        "{% if coupon %}{{ coupon.offer }} avec le code {{ coupon.code }}, jusqu'au {{ coupon.validUntil }}. Votre bon : {{ coupon.printUrl }}{% else %}Toute l'équipe serait ravie de vous revoir en boutique.{% endif %}\n" +
        'Répondez STOP pour vous désabonner',
    );
    expect(content.byLocale.en?.body.endsWith('\nReply STOP to opt out')).toBe(true);
  });

  it('compiles store-event too', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'store-event');
    expect(Object.keys(content.byLocale).sort()).toEqual(['en', 'fr']);
    expect(content.defaultLocale).toBe('fr');
  });

  it('takes the only locale as default when there is no fr', async () => {
    expect(await compileSmsTemplate(sms(tmp), 'solo')).toEqual({
      byLocale: { de: { body: 'Hallo' } },
      defaultLocale: 'de',
    });
  });

  it('is a 404 for an unknown name', async () => {
    const e = await appError(compileSmsTemplate(sms(DIR), 'nope'));
    expect([e.status, e.code, e.message]).toEqual([404, 'not_found', 'SMS template was not found']);
  });

  it('is a 404 for an unsafe name, without reading outside the directory', async () => {
    for (const name of ['../x', '../sms/winback', 'winback/..', 'Winback', '', 'win back']) {
      const e = await appError(compileSmsTemplate(sms(DIR), name));
      expect([e.status, e.code]).toEqual([404, 'not_found']);
    }
  });

  it('is a 400 naming the file and line for an unknown filter', async () => {
    const e = await appError(compileSmsTemplate(sms(tmp), 'broken'));
    expect(e.status).toBe(400);
    expect(e.code).toBe('validation_error');
    expect(e.message).toBe('The template broken.fr.liquid is not valid');
    expect(e.issues).toEqual([
      { path: 'template', message: 'broken.fr.liquid:2: Liquid: undefined filter: nofilter' },
    ]);
  });

  it('is a 400 naming the file and line for a file tag', async () => {
    const e = await appError(compileSmsTemplate(sms(tmp), 'includes'));
    expect(e.status).toBe(400);
    expect(e.message).toBe('The template includes.en.liquid is not valid');
    expect(e.issues).toEqual([
      {
        path: 'template',
        message:
          "includes.en.liquid:3: {% include 'a' %} is not available in templates: they cannot read files",
      },
    ]);
  });
});

describe('sampleSmsVars', () => {
  it('gives a sample contact and shop, the real offer text and the longest code', () => {
    expect(sampleSmsVars('fr', { company, offer, now: NOW })).toEqual({
      contact: { id: 'preview', firstName: 'Dominique' },
      store: {
        id: 'sample',
        name: 'Boutique du Centre',
        address: '12 rue de la République',
        postcode: '69002',
        city: 'Lyon',
        country: 'FR',
        mapUrl: 'https://www.openstreetmap.org/search?query=sample',
        openingHours: [],
      },
      company,
      campaign: { id: 'preview', name: 'Preview' },
      coupon: {
        code: 'XXXX-XXXX-XXXX-X',
        offer: '-15 % sur tout',
        validUntil: '14 février 2026',
        barcodeUrl: 'https://example.com/c/sample/barcode.png',
        qrUrl: 'https://example.com/c/sample/qr.png',
        printUrl: 'https://example.com/c/sample',
      },
    });
  });

  it('lets given values win and has no coupon without an offer', () => {
    const v = sampleSmsVars('en', {
      company,
      now: NOW,
      contact: { id: 'c_9', firstName: 'Ann' },
      event: { title: 'Late opening' },
    });
    expect(v.contact).toEqual({ id: 'c_9', firstName: 'Ann' });
    expect(v.event).toEqual({ title: 'Late opening' });
    expect(v.coupon).toBeUndefined();
  });
});

describe('estimateSms with the shipped templates', () => {
  it('winback with an offer: GSM-7, links replaced by a short link of real length, 2 segments', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'winback');
    const { byLocale, warnings } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, offer, now: NOW }),
      BASE,
      2,
    );
    expect(byLocale.fr).toEqual({
      text:
        'Boutique du Centre : Dominique, vous nous manquez !\n' +
        "-15 % sur tout avec le code XXXX-XXXX-XXXX-X, jusqu'au 14 février 2026. Votre bon : https://r.example/s/Xy12Ab34Cd5\n" +
        'Répondez STOP pour vous désabonner',
      encoding: 'GSM-7',
      characters: 202,
      segments: 2,
      nonGsmCharacters: [],
    });
    expect(byLocale.en).toEqual({
      text:
        'Boutique du Centre: Dominique, we miss you!\n' +
        '15% off with code XXXX-XXXX-XXXX-X, until February 14, 2026. Your voucher: https://r.example/s/Xy12Ab34Cd5\n' +
        'Reply STOP to opt out',
      encoding: 'GSM-7',
      characters: 172,
      segments: 2,
      nonGsmCharacters: [],
    });
    expect(warnings).toEqual([]);
  });

  it('measures the text with the short link, not the long print URL', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'store-event');
    const { byLocale } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, offer, now: NOW }),
      BASE,
      2,
    );
    const en = byLocale.en;
    expect(en?.text).toBe(
      'Boutique du Centre: an event in store. Dominique, see you there! Code XXXX-XXXX-XXXX-X: https://r.example/s/Xy12Ab34Cd5\nReply STOP to opt out',
    );
    expect(en?.text.match(SHORT)).toEqual(['https://r.example/s/Xy12Ab34Cd5']);
    expect(en?.text.includes('https://example.com/c/sample')).toBe(false);
    expect(en?.characters).toBe(141);
    // The short link is the base (17) + "/s/" (3) + 11 characters.
    expect('https://r.example/s/Xy12Ab34Cd5'.length).toBe(31);
  });

  it('warns per locale when a message takes more segments than allowed', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'winback');
    const { warnings } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, offer, now: NOW }),
      BASE,
      1,
    );
    expect(warnings).toEqual([
      'SMS (en) takes 2 segments, more than 1: each segment is billed',
      'SMS (fr) takes 2 segments, more than 1: each segment is billed',
    ]);
  });

  it('fits in one GSM-7 segment without an offer', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'winback');
    const { byLocale, warnings } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, now: NOW }),
      BASE,
      1,
    );
    expect(byLocale.fr).toEqual({
      text:
        'Boutique du Centre : Dominique, vous nous manquez !\n' +
        "Toute l'équipe serait ravie de vous revoir en boutique.\n" +
        'Répondez STOP pour vous désabonner',
      encoding: 'GSM-7',
      characters: 142,
      segments: 1,
      nonGsmCharacters: [],
    });
    expect(byLocale.en?.segments).toBe(1);
    expect(byLocale.en?.encoding).toBe('GSM-7');
    expect(warnings).toEqual([]);
  });

  it('store-event: GSM-7 in both locales; fr with an offer takes 2 segments', async () => {
    const content = await compileSmsTemplate(sms(DIR), 'store-event');
    const { byLocale, warnings } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, offer, now: NOW }),
      BASE,
      1,
    );
    expect(byLocale.fr).toEqual({
      text:
        'Boutique du Centre : un événement en boutique. Dominique, on vous attend ! Code XXXX-XXXX-XXXX-X : https://r.example/s/Xy12Ab34Cd5\n' +
        'Répondez STOP pour vous désabonner',
      encoding: 'GSM-7',
      characters: 165,
      segments: 2,
      nonGsmCharacters: [],
    });
    expect(byLocale.en?.encoding).toBe('GSM-7');
    expect(byLocale.en?.segments).toBe(1);
    expect(warnings).toEqual(['SMS (fr) takes 2 segments, more than 1: each segment is billed']);
  });
});

describe('estimateSms: UCS-2', () => {
  it('warns naming the characters that forced UCS-2 (typographic ones are already replaced)', async () => {
    const content = await compileSmsTemplate(sms(tmp), 'party');
    expect(content).toEqual({
      byLocale: {
        en: { body: 'Sale at {{ company.name }}!' },
        fr: { body: 'Soldes 🎉 chez {{ company.name }} ! ✨ Réponse’' },
      },
      defaultLocale: 'fr',
    });
    const { byLocale, warnings } = await estimateSms(
      content,
      (locale) => sampleSmsVars(locale, { company, now: NOW }),
      BASE,
      1,
    );
    expect(byLocale.fr).toEqual({
      text: "Soldes 🎉 chez Maison Martin ! ✨ Réponse'",
      encoding: 'UCS-2',
      // UTF-16 code units: 🎉 is a surrogate pair (2), ✨ is one unit.
      characters: 41,
      segments: 1,
      nonGsmCharacters: ['🎉', '✨'],
    });
    expect(byLocale.en).toEqual({
      text: 'Sale at Maison Martin!',
      encoding: 'GSM-7',
      characters: 22,
      segments: 1,
      nonGsmCharacters: [],
    });
    expect(warnings).toEqual([
      'SMS (fr) is sent as UCS-2 (70 characters per segment instead of 160) because of "🎉", "✨"',
    ]);
  });
});
