import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportPage } from '../../functions/domain/report-page';
import { sampleReport, sendingReport } from './sample-report';

/**
 * The report page in a real browser (Debian's headless Chromium): it loads
 * from a string with no network at all, draws the funnel to scale, and fits a
 * phone. Nothing else of the app runs.
 */
const CHROMIUM = process.env.RELANCE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = '/tmp/relance-report.png';
const TIMEOUT = 60_000;

let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium, as .ci/run does) ` +
        'or set RELANCE_CHROMIUM to a Chromium executable.',
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
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

/** SVG text never wraps, and overflows its SVG without scrolling the page: measure each label. */
const funnelTextOverflow = (page: Page) =>
  page.locator('svg.funnel').evaluate((svg) => {
    const right = svg.getBoundingClientRect().right + 1;
    return [...svg.querySelectorAll('text')]
      .filter((text) => text.getBoundingClientRect().right > right)
      .map((text) => text.textContent);
  });

describe('the campaign report page in Chromium', () => {
  it(
    'loads with no request, draws the funnel to scale and shows the numbers',
    async () => {
      const { page, requests } = await open(reportPage(sampleReport), 1024);
      try {
        expect(await page.locator('script').count()).toBe(0);

        const funnel = page.locator('svg.funnel');
        await expect.poll(() => funnel.isVisible()).toBe(true);
        expect(await funnel.getAttribute('role')).toBe('img');
        expect(await funnel.getAttribute('aria-label')).toContain('1,167');

        const bars = funnel.locator('rect.bar');
        expect(await bars.count()).toBe(5);
        const boxes = await bars.evaluateAll((rects) =>
          rects.map((r) => ({
            step: r.getAttribute('data-step'),
            count: Number(r.getAttribute('data-count')),
            width: r.getBoundingClientRect().width,
          })),
        );
        expect(boxes.map((b) => b.step)).toEqual(['targeted', 'sent', 'delivered', 'opened', 'clicked']);
        expect(boxes.map((b) => b.count)).toEqual([1167, 1147, 1131, 389, 96]);
        const [first] = boxes;
        if (!first) throw new Error('no bar');
        expect(first.width).toBeGreaterThan(500);
        boxes.forEach((b, i) => {
          const next = boxes[i + 1];
          if (next) expect(b.width).toBeGreaterThan(next.width);
          // Drawn to scale: each bar's width is its share of the largest count.
          expect(b.width / first.width).toBeCloseTo(b.count / first.count, 2);
        });

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
    'fits a 375 px phone screen with no horizontal scrolling, in both languages and states',
    async () => {
      // The longest labels: big numbers, every kind of unsent message, a long name and URL.
      const worst = {
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
      };
      const cases = [
        { name: '375', html: reportPage(sampleReport) },
        { name: '375-fr', html: reportPage(sendingReport, { locale: 'fr' }) },
        { name: 'worst-en', html: reportPage(worst) },
        { name: 'worst-fr', html: reportPage(worst, { locale: 'fr' }) },
      ];
      for (const { name, html } of cases) {
        const { page, requests } = await open(html, 375);
        try {
          expect(await noHorizontalOverflow(page), name).toBe(true);
          expect(await funnelTextOverflow(page), name).toEqual([]);
          const funnel = await page.locator('svg.funnel').boundingBox();
          expect(funnel?.width).toBeGreaterThan(250);
          expect((funnel?.x ?? 0) + (funnel?.width ?? 0)).toBeLessThanOrEqual(375);
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
