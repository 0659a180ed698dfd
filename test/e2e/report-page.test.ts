import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../functions/domain/reports/report';
import { reportPage } from '../../functions/ui/pages/report';
import { mixedReport, sampleReport, sendingReport, smsReport } from '../support/sample-report';
import { launchChromium } from './browser';

/**
 * The report page in a real browser (Debian's headless Chromium): it loads
 * from a string with no network at all, draws the funnel to scale, and fits a
 * phone. Nothing else of the app runs.
 */
const SCREENSHOT = '/tmp/relance-report.png';
const TIMEOUT = 60_000;

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
});

/** A page holding the HTML, with every network request recorded and refused. */
async function open(html: string, width: number): Promise<{ page: Page; requests: string[] }> {
  if (!browser) throw new Error('Chromium did not start');
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

const noHorizontalOverflow = (page: Page) =>
  page.locator('html').evaluate((root) => root.scrollWidth <= root.clientWidth);

/**
 * SVG text never wraps, and overflows its SVG without scrolling the page: measure each label of
 * every funnel (the campaign's and the coupons').
 */
const funnelTextOverflow = (page: Page) =>
  page.locator('svg.funnel').evaluateAll((svgs) =>
    svgs.flatMap((svg) => {
      const right = svg.getBoundingClientRect().right + 1;
      return [...svg.querySelectorAll('text')]
        .filter((text) => text.getBoundingClientRect().right > right)
        .map((text) => text.textContent);
    }),
  );

/** Each bar of a funnel: its step, its count and its drawn width. */
const barsOf = (page: Page, funnel: string) =>
  page.locator(`svg[data-funnel="${funnel}"] rect.bar`).evaluateAll((rects) =>
    rects.map((r) => ({
      step: r.getAttribute('data-step'),
      count: Number(r.getAttribute('data-count')),
      width: r.getBoundingClientRect().width,
    })),
  );

/** Bars drawn to scale: each bar's width is its share of the largest count, in order. */
function expectToScale(boxes: Array<{ count: number; width: number }>) {
  const [first] = boxes;
  if (!first) throw new Error('no bar');
  expect(first.width).toBeGreaterThan(500);
  boxes.forEach((b, i) => {
    const next = boxes[i + 1];
    if (next) expect(b.width).toBeGreaterThan(next.width);
    expect(b.width / first.width).toBeCloseTo(b.count / first.count, 2);
  });
}

describe('the campaign report page in Chromium', () => {
  it(
    'loads with no request, draws the funnel to scale and shows the numbers',
    async () => {
      const { page, requests } = await open(reportPage(sampleReport), 1024);
      try {
        expect(await page.locator('script').count()).toBe(0);

        const funnel = page.locator('svg[data-funnel="campaign"]');
        await expect.poll(() => funnel.isVisible()).toBe(true);
        expect(await funnel.getAttribute('role')).toBe('img');
        expect(await funnel.getAttribute('aria-label')).toContain('1,167');

        const boxes = await barsOf(page, 'campaign');
        expect(boxes.map((b) => b.step)).toEqual(['targeted', 'sent', 'delivered', 'opened', 'clicked']);
        expect(boxes.map((b) => b.count)).toEqual([1167, 1147, 1131, 389, 96]);
        expectToScale(boxes);

        // The coupons, from the email to the till: the same kind of funnel, to its own scale.
        const coupons = page.locator('section.coupons');
        await expect.poll(() => coupons.isVisible()).toBe(true);
        expect(await coupons.locator('h2').textContent()).toBe('Coupons: from the email to the till');
        const couponBoxes = await barsOf(page, 'coupons');
        expect(couponBoxes.map((b) => b.step)).toEqual(['issued', 'viewed', 'printed', 'redeemed']);
        expect(couponBoxes.map((b) => b.count)).toEqual([1147, 402, 133, 58]);
        expectToScale(couponBoxes);
        for (const text of ['5.1%', '€3,712.40', '€64.01']) {
          await expect.poll(() => coupons.getByText(text, { exact: true }).isVisible()).toBe(true);
        }
        const stores = await coupons
          .locator('table.stores tbody tr')
          .evaluateAll((rows) =>
            rows.map((r) => [r.getAttribute('data-store'), r.querySelector('td')?.textContent]),
          );
        expect(stores).toEqual([
          ['paris-11', '24'],
          ['paris-15', '15'],
          ['lyon-02', '12'],
          ['lille-centre', '7'],
        ]);
        const email = coupons.locator('table.matrix tr[data-action="email"]');
        expect(await email.locator('[data-response="store"] .pct').textContent()).toBe('4.4%');
        expect(await email.locator('[data-response="web"] .pct').textContent()).toBe('0.6%');
        expect(await email.locator('[data-response="phone"] .pct').textContent()).toBe('0.0%');
        expect(await email.locator('[data-response="clickOnly"] .pct').textContent()).toBe('5.7%');

        for (const text of ['1,167', '1,147', '1,131', '389', '96', '34.4%', '30.0%']) {
          await expect.poll(() => page.getByText(text, { exact: true }).first().isVisible()).toBe(true);
        }
        // People and machines side by side: the 274 machine opens are shown, not dropped.
        await expect
          .poll(() => page.locator('[data-kind="opens"] td.machine').first().textContent())
          .toBe('274');

        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(requests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  it(
    'draws the SMS funnel of a campaign that emails and texts, to its own scale',
    async () => {
      const { page, requests } = await open(reportPage(mixedReport), 1024);
      try {
        const sms = page.locator('section.sms');
        await expect.poll(() => sms.isVisible()).toBe(true);
        expect(await sms.locator('h2').textContent()).toBe('SMS');
        const boxes = await barsOf(page, 'sms');
        expect(boxes.map((b) => b.step)).toEqual(['sent', 'delivered', 'clicked']);
        expect(boxes.map((b) => b.count)).toEqual([398, 371, 87]);
        expectToScale(boxes);
        // The email funnel starts at the emails sent: the SMS are not among them.
        expect((await barsOf(page, 'campaign')).map((b) => b.count)).toEqual([1147, 1131, 389, 96]);
        for (const text of ['796', 'US$55.54']) {
          await expect.poll(() => sms.getByText(text, { exact: true }).isVisible()).toBe(true);
        }
        expect(await sms.locator('table.links tbody tr').count()).toBe(2);
        const row = page.locator('table.matrix tr[data-action="sms"]');
        expect(await row.locator('th').evaluate((th) => th.firstChild?.textContent)).toBe('SMS');
        expect(await row.locator('[data-response="store"] .pct').textContent()).toBe('4.3%');
        await page.screenshot({ path: SCREENSHOT.replace('.png', '-sms.png'), fullPage: true });
        expect(requests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  it(
    'fits a 375 px phone screen with no horizontal scrolling, in both languages and states',
    async () => {
      // The longest labels: big numbers, every kind of unsent message, a long name and URL.
      const worst: CampaignReport = {
        ...sendingReport,
        campaign: { ...sendingReport.campaign, name: 'Relance'.repeat(30) },
        targeted: 1_234_567,
        sent: 1_000_000,
        failed: 12_345,
        skipped: 123_456,
        pending: 98_766,
        links: [
          {
            index: 0,
            url: `https://example.com/${'x'.repeat(400)}`,
            uniqueHuman: 1,
            totalHuman: 1,
            totalMachine: 0,
          },
        ],
        coupons: {
          issued: 1_000_000,
          viewed: 876_543,
          printed: 543_210,
          redeemed: 123_456,
          redemptionRate: 0.123456,
          revenue: 12_345_678.9,
          averageBasket: 12_345_678.9 / 123_456,
          byChannel: { store: 98_765, web: 12_345, phone: 12_346 },
          byStore: [
            { storeId: 'S'.repeat(64), redeemed: 98_765 },
            {
              storeId: 'magasin-de-la-place-de-la-republique-paris-onzieme-arrondissement',
              redeemed: 24_691,
            },
          ],
        },
        actionResponse: [
          {
            action: 'email',
            recipients: 1_000_000,
            store: 0.098765,
            web: 0.012345,
            phone: 0.012346,
            clickOnly: 0.987654,
          },
        ],
        objective: { kpi: 'revenue', target: 15_000_000, actual: 12_345_678.9, met: false },
      };
      const cases = [
        { name: '375', html: reportPage(sampleReport) },
        { name: '375-mixed', html: reportPage(mixedReport) },
        { name: '375-sms-fr', html: reportPage(smsReport, { locale: 'fr' }) },
        { name: '375-fr', html: reportPage(sendingReport, { locale: 'fr' }) },
        { name: 'worst-en', html: reportPage(worst) },
        { name: 'worst-fr', html: reportPage(worst, { locale: 'fr' }) },
      ];
      for (const { name, html } of cases) {
        const { page, requests } = await open(html, 375);
        try {
          expect(await noHorizontalOverflow(page), name).toBe(true);
          expect(await funnelTextOverflow(page), name).toEqual([]);
          const funnels = await page
            .locator('svg.funnel')
            .evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute('data-funnel') ?? ''));
          expect(funnels.length, name).toBeGreaterThanOrEqual(2);
          for (const which of funnels) {
            const funnel = await page.locator(`svg[data-funnel="${which}"]`).boundingBox();
            expect(funnel?.width, `${name} ${which}`).toBeGreaterThan(250);
            expect((funnel?.x ?? 0) + (funnel?.width ?? 0), `${name} ${which}`).toBeLessThanOrEqual(375);
          }
          // Nothing sticks out of its card: the coupon tables and tiles included.
          const outside = await page.locator('section.card').evaluateAll((cards) =>
            cards.flatMap((card) => {
              const right = card.getBoundingClientRect().right + 1;
              return [...card.querySelectorAll('*')]
                .filter((el) => el.getBoundingClientRect().right > right)
                .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
            }),
          );
          expect(outside, name).toEqual([]);
          if (!name.startsWith('worst')) {
            await page.screenshot({ path: SCREENSHOT.replace('.png', `-${name}.png`), fullPage: true });
          }
          expect(requests, name).toEqual([]);
        } finally {
          await page.close();
        }
      }
    },
    TIMEOUT,
  );
});
