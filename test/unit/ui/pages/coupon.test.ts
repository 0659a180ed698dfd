import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { code128Png, qrPng } from '../../../../functions/adapters/barcodes';
import type { Coupon } from '../../../../functions/domain/coupons/coupon';
import type { Store } from '../../../../functions/domain/stores/store';
import { type CouponPageInput, couponPage, couponPageView } from '../../../../functions/ui/pages/coupon';
import { A6, couponPdf, pdfText } from '../../../../functions/ui/pdf/coupon';

const store = (id: string, name: string, address: string, city = 'Paris'): Store => ({
  id,
  name,
  address,
  postcode: '75011',
  city,
  country: 'FR',
  openingHours: { tue: ['10:00-19:30'], sat: ['09:30-13:00', '14:00-20:00'] },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const STORES = [
  store('paris-11', 'Paris 11 – Oberkampf', '112 rue Oberkampf'),
  store('lyon-2', 'Lyon Presqu’île', '24 rue de la République', 'Lyon'),
];

const COUPON: Coupon = {
  code: 'K7M2Q9XH4TPRC',
  campaignId: 'cmp_1',
  contactId: 'ct_1',
  status: 'issued',
  offer: {
    kind: 'percent',
    value: 20,
    currency: 'EUR',
    minBasket: 50,
    validDays: 30,
    stores: 'all',
    description: { fr: '-20 % sur tout le magasin', en: '20% off everything in store' },
  },
  validFrom: '2026-03-02T13:32:00.000Z',
  // 23:59 in Paris (summer time): "until 1 April", no time.
  validUntil: '2026-04-01T21:59:00.000Z',
  stores: 'all',
  firstName: 'Élodie',
  locale: 'fr',
  issuedAt: '2026-03-02T13:32:00.000Z',
  history: [{ action: 'issued', at: '2026-03-02T13:32:00.000Z' }],
};

const URLS = {
  barcodeUrl: 'https://coupons.example/c/tok.barcode.png?v=1&size=print',
  qrUrl: 'https://coupons.example/c/tok.qr.png',
  pdfUrl: 'https://coupons.example/c/tok.pdf',
  printBeaconUrl: 'https://coupons.example/c/tok/printed.gif?v=1&x=2',
};

const NOW = new Date('2026-03-05T10:00:00.000Z');
const COMPANY = { name: 'Maison Dupré', address: 'Maison Dupré SAS, 12 rue des Lilas, 75011 Paris' };

const input = (over: Partial<CouponPageInput> = {}, coupon: Partial<Coupon> = {}): CouponPageInput => ({
  coupon: { ...COUPON, ...coupon },
  stores: STORES,
  locale: 'en',
  company: COMPANY,
  ...URLS,
  now: NOW,
  ...over,
});

const escaped = (s: string) => s.replace(/&/g, '&amp;');
/** The visible text, with tags removed and the few entities the page uses decoded. */
const textOf = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('couponPage', () => {
  it('shows the offer, the code in large monospace, both images and the validity', () => {
    const html = couponPage(input());
    const text = textOf(html);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(text).toContain('20% off everything in store');
    expect(text).toContain('−20%');
    expect(html).toMatch(/<p class="code" data-code="K7M2Q9XH4TPRC">K7M2-Q9XH-4TPR-C<\/p>/);
    expect(html).toMatch(/\.code\{font-family:ui-monospace[^}]*font-size:1\.75rem/);
    expect(html).toContain(
      `<img class="barcode" src="${escaped(URLS.barcodeUrl)}" alt="Barcode of coupon code K7M2-Q9XH-4TPR-C">`,
    );
    expect(html).toContain(
      `<img class="qr" src="${escaped(URLS.qrUrl)}" alt="QR code of coupon code K7M2-Q9XH-4TPR-C">`,
    );
    expect(text).toContain('Valid until 1 April 2026');
    expect(text).not.toContain('1 April 2026 at');
    expect(text).toContain('With a minimum spend of €50');
    expect(text).toContain('Élodie, this offer is for you');
    expect(html).toContain(`<a class="pdf" href="${escaped(URLS.pdfUrl)}"`);
    expect(text).toContain('Print this page');
  });

  it('escapes everything it interpolates', () => {
    const html = couponPage(
      input(
        {
          company: { name: 'Dupré & <Fils>', address: '"12" rue <b>des</b> Lilas' },
          stores: [store('x', '<img src=x onerror=alert(1)>', "1 rue l'<i>Église</i>")],
        },
        {
          firstName: '<script>alert("hi")</script>',
          offer: { ...COUPON.offer, description: { en: '<b>20%</b> & more' } },
        },
      ),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;, this offer is for you');
    expect(html).toContain('&lt;b&gt;20%&lt;/b&gt; &amp; more');
    expect(html).toContain('Dupré &amp; &lt;Fils&gt;');
    expect(html).toContain('&quot;12&quot; rue &lt;b&gt;des&lt;/b&gt; Lilas');
    expect(html).toContain('1 rue l&#39;&lt;i&gt;Église&lt;/i&gt;');
  });

  it('escapes URLs for their context: attributes, and the style sheet for the print beacon', () => {
    const hostile = 'https://x.example/a"b\'c<d>e\\f</style><script>alert(1)</script>';
    const html = couponPage(input({ barcodeUrl: hostile, printBeaconUrl: hostile }));
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('src="https://x.example/a&quot;b&#39;c&lt;d&gt;e\\f&lt;/style&gt;');
    expect(html).toContain(
      '@media print{.beacon{background-image:url("https://x.example/a\\22 b\\27 c\\3c d\\3e e\\5c f\\3c /style\\3e ',
    );
  });

  it('references nothing but the URLs it is given (and map links), with no script', () => {
    const html = couponPage(input());
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|@import|@font-face|javascript:/i);
    const srcs = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(srcs).toEqual([escaped(URLS.barcodeUrl), escaped(URLS.qrUrl)]);
    const hrefs = [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(hrefs[0]).toBe(escaped(URLS.pdfUrl));
    expect(hrefs.slice(1)).toHaveLength(STORES.length);
    for (const href of hrefs.slice(1))
      expect(href).toMatch(/^https:\/\/www\.openstreetmap\.org\/search\?query=/);
    const cssUrls = [...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]);
    expect(cssUrls).toEqual([`"${URLS.printBeaconUrl}"`]);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('prints on A4 with the coupon as an A6 card, hides the toolbar, and fetches the beacon only in print', () => {
    const html = couponPage(input());
    expect(html).toContain('@page{size:A4;margin:12mm}');
    const print = html.slice(html.indexOf('@media print{'));
    expect(print).toMatch(/\.coupon\{width:105mm;height:148mm;/);
    expect(print).toMatch(/\.no-print,\.toolbar\{display:none!important\}/);
    expect(print).toMatch(/\.barcode\{width:60mm;/);
    // The beacon's image is declared in a print-only rule, and nowhere else.
    expect(html).toMatch(/@media print\{\.beacon\{background-image:url\("[^"]+"\)\}\}<\/style>/);
    expect(html.split(URLS.printBeaconUrl)).toHaveLength(2);
    expect(html).toContain('<div class="beacon" aria-hidden="true"></div>');
  });

  it('lists every shop given with its address and opening hours; says "all our shops" when it is', () => {
    const html = couponPage(input());
    const text = textOf(html);
    expect(text).toContain('Valid in all our shops');
    expect(text).toContain('In all our shops, including:');
    expect(text).toContain('Paris 11 – Oberkampf 112 rue Oberkampf 75011 Paris');
    expect(text).toContain('Lyon Presqu’île 24 rue de la République 75011 Lyon');
    expect(text).toContain('Tuesday: 10:00–19:30');
    expect(text).toContain('Saturday: 09:30–13:00, 14:00–20:00');

    const one = textOf(couponPage(input({ stores: [STORES[0] as Store] }, { stores: ['paris-11'] })));
    expect(one).toContain('Valid at Paris 11 – Oberkampf only');
    expect(one).toContain('In this shop only:');
    expect(one).not.toContain('all our shops');

    const two = textOf(couponPage(input({}, { stores: ['paris-11', 'lyon-2'] })));
    expect(two).toContain('Valid in 2 of our shops');
    expect(two).toContain('In these shops:');
    // One of two shops given: still not "this shop only".
    const partial = textOf(
      couponPage(input({ stores: [STORES[0] as Store] }, { stores: ['paris-11', 'lyon-2'] })),
    );
    expect(partial).toContain('In these shops:');
  });

  it('speaks French: dates, amounts, opening hours and typography', () => {
    const html = couponPage(input({ locale: 'fr' }));
    const text = textOf(html);
    expect(html).toContain('<html lang="fr">');
    expect(text).toContain('-20 % sur tout le magasin');
    expect(text).toMatch(/−20\s%/);
    expect(text).toContain('Élodie, cette offre est pour vous');
    expect(text).toContain('Valable jusqu’au 1 avril 2026');
    expect(text).toMatch(/Dès 50\s€ d’achat/);
    expect(text).toContain('Valable dans tous nos magasins');
    expect(text).toContain('Mardi : 10:00–19:30');
    expect(text).toContain('Votre code');
    expect(text).toContain('Imprimez cette page');
    expect(text).toContain('Télécharger le coupon (PDF)');
    expect(text).not.toMatch(/\bValid\b|\bshops\b/);
  });

  it('shows validity in Paris time by default, with the time when the end is not a whole day', () => {
    // Midnight in Paris ends the day before.
    const midnight = couponPageView(input({}, { validUntil: '2026-03-31T22:00:00.000Z' }));
    expect(midnight.validity).toBe('Valid until 31 March 2026');
    const afternoon = couponPageView(input({}, { validUntil: '2026-04-01T12:32:00.000Z' }));
    expect(afternoon.validity).toBe('Valid until 1 April 2026 at 14:32');
    const newYork = couponPageView(
      input({ timeZone: 'America/New_York' }, { validUntil: '2026-04-01T12:32:00.000Z' }),
    );
    expect(newYork.validity).toBe('Valid until 1 April 2026 at 08:32');
    const unknownZone = couponPageView(
      input({ timeZone: 'Mars/Olympus' }, { validUntil: '2026-04-01T12:32:00.000Z' }),
    );
    expect(unknownZone.validity).toBe('Valid until 1 April 2026 at 14:32');
    // A start after the day of issue is said; French wording.
    const later = couponPageView(
      input(
        { locale: 'fr' },
        { validFrom: '2026-03-09T23:00:00.000Z', validUntil: '2026-03-22T22:59:00.000Z' },
      ),
    );
    expect(later.validity).toBe('Valable du 10 mars 2026 au 22 mars 2026');
  });

  it('says what the offer is worth: percent, amount, gift', () => {
    expect(couponPageView(input()).headline).toBe('−20%');
    expect(couponPageView(input({ locale: 'fr' })).headline).toMatch(/^−20[\u00a0\u202f]%$/);
    const amount = { ...COUPON.offer, kind: 'amount' as const, value: 10 };
    expect(couponPageView(input({}, { offer: amount })).headline).toBe('−€10');
    expect(couponPageView(input({ locale: 'fr' }, { offer: amount })).headline).toMatch(
      /^−10[\u00a0\u202f]€$/,
    );
    const cents = { ...amount, value: 7.5, minBasket: 29.9 };
    expect(couponPageView(input({}, { offer: cents })).headline).toBe('−€7.50');
    expect(couponPageView(input({}, { offer: cents })).condition).toBe('With a minimum spend of €29.90');
    const gift = { ...COUPON.offer, kind: 'gift' as const, value: undefined, minBasket: undefined };
    const view = couponPageView(input({}, { offer: gift }));
    expect(view.headline).toBe('Free gift');
    expect(view.condition).toBeUndefined();
    expect(couponPageView(input({}, { firstName: undefined })).greeting).toBe('An offer just for you');
  });

  it('shows no banner on a valid coupon', () => {
    const html = couponPage(input());
    expect(html).not.toContain('class="banner');
    expect(html).not.toContain('class="stamp"');
    expect(html).toContain('<article class="coupon" data-state="valid"');
  });

  it('says when a coupon was already used, and where, rather than hiding it', () => {
    const used = {
      status: 'redeemed' as const,
      redemption: {
        at: '2026-03-10T16:05:00.000Z',
        storeId: 'paris-11',
        receiptRef: 'R-1',
        basketAmount: 80,
        currency: 'EUR',
        channel: 'store' as const,
      },
    };
    const en = couponPage(input({}, used));
    expect(en).toContain('<div class="banner banner-alert" role="alert" data-state="redeemed">');
    expect(textOf(en)).toContain(
      'This coupon has already been used It was used at Paris 11 – Oberkampf on 10 March 2026 at 17:05.',
    );
    expect(en).toContain('<p class="stamp" aria-hidden="true">Used</p>');
    expect(en).toContain('<article class="coupon is-void" data-state="redeemed"');
    // Still the whole coupon: the customer sees which one it was.
    expect(en).toContain('K7M2-Q9XH-4TPR-C');

    const fr = textOf(couponPage(input({ locale: 'fr' }, used)));
    expect(fr).toContain('Ce coupon a déjà été utilisé');
    expect(fr).toContain('Il a été utilisé le 10 mars 2026 à 17:05 au magasin Paris 11 – Oberkampf.');
  });

  it('says when a coupon has expired, was cancelled, or is not valid yet', () => {
    const after = new Date('2026-04-02T08:00:00.000Z');
    const expired = couponPage(input({ now: after }));
    expect(expired).toContain('data-state="expired"');
    expect(textOf(expired)).toContain('This coupon has expired It was valid until 1 April 2026.');
    expect(expired).toContain('>Expired</p>');
    expect(textOf(couponPage(input({ now: after, locale: 'fr' })))).toContain(
      'Ce coupon a expiré Il était valable jusqu’au 1 avril 2026.',
    );

    const voided = couponPage(input({}, { status: 'voided' }));
    expect(textOf(voided)).toContain('This coupon has been cancelled');
    expect(textOf(couponPage(input({ locale: 'fr' }, { status: 'voided' })))).toContain(
      'Ce coupon a été annulé',
    );

    const early = couponPage(input({ now: new Date('2026-03-01T08:00:00.000Z') }));
    expect(early).toContain('<div class="banner banner-info" role="status" data-state="not_yet_valid">');
    expect(textOf(early)).toContain('You can use it from 2 March 2026 at 14:32.');
    expect(early).not.toContain('class="stamp"');
  });

  it('is pure: the same input gives the same page', () => {
    expect(couponPage(input())).toBe(couponPage(input()));
  });
});

describe('couponPdf', () => {
  const images = async () => ({
    barcodePng: await code128Png(COUPON.code),
    qrPng: await qrPng('https://coupons.example/c/tok'),
  });
  const pdfInput = async (over: Partial<CouponPageInput> = {}, coupon: Partial<Coupon> = {}) => {
    const { barcodeUrl: _b, qrUrl: _q, pdfUrl: _p, printBeaconUrl: _x, ...rest } = input(over, coupon);
    return { ...rest, ...(await images()) };
  };

  it('is a one-page A6 portrait PDF with both images', async () => {
    const pdf = await couponPdf(await pdfInput());
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const page = doc.getPage(0);
    expect(page.getWidth()).toBeCloseTo((105 / 25.4) * 72, 1);
    expect(page.getHeight()).toBeCloseTo((148 / 25.4) * 72, 1);
    expect(A6[0]).toBeLessThan(A6[1]);
    // The image streams stay outside the compressed object streams: count their dictionaries.
    expect(
      Buffer.from(pdf)
        .toString('latin1')
        .match(/\/Subtype \/Image/g),
    ).toHaveLength(2);
    expect(doc.getTitle()).toBe('20% off everything in store · Maison Dupré');
    expect(doc.catalog.get(PDFName.of('Lang'))?.toString()).toContain('en-GB');
    expect(pdf.length).toBeLessThan(60_000);
  });

  it('writes accented French, narrow no-break spaces, minus signs and emoji without failing', async () => {
    const pdf = await couponPdf(
      await pdfInput(
        {
          locale: 'fr',
          company: { name: 'Société des Œuvres', address: 'Łódź — 3 rue de l’Église, 75011 Paris' },
        },
        {
          firstName: 'Éloïse 😀',
          offer: {
            ...COUPON.offer,
            description: { fr: 'Jusqu’à −30\u202f% sur les nouveautés été ✂ (hors «\u00a0soldes\u00a0»)' },
          },
          status: 'redeemed',
          redemption: {
            at: '2026-03-10T16:05:00.000Z',
            storeId: 'paris-11',
            receiptRef: 'R-1',
            basketAmount: 80,
            currency: 'EUR',
            channel: 'store',
          },
        },
      ),
    );
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    // Metadata is Unicode: kept as written.
    expect(doc.getTitle()).toBe(
      'Jusqu’à −30\u202f% sur les nouveautés été ✂ (hors «\u00a0soldes\u00a0») · Société des Œuvres',
    );
    expect(doc.catalog.get(PDFName.of('Lang'))?.toString()).toContain('fr-FR');
  });

  it('is deterministic: the same coupon gives the same bytes', async () => {
    const a = await couponPdf(await pdfInput({ locale: 'fr' }, { stores: ['paris-11'] }));
    const b = await couponPdf(await pdfInput({ locale: 'fr' }, { stores: ['paris-11'] }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('pdfText', () => {
  it('keeps what WinAnsi encodes and replaces the rest', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const samples = [
      'Dès 50\u202f€ d’achat',
      '−20\u202f% — «\u00a0été\u00a0» œuvre Ça',
      'Łucja Dvořák Ōsaka 😀 ✂ 李',
      'line\nbreak\ttab',
    ];
    const out = samples.map((s) => pdfText(s, font));
    expect(out).toEqual([
      'Dès 50\u00a0€ d’achat',
      '-20\u00a0% — «\u00a0été\u00a0» œuvre Ça',
      'Lucja Dvorák Osaka ?',
      'line break tab',
    ]);
    // Every output is encodable: measuring it would throw otherwise.
    for (const s of out) expect(font.widthOfTextAtSize(s, 10)).toBeGreaterThan(0);
  });
});
