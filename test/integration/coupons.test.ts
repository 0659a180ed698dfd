import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

let s: TestStack;
let parisKey: string;
let lyonKey: string;
const codes: Record<string, string> = {};

const offer = {
  kind: 'percent',
  value: 20,
  currency: 'EUR',
  minBasket: 30,
  validDays: 30,
  stores: ['paris'],
  description: { fr: '-20 % sur tout le magasin', en: '20% off everything' },
};

beforeAll(async () => {
  s = await startTestStack({ env: { COUPON_LOOKUP_LIMIT_PER_MINUTE: '20' } });
  await s.call('PUT', '/v1/stores/paris', { json: sampleStore({ name: 'Paris' }) });
  await s.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Lyon', city: 'Lyon' }) });
  parisKey = (await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris' } })).body.key;
  lyonKey = (await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'lyon' } })).body.key;
  for (const who of ['ana', 'ben', 'cy', 'dee']) {
    await s.call('PUT', '/v1/contacts', {
      json: {
        email: `${who}@example.fr`,
        firstName: who[0]?.toUpperCase() + who.slice(1),
        homeStoreId: 'paris',
        tags: ['coupon'],
        consent: { email: consent() },
      },
    });
  }
  const c = await s.call('POST', '/v1/campaigns', {
    json: {
      name: 'Relance coupon',
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: ['coupon'] } },
      from: { name: 'Relance', address: 'hello@relance.test' },
      offer,
      objective: { kpi: 'redemption_rate', target: 0.25 },
    },
  });
  expect(c.status).toBe(201);
  await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
  await waitForCampaign(s, c.body.id);
  codes.campaign = c.body.id;
  for (const who of ['ana', 'ben', 'cy', 'dee']) {
    const [m] = await mailTo(s, `${who}@example.fr`);
    codes[who] = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(m?.text ?? '')?.[1] as string;
  }
});
afterAll(() => s?.stop());

const till = (key: string, method: string, path: string, json?: unknown) =>
  s.call(method, path, { key, ...(json ? { json } : {}) });
const redeem = (key: string, code: string, receiptRef: string, basketAmount = 50) =>
  till(key, 'POST', `/v1/coupons/${code}/redeem`, {
    receiptRef,
    basketAmount,
    currency: 'EUR',
    channel: 'store',
  });

describe('coupons in messages', () => {
  it('gives every recipient a unique code with its barcode, QR and printable page', async () => {
    const all = ['ana', 'ben', 'cy', 'dee'].map((w) => codes[w]);
    expect(all.every((c) => /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/.test(c ?? ''))).toBe(true);
    expect(new Set(all).size).toBe(4);
    const [m] = await mailTo(s, 'ana@example.fr');
    const print = /href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[^"]+)"/g;
    expect(m?.html).toContain(codes.ana);
    expect(m?.html).toMatch(/\/c\/k1\.[\w-]+\.[\w-]+\/barcode\.png/);
    expect([...(m?.html ?? '').matchAll(print)].length).toBeGreaterThan(0);
    const printUrl = /src="(http:\/\/127\.0\.0\.1:\d+\/c\/[^"/]+)\/qr\.png"/.exec(
      m?.html ?? '',
    )?.[1] as string;
    const page = await fetch(printUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(codes.ana);
    const pdf = await fetch(`${printUrl}?format=pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('%PDF');
    const png = await fetch(`${printUrl}/barcode.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${printUrl.slice(0, -4)}AAAA`)).status).toBe(404);
  });
});

describe('the till', () => {
  it('validates a code typed without dashes in lower case, for its own store', async () => {
    const res = await till(parisKey, 'GET', `/v1/coupons/${codes.ana?.replace(/-/g, '').toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      code: codes.ana,
      firstName: 'Ana',
      offer: { kind: 'percent', value: 20, minBasket: 30 },
    });
    const elsewhere = await till(lyonKey, 'GET', `/v1/coupons/${codes.ana}`);
    expect(elsewhere.body).toMatchObject({ valid: false, reason: 'wrong_store' });
    const unknown = await till(parisKey, 'GET', '/v1/coupons/AAAA-AAAA-AAAA-A');
    expect(unknown.body).toMatchObject({ valid: false, reason: 'unknown' });
  });

  it('redeems exactly once, answers a retry of the same receipt, and says when and where otherwise', async () => {
    const first = await redeem(parisKey, codes.ben as string, 'T-100');
    expect(first.status).toBe(200);
    expect(first.body.redemption).toMatchObject({ storeId: 'paris', receiptRef: 'T-100', basketAmount: 50 });
    expect((await redeem(parisKey, codes.ben as string, 'T-100')).status).toBe(200);
    const other = await redeem(parisKey, codes.ben as string, 'T-101');
    expect(other.status).toBe(409);
    expect(other.body.redemption).toMatchObject({ storeId: 'paris', receiptRef: 'T-100' });
    expect((await till(parisKey, 'GET', `/v1/coupons/${codes.ben}`)).body).toMatchObject({
      valid: false,
      reason: 'already_redeemed',
    });
  });

  it('refuses a basket under the minimum (422), another store (422), and marketer routes to a store key (403)', async () => {
    const small = await redeem(parisKey, codes.cy as string, 'T-200', 10);
    expect(small.status).toBe(422);
    expect(small.body.error).toBe('min_basket');
    const lyon = await redeem(lyonKey, codes.cy as string, 'T-201');
    expect(lyon.status).toBe(422);
    expect(lyon.body.message).toContain('wrong_store');
    expect((await s.call('GET', '/v1/campaigns', { key: parisKey })).status).toBe(403);
    expect((await s.call('GET', `/v1/coupons/${codes.cy}`)).status).toBe(403);
  });

  it('undoes a redemption within the window, only for the store and receipt that made it', async () => {
    expect((await redeem(parisKey, codes.cy as string, 'T-300')).status).toBe(200);
    expect(
      (await till(lyonKey, 'POST', `/v1/coupons/${codes.cy}/void`, { receiptRef: 'T-300' })).status,
    ).toBe(409);
    expect(
      (await till(parisKey, 'POST', `/v1/coupons/${codes.cy}/void`, { receiptRef: 'T-999' })).status,
    ).toBe(409);
    const undone = await till(parisKey, 'POST', `/v1/coupons/${codes.cy}/void`, { receiptRef: 'T-300' });
    expect(undone.body).toMatchObject({ status: 'issued' });
    expect((await till(parisKey, 'GET', `/v1/coupons/${codes.cy}`)).body.valid).toBe(true);
  });

  it('lets exactly one of 100 concurrent redemptions from different tills win', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        till(parisKey, 'POST', `/v1/coupons/${codes.dee}/redeem`, {
          receiptRef: `R-${i}`,
          basketAmount: 40,
          currency: 'EUR',
          tillId: `till-${i}`,
          channel: 'store',
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(99);
    const winner = ok[0]?.body.redemption;
    const stored = (await till(parisKey, 'GET', `/v1/coupons/${codes.dee}`)).body.redemption;
    expect(stored).toMatchObject({ receiptRef: winner.receiptRef, tillId: winner.tillId });
  });

  it('records redemptions as store purchases and in the campaign report', async () => {
    await s.queues.coupons?.idle();
    const ben = (await s.call('GET', '/v1/contacts?email=ben%40example.fr')).body;
    expect(ben.purchases.store).toBe(1);
    await s.queues.engagement?.idle();
    const r = (await s.call('GET', `/v1/campaigns/${codes.campaign}/report`)).body;
    expect(r.coupons).toMatchObject({ issued: 4, redeemed: 2, revenue: 90 });
    expect(r.coupons.byStore).toEqual([{ storeId: 'paris', redeemed: 2 }]);
    expect(r.objective).toMatchObject({ kpi: 'redemption_rate', target: 0.25, actual: 0.5, met: true });
  });

  it('makes a store wait after too many unknown codes (429 with Retry-After)', async () => {
    let last = 200;
    let retryAfter: string | null = null;
    for (let i = 0; i < 25 && last !== 429; i++) {
      const res = await till(lyonKey, 'GET', `/v1/coupons/ZZZZ-ZZZZ-ZZZZ-${i % 10}`);
      last = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Made to wait, the store cannot go on guessing through the redeem endpoint either.
    const viaRedeem = await redeem(lyonKey, 'ZZZZ-ZZZZ-ZZZZ-Z', 'T-guess');
    expect(viaRedeem.status).toBe(429);
  });
});
