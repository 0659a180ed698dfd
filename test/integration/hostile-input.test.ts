import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './helpers';

/**
 * Input an attacker sends on purpose: overlong ids, forged cursors, broken percent-encoding. Every
 * answer is a 4xx with the usual error body — never a 500, never a 200 that pretends.
 */
let st: TestStack;
beforeAll(async () => {
  st = await startTestStack();
});
afterAll(async () => {
  await st?.stop();
});

const LONG = 'a'.repeat(2100);
const short = (p: string) => p.replace(LONG, 'a…(2,100)');

async function expectClientError(method: string, path: string, key?: string) {
  const res = await st.call(method, path, key ? { key } : {});
  const what = `${method} ${short(path)} → ${res.status}`;
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  expect(res.body, what).toMatchObject({ error: expect.any(String) });
  return res;
}

describe('hostile input on the API', () => {
  it.each(
    [
      ['GET', `/v1/contacts/${LONG}`],
      ['DELETE', `/v1/contacts/${LONG}`],
      ['GET', `/v1/campaigns/${LONG}`],
      ['POST', `/v1/campaigns/${LONG}/send`],
      ['GET', `/v1/campaigns/${LONG}/report`],
      ['GET', `/v1/campaigns/${LONG}/report.csv`],
      ['DELETE', `/v1/webhooks/${LONG}`],
      ['GET', `/v1/webhooks/${LONG}/deliveries`],
      ['GET', `/v1/webhooks/${LONG}/deliveries?cursor=zzzz`],
      ['GET', `/v1/automations/${LONG}`],
      ['GET', `/v1/imports/${LONG}`],
      ['GET', `/v1/imports/${LONG}/rejected.csv`],
    ].map(([method, path]) => [method, short(path as string), path]),
  )('%s %s is a 4xx', async (method, _name, path) => {
    const res = await expectClientError(method as string, path as string);
    expect([400, 404]).toContain(res.status);
  });

  it.each([
    ['GET', `/v1/coupons/${LONG}`],
    ['POST', `/v1/coupons/${LONG}/redeem`],
  ])('%s a coupon code of 2,100 characters at the till is a 4xx', async (method, path) => {
    await st.call('PUT', '/v1/stores/paris', {
      json: { name: 'Paris', address: '1 rue X', postcode: '75001', city: 'Paris', country: 'FR' },
    });
    const till = await st.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris' } });
    const res = await expectClientError(method, path, till.body.key);
    expect([400, 404]).toContain(res.status);
  });

  it.each([
    '/v1/campaigns?cursor=eyJhIjoxfQ',
    '/v1/campaigns?cursor=zzzz',
    `/v1/campaigns?cursor=${Buffer.from(JSON.stringify({ pk: 'CONTACT#x', sk: 'CONTACT' })).toString('base64url')}`,
    '/v1/contacts?cursor=eyJhIjoxfQ',
    '/v1/imports?cursor=zzzz',
  ])('a forged cursor is a 400 naming it: %s', async (path) => {
    const res = await expectClientError('GET', path);
    if (res.status === 400) expect(JSON.stringify(res.body)).toContain('cursor');
  });

  it('answers a forged report.csv cursor with a 400, not an empty 200', async () => {
    const created = await st.call('POST', '/v1/campaigns', {
      json: {
        name: 'x',
        template: 'winback',
        channel: 'email',
        from: { name: 'Relance', address: 'shop@relance.test' },
        segment: {},
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    for (const cursor of ['zzzz', 'eyJhIjoxfQ', Buffer.from('CONTACT#c_1').toString('base64url')]) {
      const res = await st.call('GET', `/v1/campaigns/${id}/report.csv?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body.issues?.[0]?.path).toBe('query.cursor');
    }
  });

  it.each([
    ['GET', '/v1/contacts/%ZZ'],
    ['GET', '/v1/contacts/%E0%A4%A'],
    ['GET', '/u/%E0%A4%A'],
    ['GET', '/v/%E0%A4%A'],
    ['GET', '/c/%E0%A4%A'],
    ['GET', '/s/%E0%A4%A'],
    ['GET', '/optin/%ZZ'],
    ['GET', '/t/c/%ZZ'],
  ])('malformed percent-encoding is a 4xx: %s %s', async (method, path) => {
    const res = await fetch(`${st.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${st.key}` },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
