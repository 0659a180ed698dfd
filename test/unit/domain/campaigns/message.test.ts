import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CampaignContent } from '../../../../functions/domain/campaigns/campaign';
import {
  buildEmail,
  buildSms,
  couponVars,
  MessageCache,
  type MessageDeps,
  messageVars,
  type PreparedContent,
  prepareContent,
  type SmsMessageDeps,
} from '../../../../functions/domain/campaigns/message';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import { couponCode, formatCode } from '../../../../functions/domain/coupons/codes';
import type { Coupon } from '../../../../functions/domain/coupons/coupon';
import { verifyToken } from '../../../../functions/domain/shared/tokens';
import { prepareSms } from '../../../../functions/domain/sms/render';
import { shortCode } from '../../../../functions/domain/sms/short-links';
import type { Store } from '../../../../functions/domain/stores/store';
import { compileEmailTemplate } from '../../../../functions/domain/templates/compile';
import {
  FakeCampaignRepository,
  FakeClock,
  FakeShortLinkRepository,
  sampleStore,
} from '../../../support/fakes';
import { TEMPLATES_DIR } from '../../../support/templates-sample';
import { BASE_URL, COMPANY, campaign, contact, content, NOW, OFFER, ring } from './support';

const emailDeps = (over: Partial<MessageDeps> = {}): MessageDeps => ({
  clock: new FakeClock(NOW),
  company: COMPANY,
  timeZone: 'Europe/Paris',
  ...over,
});

const smsDeps = (
  over: Partial<SmsMessageDeps> = {},
): SmsMessageDeps & { shortLinks: FakeShortLinkRepository } =>
  ({
    ...emailDeps(),
    shortLinks: new FakeShortLinkRepository(),
    smsPolicy: {},
    ...over,
  }) as SmsMessageDeps & { shortLinks: FakeShortLinkRepository };

const withEmail = (k: Contact) => k as Contact & { email: string };
const withPhone = (k: Contact) => k as Contact & { phone: string };

function coupon(over: Partial<Coupon> = {}): Coupon {
  const code = couponCode(ring, 'cmp_1', 'c_1');
  return {
    code,
    campaignId: 'cmp_1',
    contactId: 'c_1',
    status: 'issued',
    offer: OFFER,
    validFrom: NOW.toISOString(),
    // 00:30 on 1 January in Paris, still 31 December in UTC.
    validUntil: '2026-12-31T23:30:00.000Z',
    stores: 'all',
    issuedAt: NOW.toISOString(),
    history: [{ action: 'issued', at: NOW.toISOString() }],
    ...over,
  };
}

/** One template per locale that shows the shop: for what is rendered once per shop. */
const shopContent = (): PreparedContent =>
  prepareContent({
    campaignId: 'cmp_1',
    defaultLocale: 'fr',
    byLocale: {
      fr: {
        subject: '{{ store.name }}',
        preheader: '',
        html: '<html><body><p>{{ store.name }}, {{ contact.firstName }}</p></body></html>',
        text: '{{ store.name }} {{ contact.firstName }}',
      },
    },
  });

const tokenIn = (url: string, prefix: string) => url.slice(`${BASE_URL}/${prefix}/`.length);

describe('buildEmail', () => {
  it('addresses the recipient, with a one-click List-Unsubscribe for this campaign and contact', async () => {
    const { email, locale } = await buildEmail(
      emailDeps(),
      ring,
      campaign(),
      prepareContent(content()),
      withEmail(contact('c_1')),
      undefined,
    );
    expect(locale).toBe('fr');
    expect(email.to).toBe('c_1@example.com');
    expect(email.subject).toBe('Bonjour Ann c_1');
    expect(email.tags).toEqual({ campaignId: 'cmp_1', contactId: 'c_1' });
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const header = /^<(.+)>$/.exec(email.headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(header.startsWith(`${BASE_URL}/u/`)).toBe(true);
    expect(verifyToken(ring, 'unsubscribe', tokenIn(header, 'u'))).toMatchObject({ c: 'cmp_1', k: 'c_1' });
    // The same link is in the body, left as it is (not a tracked click).
    expect(email.html).toContain(`href="${header}"`);
    expect(email.text).toBe('Bonjour Ann c_1');
  });

  it('tracks the links and adds an open pixel, with tokens that carry when it was sent', async () => {
    const sentAt = Date.parse('2026-11-20T08:00:00.000Z');
    const { email } = await buildEmail(
      emailDeps(),
      ring,
      campaign(),
      prepareContent(content()),
      withEmail(contact('c_1')),
      undefined,
      undefined,
      sentAt,
    );
    const clicks = [...email.html.matchAll(/href="(https:\/\/t\.relance\.example\/t\/c\/[^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(clicks).toHaveLength(1);
    expect(verifyToken(ring, 'click', tokenIn(clicks[0] as string, 't/c'))).toMatchObject({
      c: 'cmp_1',
      k: 'c_1',
      i: 0,
      u: 'https://shop.example/offer',
      t: sentAt / 1000,
    });
    expect(email.html).not.toContain('href="https://shop.example/offer"');
    const pixel = /<img src="https:\/\/t\.relance\.example\/t\/o\/([^"]+)"/.exec(email.html)?.[1] ?? '';
    expect(verifyToken(ring, 'open', pixel)).toMatchObject({ c: 'cmp_1', k: 'c_1', t: sentAt / 1000 });
  });

  it.each([
    'https://evil.example/x',
    'hthttps://tps://evil.example/phish',
    'HTTPS:https:////evil.example/phish',
  ])('tracks only the template’s links when a first name is %j, even in an href', async (firstName) => {
    const hostile = prepareContent({
      campaignId: 'cmp_1',
      defaultLocale: 'fr',
      byLocale: {
        fr: {
          subject: 'Bonjour {{ contact.firstName }}',
          preheader: '',
          html:
            '<html><body><p>Bonjour {{ contact.firstName }}</p><a href="{{ contact.lastName }}">moi</a>' +
            '<a href="https://shop.example/offer">Shop</a></body></html>',
          text: 'Bonjour {{ contact.firstName }}',
        },
      },
    });
    const { email } = await buildEmail(
      emailDeps(),
      ring,
      campaign(),
      hostile,
      withEmail(contact('c_1', { firstName, lastName: firstName })),
      undefined,
    );
    const targets = [...email.html.matchAll(/href="https:\/\/t\.relance\.example\/t\/c\/([^"]+)"/g)].map(
      (m) => verifyToken(ring, 'click', m[1] as string)?.u,
    );
    expect(targets).toEqual(['https://shop.example/offer']);
    for (const part of [email.html, email.text, email.subject]) expect(part).not.toMatch(/https?:\/\/evil/i);
  });

  it('dates the tracking tokens with the clock when not told otherwise', async () => {
    const { email } = await buildEmail(
      emailDeps(),
      ring,
      campaign(),
      prepareContent(content()),
      withEmail(contact('c_1')),
      undefined,
    );
    const pixel = /\/t\/o\/([^"]+)"/.exec(email.html)?.[1] ?? '';
    expect(verifyToken(ring, 'open', pixel)?.t).toBe(NOW.getTime() / 1000);
  });

  it.each([
    ['Maison Relance', 'Maison Relance <news@relance.example>'],
    ['Dupont & Fils, Paris', '"Dupont & Fils, Paris" <news@relance.example>'],
    ['Le "Bon" Coin', '"Le \\"Bon\\" Coin" <news@relance.example>'],
    ['A\\B', '"A\\\\B" <news@relance.example>'],
    ['Chez M. Martin', '"Chez M. Martin" <news@relance.example>'],
  ])('writes the From of %j as %j', async (name, from) => {
    const { email } = await buildEmail(
      emailDeps(),
      ring,
      campaign({ from: { name, address: 'news@relance.example' } }),
      prepareContent(content()),
      withEmail(contact('c_1')),
      undefined,
    );
    expect(email.from).toBe(from);
  });

  it('gives a Reply-To only when the campaign has one, and an empty From without a sender', async () => {
    const args = [prepareContent(content()), withEmail(contact('c_1')), undefined] as const;
    const withReply = await buildEmail(
      emailDeps(),
      ring,
      campaign({ replyTo: 'shop@relance.example' }),
      ...args,
    );
    expect(withReply.email.replyTo).toEqual(['shop@relance.example']);
    const plain = await buildEmail(emailDeps(), ring, campaign({ from: undefined }), ...args);
    expect('replyTo' in plain.email).toBe(false);
    expect(plain.email.from).toBe('');
  });

  it.each([
    ['fr-FR', 'fr', 'Bonjour Ann c_1'],
    ['en-GB', 'en', 'Hello Ann c_1'],
    ['EN', 'en', 'Hello Ann c_1'],
    ['de-DE', 'fr', 'Bonjour Ann c_1'],
    [undefined, 'fr', 'Bonjour Ann c_1'],
  ])('writes to a contact in %s in %s', async (wanted, locale, subject) => {
    const k = contact('c_1', { locale: wanted });
    const built = await buildEmail(
      emailDeps(),
      ring,
      campaign(),
      prepareContent(content()),
      withEmail(k),
      undefined,
    );
    expect(built.locale).toBe(locale);
    expect(built.email.subject).toBe(subject);
  });

  it('shows the recipient’s coupon in its language', async () => {
    const c = coupon();
    const fr = await buildEmail(
      emailDeps(),
      ring,
      campaign({ offer: OFFER }),
      prepareContent(content()),
      withEmail(contact('c_1')),
      undefined,
      c,
    );
    expect(fr.email.html).toContain(
      `Code ${formatCode(c.code)} (-20 % sur tout le magasin), until 1 janvier 2027`,
    );
    expect(fr.email.text).toBe(`Bonjour Ann c_1 code ${formatCode(c.code)}`);
    const en = await buildEmail(
      emailDeps(),
      ring,
      campaign({ offer: OFFER }),
      prepareContent(content()),
      withEmail(contact('c_1', { locale: 'en' })),
      undefined,
      c,
    );
    expect(en.email.html).toContain(`(20% off everything), until January 1, 2027`);
  });

  it('renders the shipped winback template compiled from MJML, coupon and shop included', async () => {
    const byLocale: CampaignContent['byLocale'] = {};
    for (const l of ['fr', 'en'])
      byLocale[l] = await compileEmailTemplate(
        readFileSync(join(TEMPLATES_DIR, 'winback', `${l}.mjml`), 'utf8'),
      );
    const c = coupon();
    const store = sampleStore('paris-11');
    const { email } = await buildEmail(
      emailDeps(),
      ring,
      campaign({ offer: OFFER }),
      prepareContent({ campaignId: 'cmp_1', defaultLocale: 'fr', byLocale }),
      withEmail(contact('c_1', { homeStoreId: 'paris-11' })),
      store,
      c,
    );
    expect(email.subject.length).toBeGreaterThan(5);
    for (const part of [email.html, email.text]) {
      expect(part).toContain(formatCode(c.code));
      expect(part).toContain('Ann c_1');
      expect(part).toContain(store.address);
      expect(part).not.toMatch(/\{\{|\{%/);
    }
    expect(email.html).toContain(`${BASE_URL}/t/c/`);
    expect(email.html).toContain(`${BASE_URL}/t/o/`);
  });
});

describe('couponVars', () => {
  it('gives the code, the offer, the end date in the given time zone, and signed coupon links', () => {
    const c = coupon();
    const vars = couponVars(ring, BASE_URL, c, 'fr', 'Europe/Paris');
    const token = /\/c\/([^/]+)\/barcode\.png$/.exec(vars.barcodeUrl)?.[1] ?? '';
    expect(vars).toEqual({
      code: formatCode(c.code),
      offer: '-20 % sur tout le magasin',
      validUntil: '1 janvier 2027',
      barcodeUrl: `${BASE_URL}/c/${token}/barcode.png`,
      qrUrl: `${BASE_URL}/c/${token}/qr.png`,
      printUrl: `${BASE_URL}/c/${token}`,
    });
    expect(verifyToken(ring, 'coupon', token)).toMatchObject({ d: c.code });
  });

  it('shows the date as it is where the shop is, in the recipient’s language', () => {
    expect(couponVars(ring, BASE_URL, coupon(), 'fr', 'UTC').validUntil).toBe('31 décembre 2026');
    expect(couponVars(ring, BASE_URL, coupon(), 'en', 'Europe/Paris').validUntil).toBe('January 1, 2027');
    expect(couponVars(ring, BASE_URL, coupon(), 'en', 'America/New_York').validUntil).toBe(
      'December 31, 2026',
    );
  });
});

describe('messageVars', () => {
  it('gives the contact’s own fields only, the links, the company and the campaign', () => {
    const links = { unsubscribeUrl: 'https://u', viewInBrowserUrl: 'https://v' };
    const k = contact('c_1', { lastName: undefined });
    expect(messageVars(campaign(), k, undefined, 'fr', links, COMPANY, new MessageCache())).toEqual({
      contact: { id: 'c_1', firstName: 'Ann c_1', email: 'c_1@example.com', locale: 'fr-FR' },
      unsubscribeUrl: 'https://u',
      viewInBrowserUrl: 'https://v',
      company: COMPANY,
      campaign: { id: 'cmp_1', name: 'Relance hiver' },
    });
  });

  it('adds the shop block in the recipient’s language and the event of an event campaign', () => {
    const store: Store = { ...sampleStore('paris-11'), openingHours: { mon: ['10:00-19:00'] } };
    const event = { title: 'Vente privée', date: 'samedi 5 décembre' };
    const vars = messageVars(
      campaign({ event }),
      contact('c_1'),
      store,
      'fr',
      { unsubscribeUrl: '', viewInBrowserUrl: '' },
      COMPANY,
      new MessageCache(),
    );
    expect(vars.event).toEqual(event);
    expect(vars.store).toMatchObject({
      id: 'paris-11',
      name: 'Store paris-11',
      openingHours: ['Lundi : 10:00–19:00'],
    });
  });
});

describe('buildSms', () => {
  const smsContent = (body: string) => ({ defaultLocale: 'fr', byLocale: { fr: prepareSms({ body }) } });

  it('replaces each link by a short tracked link, stored once, and measures the message', async () => {
    const deps = smsDeps();
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms' }),
      prepareContent(content()).sms as NonNullable<PreparedContent['sms']>,
      withPhone(contact('c_1')),
      undefined,
    );
    const code = shortCode(ring, 'cmp_1', 'c_1', 0);
    expect(built).toEqual({
      locale: 'fr',
      segments: 1,
      sms: {
        to: '+33612340001',
        body: `Maison Relance: ${BASE_URL}/s/${code} STOP 36111`,
        tags: { campaignId: 'cmp_1', contactId: 'c_1' },
      },
    });
    expect([...deps.shortLinks.items.values()]).toEqual([
      {
        code,
        campaignId: 'cmp_1',
        contactId: 'c_1',
        link: 0,
        url: 'https://shop.example/offer',
        sentAt: NOW.getTime(),
      },
    ]);
  });

  it('reuses the short links on a retried send', async () => {
    const deps = smsDeps();
    const args = [
      ring,
      campaign({ channel: 'sms' }),
      smsContent('A https://shop.example/a B https://shop.example/b A again https://shop.example/a'),
      withPhone(contact('c_1')),
      undefined,
    ] as const;
    const first = await buildSms(deps, ...args);
    (deps.clock as FakeClock).advance(60_000);
    const again = await buildSms(deps, ...args);
    expect(again.sms.body).toBe(first.sms.body);
    expect(deps.shortLinks.items.size).toBe(2);
    expect([...deps.shortLinks.items.values()].map((l) => [l.link, l.url, l.sentAt])).toEqual([
      [0, 'https://shop.example/a', NOW.getTime()],
      [1, 'https://shop.example/b', NOW.getTime()],
    ]);
  });

  it('derives another code when a code is taken by someone else’s link', async () => {
    const deps = smsDeps();
    const taken = shortCode(ring, 'cmp_1', 'c_1', 0);
    deps.shortLinks.items.set(taken, {
      code: taken,
      campaignId: 'cmp_9',
      contactId: 'c_9',
      link: 0,
      url: 'https://elsewhere.example',
      sentAt: 0,
    });
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms' }),
      smsContent('https://shop.example/a'),
      withPhone(contact('c_1')),
      undefined,
    );
    expect(built.sms.body).toBe(`${BASE_URL}/s/${shortCode(ring, 'cmp_1', 'c_1', 0, 1)}`);
  });

  it('uses the short-link base when the deployment has one, and keeps the link as long as the coupon', async () => {
    const deps = smsDeps({ smsPolicy: { shortLinkBase: 'https://rl.example' } });
    const c = coupon();
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms', offer: OFFER }),
      smsContent('{{ coupon.code }} jusqu’au {{ coupon.validUntil }} {{ coupon.printUrl }}'),
      withPhone(contact('c_1')),
      undefined,
      c,
    );
    const code = shortCode(ring, 'cmp_1', 'c_1', 0);
    // Typographic apostrophes become GSM ones.
    expect(built.sms.body).toBe(`${formatCode(c.code)} jusqu'au 1 janvier 2027 https://rl.example/s/${code}`);
    expect(deps.shortLinks.items.get(code)?.keepUntil).toBe(c.validUntil);
    expect(deps.shortLinks.items.get(code)?.url).toMatch(new RegExp(`^${BASE_URL}/c/`));
  });

  it('never turns what a customer typed into a tracked link', async () => {
    const deps = smsDeps();
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms' }),
      smsContent('Bonjour {{ contact.firstName }} https://shop.example/a'),
      withPhone(contact('c_1', { firstName: 'https://evil.example/x' })),
      undefined,
    );
    expect(built.sms.body).toBe(`Bonjour evil.example/x ${BASE_URL}/s/${shortCode(ring, 'cmp_1', 'c_1', 0)}`);
    expect(deps.shortLinks.items.size).toBe(1);
  });

  // What a customer typed must never become one of our links, however it hides the scheme.
  const HOSTILE = [
    'https://evil.example/x',
    'hthttps://tps://evil.example/phish',
    'HTTPS:https:////evil.example/phish',
    'hhttps://ttps://https://evil.example',
    'http://HTTP://evil.example',
    'Ann https://evil.example, http://evil.example/2',
  ];

  it.each(HOSTILE)('shortens only the template’s links when a first name is %j', async (firstName) => {
    const deps = smsDeps();
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms' }),
      smsContent('Bonjour {{ contact.firstName }} {{ contact.lastName }} https://shop.example/a'),
      withPhone(contact('c_1', { firstName, lastName: firstName })),
      undefined,
    );
    expect([...deps.shortLinks.items.values()].map((l) => l.url)).toEqual(['https://shop.example/a']);
    expect(built.sms.body.match(/https?:\/\/\S+/gi)).toEqual([
      `${BASE_URL}/s/${shortCode(ring, 'cmp_1', 'c_1', 0)}`,
    ]);
  });

  it('picks the contact’s locale, and counts the parts of a long message', async () => {
    const deps = smsDeps();
    const content2 = {
      defaultLocale: 'fr',
      byLocale: { fr: prepareSms({ body: 'Bonjour' }), en: prepareSms({ body: 'Hello '.repeat(30).trim() }) },
    };
    const built = await buildSms(
      deps,
      ring,
      campaign({ channel: 'sms' }),
      content2,
      withPhone(contact('c_1', { locale: 'en-US' })),
      undefined,
    );
    expect(built.locale).toBe('en');
    expect(built.sms.body.length).toBe(179);
    expect(built.segments).toBe(2);
  });
});

describe('MessageCache', () => {
  it('reads and parses a campaign’s content once', async () => {
    const campaigns = new FakeCampaignRepository();
    await campaigns.create(campaign(), content());
    const read = vi.spyOn(campaigns, 'getContent');
    const cache = new MessageCache();
    const [a, b] = await Promise.all([cache.content(campaigns, 'cmp_1'), cache.content(campaigns, 'cmp_1')]);
    expect(a).toBe(b);
    expect(await cache.content(campaigns, 'cmp_1')).toBe(a);
    expect(read).toHaveBeenCalledTimes(1);
    expect(Object.keys(a.byLocale).sort()).toEqual(['en', 'fr']);
    expect(a.sms?.defaultLocale).toBe('fr');
  });

  it('does not keep a failed read, nor content that is missing', async () => {
    const campaigns = new FakeCampaignRepository();
    const cache = new MessageCache();
    await expect(cache.content(campaigns, 'cmp_1')).rejects.toThrow('Campaign cmp_1 has no content');
    await campaigns.create(campaign(), content());
    const read = vi.spyOn(campaigns, 'getContent').mockRejectedValueOnce(new Error('timeout'));
    await expect(cache.content(campaigns, 'cmp_1')).rejects.toThrow('timeout');
    expect((await cache.content(campaigns, 'cmp_1')).defaultLocale).toBe('fr');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps a shop block per shop version and locale', () => {
    const cache = new MessageCache();
    const store = sampleStore('paris-11');
    const block = cache.shopBlock(store, 'fr');
    expect(cache.shopBlock({ ...store }, 'fr')).toBe(block);
    expect(cache.shopBlock(store, 'en')).not.toBe(block);
    const renamed = { ...store, name: 'Paris Bastille', updatedAt: '2026-02-01T00:00:00.000Z' };
    expect(cache.shopBlock(renamed, 'fr').name).toBe('Paris Bastille');
  });

  it('renders a template’s shop-wide pieces once per campaign, locale and shop version', async () => {
    const cache = new MessageCache();
    const deps = emailDeps({ cache });
    const store = sampleStore('paris-11');
    const prepared = shopContent();
    const build = (k: Contact, s: Store) =>
      buildEmail(deps, ring, campaign(), prepared, withEmail(k), s).then((b) => b.email);
    const first = await build(contact('c_1'), store);
    expect(first.subject).toBe('Store paris-11');
    // The same shop version: its pieces come from the cache, each recipient's from this render.
    const second = await build(contact('c_2'), { ...store, name: 'Not read again' });
    expect(second.subject).toBe('Store paris-11');
    expect(second.text).toBe('Store paris-11 Ann c_2');
    // A new version of the shop is rendered again.
    const third = await build(contact('c_3'), {
      ...store,
      name: 'Paris Bastille',
      updatedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(third.text).toBe('Paris Bastille Ann c_3');
    // Without a shared cache, every message is rendered from scratch.
    const alone = await buildEmail(emailDeps(), ring, campaign(), prepared, withEmail(contact('c_4')), {
      ...store,
      name: 'Fresh',
    });
    expect(alone.email.subject).toBe('Fresh');
  });

  it('hands back the same specialised template for the same key', () => {
    const cache = new MessageCache();
    const template = shopContent().byLocale.fr;
    if (!template) throw new Error('no template');
    const store = sampleStore('paris-11');
    const vars = messageVars(
      campaign(),
      contact('c_1'),
      store,
      'fr',
      { unsubscribeUrl: '', viewInBrowserUrl: '' },
      COMPANY,
      cache,
    );
    const a = cache.specialisedFor(campaign(), 'fr', store, template, vars);
    expect(cache.specialisedFor(campaign(), 'fr', store, template, vars)).toBe(a);
    expect(cache.specialisedFor(campaign(), 'en', store, template, vars)).not.toBe(a);
    expect(cache.specialisedFor(campaign({ id: 'cmp_2' }), 'fr', store, template, vars)).not.toBe(a);
    expect(cache.specialisedFor(campaign(), 'fr', undefined, template, vars)).not.toBe(a);
  });
});
