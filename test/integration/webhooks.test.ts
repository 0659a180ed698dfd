import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../functions/domain/webhooks/webhook';
import { mailTo, sampleStore, startTestStack, type TestStack, waitFor, waitForCampaign } from './helpers';

let s: TestStack;
const HUMAN_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert the body field by field
  body: any;
  at: number;
}

/** A webhook receiver on this machine: records every request and answers with `status(n)` for the n-th (from 1). */
async function receiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw), at: Date.now() });
      res.writeHead(status(received.length), { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Receiver = Awaited<ReturnType<typeof receiver>>;
const receivers: Receiver[] = [];
const webhookIds: string[] = [];

async function register(r: Receiver, events: string[]) {
  const res = await s.call('POST', '/v1/webhooks', { json: { url: r.url, events, description: 'test' } });
  expect(res.status).toBe(201);
  webhookIds.push(res.body.id);
  return res.body as { id: string; secret: string; url: string; events: string[] };
}

let n = 0;
/** Imports contacts with email consent under a fresh tag, sends them a campaign and waits for it. */
async function campaignTo(emails: string[], extra: Record<string, unknown> = {}) {
  const tag = `wh${++n}`;
  const csv = ['email,tags,email_consent', ...emails.map((e) => `${e},${tag},granted`)].join('\n');
  const imported = await s.call('POST', '/v1/contacts/import', { body: csv, type: 'text/csv' });
  expect(imported.body.rejected).toEqual([]);
  const c = await s.call('POST', '/v1/campaigns', {
    json: {
      name: `Webhooks ${tag}`,
      channel: 'email',
      template: 'winback',
      segment: { tags: { any: [tag] } },
      from: { name: 'Relance', address: 'hello@relance.test' },
      ...extra,
    },
  });
  expect(c.status).toBe(201);
  await s.call('POST', `/v1/campaigns/${c.body.id}/send`);
  await waitForCampaign(s, c.body.id);
  return c.body.id as string;
}

const of = (r: Receiver, campaignId: string, type?: string) =>
  r.received.filter((x) => x.body.campaignId === campaignId && (!type || x.body.type === type));

/** Waits until the receiver got `count` requests for the campaign. */
const got = (r: Receiver, campaignId: string, count: number, type?: string) =>
  waitFor(
    async () => (of(r, campaignId, type).length >= count ? of(r, campaignId, type) : undefined),
    20_000,
    `${count} webhook requests`,
  );

/** Lets every queued delivery (and retry) run out. */
async function settled() {
  await s.queues.engagement?.idle();
  await s.queues.coupons?.idle();
  await s.queues.webhooks?.idle();
  await new Promise((r) => setTimeout(r, 150));
  await s.queues.webhooks?.idle();
}

const deliveries = async (id: string) => {
  const res = await s.call('GET', `/v1/webhooks/${id}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.items as Record<string, unknown>[];
};

const simulateDelivery = (campaignId: string, email: string) =>
  s.call('POST', '/_local/ses-events', { key: null, json: { type: 'delivery', campaignId, email } });

beforeAll(async () => {
  // Retries at once (four attempts in all), and clicks counted as a person's right after sending.
  s = await startTestStack({ env: { WEBHOOK_BACKOFF_SECONDS: '0,0,0', TRACK_TOO_SOON_SECONDS: '0' } });
});
afterAll(async () => {
  await s?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

/** Each test starts with no endpoint registered: every endpoint sees every event of its types. */
async function fresh(status?: (n: number) => number) {
  for (const id of webhookIds.splice(0)) await s.call('DELETE', `/v1/webhooks/${id}`);
  await settled();
  const r = await receiver(status);
  receivers.push(r);
  return r;
}

describe('webhooks', () => {
  it('delivers signed "sent" events that verify with the secret returned at registration', async () => {
    const r = await fresh();
    const hook = await register(r, ['sent']);
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await s.call('GET', '/v1/webhooks');
    expect(listed.body.items).toEqual([
      { id: hook.id, url: r.url, events: ['sent'], description: 'test', createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);

    const campaignId = await campaignTo(['sent-1@example.fr', 'sent-2@example.fr']);
    const requests = await got(r, campaignId, 2);
    for (const req of requests) {
      expect(verifySignature(hook.secret, req.headers['relance-signature'] as string, req.raw)).toBe(true);
      expect(verifySignature('whsec_wrong', req.headers['relance-signature'] as string, req.raw)).toBe(false);
      expect(req.headers['relance-event']).toBe('sent');
      expect(req.headers['relance-delivery']).toMatch(/^whd_[0-9a-f]{32}$/);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.body).toMatchObject({ type: 'sent', campaignId, channel: 'email' });
      expect(req.body.id).toMatch(/^evt_/);
      expect(req.body.contactId).toMatch(/\w/);
      expect(Date.parse(req.body.at)).not.toBeNaN();
    }
    expect(new Set(requests.map((q) => q.body.contactId)).size).toBe(2);
    await settled();
    expect(of(r, campaignId)).toHaveLength(2);
    const log = await deliveries(hook.id);
    expect(log).toHaveLength(2);
    for (const d of log) {
      expect(d).toMatchObject({
        type: 'sent',
        campaignId,
        status: 'delivered',
        attempts: 1,
        lastStatus: 200,
      });
      expect(requests.map((q) => q.headers['relance-delivery'])).toContain(d.id);
    }
  });

  it('retries a failing receiver and stops after its first success', async () => {
    const r = await fresh((i) => (i <= 2 ? 500 : 200));
    const hook = await register(r, ['delivered']);
    const campaignId = await campaignTo(['retry@example.fr']);
    expect((await simulateDelivery(campaignId, 'retry@example.fr')).status).toBe(202);
    await got(r, campaignId, 3);
    await settled();
    const requests = of(r, campaignId);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((q) => q.headers['relance-delivery'])).size).toBe(1);
    expect(new Set(requests.map((q) => q.body.id)).size).toBe(1);
    expect(
      requests.every((q) => verifySignature(hook.secret, q.headers['relance-signature'] as string, q.raw)),
    ).toBe(true);
    const [d, ...rest] = await deliveries(hook.id);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      type: 'delivered',
      campaignId,
      status: 'delivered',
      attempts: 3,
      lastStatus: 200,
    });
    expect(d?.deliveredAt).toEqual(expect.any(String));
    expect(d?.lastError).toBeUndefined();
    // A delivery receipt that comes twice is one event: nothing more is sent.
    await simulateDelivery(campaignId, 'retry@example.fr');
    await settled();
    expect(of(r, campaignId)).toHaveLength(3);
  });

  it('fails a delivery after the last attempt, and logs why', async () => {
    const r = await fresh(() => 503);
    const hook = await register(r, ['delivered']);
    const campaignId = await campaignTo(['fail@example.fr']);
    await simulateDelivery(campaignId, 'fail@example.fr');
    await got(r, campaignId, 4);
    await waitFor(async () => ((await deliveries(hook.id))[0]?.status === 'failed' ? true : undefined));
    await settled();
    expect(of(r, campaignId)).toHaveLength(4);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 503, lastError: 'HTTP 503' });
    expect(d?.failedAt).toEqual(expect.any(String));
  });

  it('tells when a contact unsubscribes, once', async () => {
    const r = await fresh();
    const hook = await register(r, ['unsubscribed']);
    const campaignId = await campaignTo(['leaving@example.fr']);
    const [m] = await mailTo(s, 'leaving@example.fr');
    const link = /href="(http:\/\/127\.0\.0\.1:\d+\/u\/[^"]+)"/.exec(m?.html ?? '')?.[1] as string;
    expect(link).toBeDefined();
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const [req] = await got(r, campaignId, 1);
    const contactId = (await s.call('GET', '/v1/contacts?email=leaving@example.fr')).body.id;
    expect(req?.body).toMatchObject({ type: 'unsubscribed', campaignId, contactId, channel: 'email' });
    expect(verifySignature(hook.secret, req?.headers['relance-signature'] as string, req?.raw ?? '')).toBe(
      true,
    );
    await fetch(link, { method: 'POST' });
    await settled();
    expect(of(r, campaignId)).toHaveLength(1);
  });

  it('tells the first human open and click, and a redemption with its store and basket', async () => {
    const r = await fresh();
    await register(r, ['opened', 'clicked', 'redeemed']);
    await s.call('PUT', '/v1/stores/paris', { json: sampleStore({ name: 'Paris' }) });
    const till = (await s.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'paris' } })).body.key;
    const campaignId = await campaignTo(['engaged@example.fr'], {
      offer: { kind: 'percent', value: 10, validDays: 30, stores: 'all', description: { fr: '-10 %' } },
    });
    const [m] = await mailTo(s, 'engaged@example.fr');
    const html = m?.html ?? '';
    const open = /src="(http:\/\/127\.0\.0\.1:\d+\/t\/o\/[^"]+)"/.exec(html)?.[1] as string;
    const click = /href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[^"]+)"/.exec(html)?.[1] as string;
    for (const url of [open, open, click, click])
      await fetch(url, { redirect: 'manual', headers: { 'user-agent': HUMAN_UA } });
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(m?.text ?? '')?.[1] as string;
    const redeemed = await s.call('POST', `/v1/coupons/${code}/redeem`, {
      key: till,
      json: { receiptRef: 'R-1', basketAmount: 42.5, currency: 'EUR', channel: 'store' },
    });
    expect(redeemed.status).toBe(200);
    await got(r, campaignId, 3);
    await settled();
    const byType = Object.fromEntries(of(r, campaignId).map((q) => [q.body.type, q.body]));
    expect(of(r, campaignId)).toHaveLength(3);
    expect(byType.opened).toMatchObject({ channel: 'email' });
    expect(byType.clicked).toMatchObject({ channel: 'email', data: { link: expect.any(Number) } });
    expect(byType.redeemed).toMatchObject({
      channel: 'email',
      data: { storeId: 'paris', basketAmount: 42.5, currency: 'EUR', channel: 'store' },
    });
  });

  it('stops deliveries once the endpoint is deleted', async () => {
    const r = await fresh();
    const hook = await register(r, ['sent', 'delivered']);
    expect((await s.call('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await s.call('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(404);
    expect((await s.call('GET', `/v1/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    expect((await s.call('GET', '/v1/webhooks')).body.items).toEqual([]);
    const campaignId = await campaignTo(['deleted@example.fr']);
    await simulateDelivery(campaignId, 'deleted@example.fr');
    await settled();
    expect(r.received).toEqual([]);
  });

  it('refuses a bad URL or no events, naming the field', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'http://hooks.example.com/x', 'nope']) {
      const res = await s.call('POST', '/v1/webhooks', { json: { url, events: ['sent'] } });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toBe('validation_error');
      expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['url']);
    }
    const none = await s.call('POST', '/v1/webhooks', {
      json: { url: 'https://hooks.example.com/x', events: [] },
    });
    expect(none.body.issues.map((i: { path: string }) => i.path)).toEqual(['events']);
    const unknown = await s.call('POST', '/v1/webhooks', {
      json: { url: 'https://hooks.example.com/x', events: ['bounced'] },
    });
    expect(unknown.body.issues.map((i: { path: string }) => i.path)).toEqual(['events.0']);
    expect((await s.call('GET', '/v1/webhooks/wh_nope/deliveries')).status).toBe(404);
    expect((await s.call('GET', '/v1/webhooks', { key: null })).status).toBe(401);
  });
});
