import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { launchChromium } from './browser';

/**
 * The report as a marketer opens it: GET /v1/campaigns/{id}/report.html from
 * a running local stack, after a real campaign was sent and clicked, in
 * headless Chromium with the API key sent as a header.
 */
const KEY = 'e2e-marketer-key-000001';
let stack: LocalStack;
let browser: Browser;

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(stack.url + path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
};

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    sesPort: 0,
    dataDir: ':memory:',
    bootstrapKey: KEY,
    env: { TRACK_TOO_SOON_SECONDS: '0' },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('GET /v1/campaigns/{id}/report.html', () => {
  it('shows the funnel of a campaign that was sent, opened and clicked', async () => {
    await api('PUT', '/v1/stores/brest', {
      name: 'Brest Siam',
      address: '20 rue de Siam',
      postcode: '29200',
      city: 'Brest',
      country: 'FR',
    });
    for (let i = 0; i < 4; i++) {
      await api('PUT', '/v1/contacts', {
        email: `e2e${i}@example.fr`,
        homeStoreId: 'brest',
        tags: ['e2e'],
        consent: { email: { status: 'granted', source: 'test', at: '2026-01-01T00:00:00Z' } },
      });
    }
    const campaign = await api('POST', '/v1/campaigns', {
      name: 'Relance <Brest>',
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: ['e2e'] } },
      from: { name: 'Relance', address: 'hello@relance.test' },
      objective: { kpi: 'click_rate', target: 0.2 },
    });
    await api('POST', `/v1/campaigns/${campaign.id}/send`);
    for (let i = 0; i < 100 && (await api('GET', `/v1/campaigns/${campaign.id}`)).status !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const mail = (await api('GET', '/_local/messages')).items.find(
      (m: { to: string }) => m.to === 'e2e0@example.fr',
    );
    const link = /href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[^"]+)"/.exec(mail.html)?.[1] as string;
    const pixel = /src="(http:\/\/127\.0\.0\.1:\d+\/t\/o\/[^"]+)"/.exec(mail.html)?.[1] as string;
    const ua = { 'user-agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15' };
    await fetch(pixel, { headers: ua });
    expect((await fetch(link, { redirect: 'manual', headers: ua })).status).toBe(302);

    await stack.queues.engagement?.idle();
    const page = await browser.newPage({ extraHTTPHeaders: { authorization: `Bearer ${KEY}` } });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const res = await page.goto(`${stack.url}/v1/campaigns/${campaign.id}/report.html?lang=en`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toContain('Relance <Brest>');
    const svg = page.locator('svg[role="img"]').first();
    await expect.poll(() => svg.isVisible()).toBe(true);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Targeted\s+4/);
    expect(text).toMatch(/Clicked \(people\)\s+1/);
    expect(text).toContain('openstreetmap.org');
    expect(requested).toEqual([`${stack.url}/v1/campaigns/${campaign.id}/report.html?lang=en`]);
    await page.screenshot({ path: '/tmp/relance-report-live.png', fullPage: true });
    await page.close();
  });
});
