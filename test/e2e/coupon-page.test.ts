import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code128Png, qrPng } from '../../functions/adapters/barcodes';
import type { Coupon } from '../../functions/domain/coupons/coupon';
import type { Store } from '../../functions/domain/stores/store';
import { type CouponPageInput, couponPage } from '../../functions/ui/pages/coupon';
import { couponPdf } from '../../functions/ui/pdf/coupon';
import { launchChromium } from './browser';

/**
 * The printable coupon in a real browser (Debian's headless Chromium), served by a tiny local
 * server as the app would serve it: the page at /c/x, its barcode and QR images drawn by the
 * barcodes adapter, the PDF, and the print beacon, whose hits are counted.
 */
const SCREENSHOT = '/tmp/relance-coupon.png';
const PRINT_SCREENSHOT = '/tmp/relance-coupon-print.png';
const TIMEOUT = 60_000;
/** CSS pixels per millimetre (96 dpi). */
const PX_PER_MM = 96 / 25.4;

const store = (id: string, name: string, address: string, city: string, postcode: string): Store => ({
  id,
  name,
  address,
  postcode,
  city,
  country: 'FR',
  openingHours: {
    mon: ['10:00-19:30'],
    tue: ['10:00-19:30'],
    wed: ['10:00-19:30'],
    thu: ['10:00-19:30'],
    fri: ['10:00-20:00'],
    sat: ['09:30-13:00', '14:00-20:00'],
  },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const STORES = [
  store('paris-11', 'Paris 11 – Oberkampf', '112 rue Oberkampf', 'Paris', '75011'),
  store('paris-3', 'Paris 3 – Marais', '8 rue de Bretagne', 'Paris', '75003'),
  store('lyon-2', 'Lyon Presqu’île', '24 rue de la République', 'Lyon', '69002'),
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
    description: {
      fr: '-20 % sur tout le magasin, y compris les nouveautés de la collection printemps-été, hors promotions en cours et cartes cadeaux',
      en: '20% off everything in store',
    },
  },
  validFrom: '2026-03-02T13:32:00.000Z',
  validUntil: '2026-04-01T13:32:00.000Z',
  stores: 'all',
  firstName: 'Élodie',
  issuedAt: '2026-03-02T13:32:00.000Z',
  history: [{ action: 'issued', at: '2026-03-02T13:32:00.000Z' }],
};

const NOW = new Date('2026-03-05T10:00:00.000Z');
const COMPANY = { name: 'Maison Dupré', address: 'Maison Dupré SAS, 12 rue des Lilas, 75011 Paris, France' };
const URLS = {
  barcodeUrl: '/c/x/barcode.png?v=1',
  qrUrl: '/c/x/qr.png',
  pdfUrl: '/c/x.pdf',
  printBeaconUrl: '/c/x/printed.gif?v=1',
};
const QR_TEXT = 'http://127.0.0.1/c/x';
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

let browser: Browser | undefined;
let server: Server | undefined;
let origin = '';
/** The page each test serves at /c/x. */
let current: CouponPageInput;
/** Every path the server was asked for, in order. */
const hits: string[] = [];

const pageInput = (over: Partial<CouponPageInput> = {}, coupon: Partial<Coupon> = {}): CouponPageInput => ({
  coupon: { ...COUPON, ...coupon },
  stores: STORES,
  locale: 'fr',
  company: COMPANY,
  ...URLS,
  now: NOW,
  ...over,
});

beforeAll(async () => {
  current = pageInput();
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.push(path);
    const send = (type: string, body: string | Uint8Array) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const route = async () => {
      if (path === '/c/x') return send('text/html; charset=utf-8', couponPage(current));
      if (path === URLS.barcodeUrl) return send('image/png', await code128Png(current.coupon.code));
      if (path === URLS.qrUrl) return send('image/png', await qrPng(QR_TEXT));
      if (path === URLS.printBeaconUrl) return send('image/gif', GIF);
      if (path === URLS.pdfUrl) {
        const { barcodeUrl: _b, qrUrl: _q, pdfUrl: _p, printBeaconUrl: _x, ...rest } = current;
        const pdf = await couponPdf({
          ...rest,
          barcodePng: await code128Png(current.coupon.code),
          qrPng: await qrPng(QR_TEXT),
        });
        return send('application/pdf', pdf);
      }
      res.writeHead(404).end();
    };
    route().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Opens /c/x; every request the page makes is recorded, and any to another origin refused. */
async function open(width: number, height = 900): Promise<{ page: Page; requests: string[] }> {
  if (!browser) throw new Error('Chromium did not start');
  const page = await browser.newPage({ viewport: { width, height } });
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(origin) ? route.continue() : route.abort();
  });
  hits.length = 0;
  await page.goto(`${origin}/c/x`, { waitUntil: 'load' });
  return { page, requests };
}

/** The bits of an HTMLImageElement read here (the project's type check has no DOM library). */
type Img = {
  className: string;
  complete: boolean;
  naturalWidth: number;
  getBoundingClientRect(): { width: number };
};

const imageSizes = (page: Page) =>
  page.locator('img').evaluateAll((imgs) =>
    (imgs as unknown as Img[]).map((img) => ({
      cls: img.className,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      width: img.getBoundingClientRect().width,
    })),
  );

const noHorizontalOverflow = (page: Page) =>
  page.locator('html').evaluate((root) => root.scrollWidth <= root.clientWidth);

describe('the printable coupon in Chromium', () => {
  it(
    'shows the code and both images on screen, and asks for nothing else',
    async () => {
      current = pageInput();
      const { page, requests } = await open(1024);
      try {
        expect(await page.locator('script').count()).toBe(0);
        await expect.poll(() => page.getByText('K7M2-Q9XH-4TPR-C', { exact: true }).isVisible()).toBe(true);
        await expect.poll(() => page.getByText('Élodie, cette offre est pour vous').isVisible()).toBe(true);

        await expect
          .poll(async () => (await imageSizes(page)).every((i) => i.complete && i.naturalWidth > 0))
          .toBe(true);
        const [barcode, qr] = await imageSizes(page);
        expect(barcode?.cls).toBe('barcode');
        expect(barcode?.naturalWidth).toBe(792);
        expect(qr?.cls).toBe('qr');
        expect(qr?.naturalWidth).toBeGreaterThan(0);

        // The toolbar and the PDF link are there on screen.
        const pdf = page.getByRole('link', { name: 'Télécharger le coupon (PDF)' });
        expect(await pdf.isVisible()).toBe(true);
        const response = await page.request.get(`${origin}${URLS.pdfUrl}`);
        expect(response.headers()['content-type']).toBe('application/pdf');
        expect((await response.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

        // Only our own origin, and never the print beacon while the page is only looked at.
        expect(requests.every((url) => url.startsWith(origin))).toBe(true);
        expect(hits).not.toContain(URLS.printBeaconUrl);
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  it(
    'prints the coupon as an A6 card, hides the toolbar, and only then fetches the print beacon',
    async () => {
      current = pageInput();
      const { page } = await open(794, 1123);
      try {
        await expect
          .poll(async () => (await imageSizes(page)).every((i) => i.complete && i.naturalWidth > 0))
          .toBe(true);
        expect(hits).not.toContain(URLS.printBeaconUrl);

        await page.emulateMedia({ media: 'print' });
        await expect.poll(() => hits.includes(URLS.printBeaconUrl)).toBe(true);

        expect(await page.locator('.toolbar').isVisible()).toBe(false);
        expect(await page.locator('.map').first().isVisible()).toBe(false);
        await expect.poll(() => page.getByText('K7M2-Q9XH-4TPR-C', { exact: true }).isVisible()).toBe(true);

        const card = await page.locator('article.coupon').evaluate((el) => {
          const box = el.getBoundingClientRect();
          return { width: box.width, height: box.height, overflow: el.scrollHeight - el.clientHeight };
        });
        expect(card.width / PX_PER_MM).toBeCloseTo(105, 0);
        expect(card.height / PX_PER_MM).toBeCloseTo(148, 0);
        // Everything fits in the card, even with a long French offer.
        expect(card.overflow).toBeLessThanOrEqual(1);
        const inside = await page.locator('article.coupon').evaluate((el) => {
          const box = el.getBoundingClientRect();
          return [...el.querySelectorAll('img, .code, .validity, .offer')].every((child) => {
            const b = child.getBoundingClientRect();
            return (
              b.top >= box.top && b.bottom <= box.bottom + 0.5 && b.left >= box.left && b.right <= box.right
            );
          });
        });
        expect(inside).toBe(true);
        const barcodeWidth = await page
          .locator('img.barcode')
          .evaluate((img) => img.getBoundingClientRect().width);
        expect(barcodeWidth / PX_PER_MM).toBeCloseTo(60, 0);

        await page.screenshot({ path: PRINT_SCREENSHOT, fullPage: true });
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  it(
    'fits a phone, with the whole code on screen',
    async () => {
      current = pageInput({ locale: 'en' });
      const { page } = await open(360, 740);
      try {
        expect(await noHorizontalOverflow(page)).toBe(true);
        const code = page.getByText('K7M2-Q9XH-4TPR-C', { exact: true });
        const box = await code.boundingBox();
        expect(box).not.toBeNull();
        if (box) {
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(360);
        }
        const scrolls = await code.evaluate((el) => el.scrollWidth > el.clientWidth);
        expect(scrolls).toBe(false);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  it(
    'still shows a used coupon, under a banner saying when and where it was used',
    async () => {
      current = pageInput(
        { locale: 'en' },
        {
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
      );
      const { page } = await open(1024);
      try {
        const banner = page.getByRole('alert');
        await expect.poll(() => banner.isVisible()).toBe(true);
        expect(await banner.textContent()).toContain('This coupon has already been used');
        expect(await banner.textContent()).toContain('Paris 11 – Oberkampf on 10 March 2026 at 17:05');
        expect(await page.locator('.stamp').isVisible()).toBe(true);
        expect(await page.getByText('K7M2-Q9XH-4TPR-C', { exact: true }).isVisible()).toBe(true);
        await page.emulateMedia({ media: 'print' });
        expect(await banner.isVisible()).toBe(true);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );
});
