import { describe, expect, it, vi } from 'vitest';
import { WebhookPublisher } from '../../../../functions/adapters/webhook-publisher';
import { loadConfig } from '../../../../functions/config';
import { zodIssues } from '../../../../functions/domain/shared/errors';
import {
  type DeliveryDeps,
  deliverWebhook,
  registerWebhook,
} from '../../../../functions/domain/webhooks/delivery';
import type { WebhookEvent } from '../../../../functions/domain/webhooks/webhook';
import {
  DEFAULT_BACKOFF_SECONDS,
  deliveryId,
  emit,
  eventId,
  isPublicAddress,
  maxAttempts,
  queueDelay,
  retryDelay,
  sign,
  verifySignature,
  type WebhookDeliveryJob,
  webhookBody,
  webhookInputSchema,
  webhookJobSchema,
} from '../../../../functions/domain/webhooks/webhook';
import {
  FakeClock,
  FakeEventPublisher,
  FakeIds,
  FakeWebhookRepository,
  FakeWorkQueue,
} from '../../../support/fakes';

const SECRET = 'whsec_test-secret-0123456789';
const BODY = '{"id":"evt_1","type":"sent"}';
const NOW = new Date('2026-03-10T09:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

describe('signatures', () => {
  it('signs t and the body, Stripe-style, and verifies its own signature', () => {
    const header = sign(SECRET, T, BODY);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(header.startsWith(`t=${T},`)).toBe(true);
    expect(verifySignature(SECRET, header, BODY, NOW)).toBe(true);
    expect(verifySignature(SECRET, header, Buffer.from(BODY), NOW)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a tampered timestamp', () => {
    const header = sign(SECRET, T, BODY);
    expect(verifySignature(SECRET, header, BODY.replace('sent', 'clicked'), NOW)).toBe(false);
    expect(verifySignature(`${SECRET}x`, header, BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, NOW)).toBe(false);
  });

  it('refuses a timestamp outside the tolerance, either way', () => {
    const old = sign(SECRET, T - 301, BODY);
    expect(verifySignature(SECRET, old, BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, old, BODY, NOW, 600)).toBe(true);
    expect(verifySignature(SECRET, sign(SECRET, T + 301, BODY), BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, sign(SECRET, T - 299, BODY), BODY, NOW)).toBe(true);
  });

  it('refuses missing and malformed headers, and accepts any one of several v1 (secret rotation)', () => {
    expect(verifySignature(SECRET, undefined, BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, '', BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, `t=${T}`, BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, `v1=${'a'.repeat(64)}`, BODY, NOW)).toBe(false);
    expect(verifySignature(SECRET, `t=${T},v1=zz`, BODY, NOW)).toBe(false);
    const good = sign(SECRET, T, BODY).split(',')[1];
    expect(verifySignature(SECRET, `t=${T},v1=${'0'.repeat(64)},${good}`, BODY, NOW)).toBe(true);
  });
});

describe('backoff', () => {
  it('is 30 s, 2 min, 10 min, 1 h, 6 h: six attempts', () => {
    expect([...DEFAULT_BACKOFF_SECONDS]).toEqual([30, 120, 600, 3600, 21_600]);
    expect(maxAttempts(DEFAULT_BACKOFF_SECONDS)).toBe(6);
    expect(loadConfig({ TABLE_NAME: 't', EVENTS_TABLE_NAME: 'e', KEYRING: 'k'.repeat(32) })).toMatchObject({
      WEBHOOK_BACKOFF_SECONDS: [...DEFAULT_BACKOFF_SECONDS],
      WEBHOOK_ALLOW_HTTP: false,
    });
  });

  it('adds at most ±20 % jitter, and stops after the last delay', () => {
    expect(retryDelay(1, DEFAULT_BACKOFF_SECONDS, () => 0.5)).toBe(30);
    expect(retryDelay(1, DEFAULT_BACKOFF_SECONDS, () => 0)).toBe(24);
    expect(retryDelay(5, DEFAULT_BACKOFF_SECONDS, () => 0.999_999)).toBe(25_920);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const base = DEFAULT_BACKOFF_SECONDS[attempt - 1] as number;
      const d = retryDelay(attempt, DEFAULT_BACKOFF_SECONDS) as number;
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(d).toBeLessThanOrEqual(Math.ceil(base * 1.2));
    }
    expect(retryDelay(6, DEFAULT_BACKOFF_SECONDS)).toBeUndefined();
    expect(retryDelay(1, [0, 0])).toBe(0);
  });

  it('splits waits longer than SQS allows into a delay and a notBefore', () => {
    expect(queueDelay(600, NOW)).toEqual({ delaySeconds: 600 });
    expect(queueDelay(3600, NOW)).toEqual({ delaySeconds: 900, notBefore: '2026-03-10T10:00:00.000Z' });
  });

  it('reads WEBHOOK_BACKOFF_SECONDS as a list and refuses anything else', () => {
    const base = { TABLE_NAME: 't', EVENTS_TABLE_NAME: 'e', KEYRING: 'k'.repeat(32) };
    expect(loadConfig({ ...base, WEBHOOK_BACKOFF_SECONDS: '0,0,0' }).WEBHOOK_BACKOFF_SECONDS).toEqual([
      0, 0, 0,
    ]);
    expect(() => loadConfig({ ...base, WEBHOOK_BACKOFF_SECONDS: '30, 2m' })).toThrow(
      /WEBHOOK_BACKOFF_SECONDS/,
    );
  });
});

const issues = (input: unknown, allowHttp = false) => {
  const r = webhookInputSchema({ allowHttp }).safeParse(input);
  return r.success ? [] : zodIssues(r.error);
};

describe('webhook input', () => {
  it('accepts an https URL and a subset of the events (deduplicated, in the documented order)', () => {
    const r = webhookInputSchema({ allowHttp: false }).parse({
      url: ' https://hooks.example.com/relance ',
      events: ['clicked', 'sent', 'clicked'],
      description: 'CRM',
    });
    expect(r).toEqual({
      url: 'https://hooks.example.com/relance',
      events: ['sent', 'clicked'],
      description: 'CRM',
    });
  });

  it('refuses plain http, other schemes, credentials and private addresses, at path url', () => {
    for (const url of [
      'http://hooks.example.com/x',
      'ftp://hooks.example.com/x',
      'not a url',
      'https://user:pw@hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://localhost/x',
      'https://10.1.2.3/x',
      'https://192.168.0.10/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://[fd00::1]/x',
    ]) {
      expect(
        issues({ url, events: ['sent'] }).map((i) => i.path),
        url,
      ).toEqual(['url']);
    }
  });

  it.each([
    'https://localhost./x',
    'https://api.localhost/x',
    'https://[::7f00:1]/x',
    'https://[64:ff9b::a9fe:a9fe]/x',
    'https://198.18.0.1/x',
    'https://192.0.0.1/x',
    'https://224.0.0.1/x',
    'https://[fec0::1]/x',
    'https://100.64.0.1/x',
    'https://0.0.0.0/x',
    'https://255.255.255.255/x',
    'https://240.0.0.1/x',
    'https://192.0.2.1/x',
    'https://[::ffff:8.8.8.8]/x',
    'https://[2002:7f00:1::]/x',
    'https://[2001::1]/x',
    'https://[fe80::1]/x',
    'https://[ff02::1]/x',
    'https://[2001:db8::1]/x',
    'https://2130706433/x',
    'https://0x7f.1/x',
  ])('refuses the special-purpose address %s', (url) => {
    expect(issues({ url, events: ['sent'] }).map((i) => i.path)).toEqual(['url']);
  });

  it.each(['8.8.8.8', '2606:4700:4700::1111', '93.184.215.14'])('accepts the public address %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
    expect(issues({ url: `https://${ip.includes(':') ? `[${ip}]` : ip}/x`, events: ['sent'] })).toEqual([]);
  });

  it('lets the local stack use http to this machine only', () => {
    expect(issues({ url: 'http://127.0.0.1:4567/hook', events: ['sent'] }, true)).toEqual([]);
    expect(issues({ url: 'http://localhost:4567/hook', events: ['sent'] }, true)).toEqual([]);
    expect(
      issues({ url: 'http://hooks.example.com/hook', events: ['sent'] }, true).map((i) => i.path),
    ).toEqual(['url']);
    expect(issues({ url: 'http://127.0.0.1:4567/hook', events: ['sent'] }, false).map((i) => i.path)).toEqual(
      ['url'],
    );
  });

  it('needs at least one known event, and no unknown field', () => {
    expect(issues({ url: 'https://h.example.com', events: [] }).map((i) => i.path)).toEqual(['events']);
    expect(issues({ url: 'https://h.example.com', events: ['sent', 'bounced'] }).map((i) => i.path)).toEqual([
      'events.1',
    ]);
    expect(issues({ url: 'https://h.example.com' }).map((i) => i.path)).toEqual(['events']);
    expect(
      issues({ url: 'https://h.example.com', events: ['sent'], secret: 'x' }).map((i) => i.path),
    ).toEqual(['secret']);
  });
});

const event = (over: Partial<WebhookEvent> = {}): WebhookEvent => ({
  type: 'sent',
  at: '2026-03-10T08:59:00.000Z',
  campaignId: 'cmp_1',
  contactId: 'ct_1',
  channel: 'email',
  ...over,
});

describe('ids and body', () => {
  it('derives stable event and delivery ids', () => {
    expect(eventId(event())).toBe(eventId(event()));
    expect(eventId(event())).not.toBe(eventId(event({ type: 'delivered' })));
    expect(eventId(event())).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(deliveryId('wh_1', 'evt_1')).toBe(deliveryId('wh_1', 'evt_1'));
    expect(deliveryId('wh_1', 'evt_1')).not.toBe(deliveryId('wh_2', 'evt_1'));
  });

  it('sends { id, type, at, campaignId, contactId, channel?, data? }', () => {
    const e = { ...event({ data: { link: 1 } }), id: 'evt_x' };
    expect(JSON.parse(webhookBody(e))).toEqual({
      id: 'evt_x',
      type: 'sent',
      at: '2026-03-10T08:59:00.000Z',
      campaignId: 'cmp_1',
      contactId: 'ct_1',
      channel: 'email',
      data: { link: 1 },
    });
    expect(Object.keys(JSON.parse(webhookBody({ ...event({ channel: undefined }), id: 'e' })))).not.toContain(
      'channel',
    );
  });
});

function setup(answers: ({ status: number } | { error: string })[]) {
  const clock = new FakeClock(NOW);
  const store = new FakeWebhookRepository({ clock });
  const webhookQueue = new FakeWorkQueue<WebhookDeliveryJob>();
  const queued = webhookQueue.batches;
  const requests: { url: string; body: string; headers: Record<string, string> }[] = [];
  const deps: DeliveryDeps = {
    webhooks: store,
    webhookQueue,
    clock,
    logger: { info: vi.fn(), warn: vi.fn() },
    post: async (url, body, headers) => {
      requests.push({ url, body, headers });
      return answers.shift() ?? { status: 200 };
    },
    backoffSeconds: [30, 120, 3600],
    random: () => 0.5,
  };
  return { store, queued, requests, clock, deps };
}

const ids = new FakeIds();
async function registered(store: FakeWebhookRepository, events: WebhookEvent['type'][] = ['sent']) {
  return registerWebhook(
    { webhooks: store, clock: new FakeClock(NOW), ids },
    { url: 'https://hooks.example.com/r', events },
  );
}

const jobFor = (subscriptionId: string, e = event()): WebhookDeliveryJob => {
  const id = eventId(e);
  return webhookJobSchema.parse({
    deliveryId: deliveryId(subscriptionId, id),
    subscriptionId,
    attempt: 1,
    event: { ...e, id },
  });
};

describe('registering', () => {
  it('returns the secret once; listings never carry it', async () => {
    const store = new FakeWebhookRepository();
    const created = await registered(store);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_\d+$/),
      url: 'https://hooks.example.com/r',
      events: ['sent'],
    });
    expect(store.subs.get(created.id)?.secret).toBe(created.secret);
  });
});

describe('publishing', () => {
  it('queues one job per endpoint subscribed to the event type, nothing for the others', async () => {
    const store = new FakeWebhookRepository();
    const a = await registered(store, ['sent', 'clicked']);
    const b = await registered(store, ['clicked']);
    const queue = new FakeWorkQueue<WebhookDeliveryJob>();
    const enqueue = vi.spyOn(queue, 'enqueue');
    const publisher = new WebhookPublisher(store, queue, { error: vi.fn() });
    await publisher.publish([
      event(),
      event({ type: 'clicked', data: { link: 0 } }),
      event({ type: 'redeemed' }),
    ]);
    expect(enqueue).toHaveBeenCalledTimes(1);
    const jobs = (enqueue.mock.calls[0] as unknown as [WebhookDeliveryJob[]])[0];
    expect(jobs.map((j) => [j.subscriptionId, j.event.type])).toEqual([
      [a.id, 'sent'],
      [a.id, 'clicked'],
      [b.id, 'clicked'],
    ]);
    expect(jobs.every((j) => webhookJobSchema.safeParse(j).success && j.attempt === 1)).toBe(true);
    await publisher.publish([event({ type: 'unsubscribed' })]);
    expect(enqueue).toHaveBeenCalledTimes(1);
  });

  it('never fails the caller: a queue or store failure is logged', async () => {
    const store = new FakeWebhookRepository();
    await registered(store);
    const error = vi.fn();
    const down = new FakeWorkQueue<WebhookDeliveryJob>();
    down.fail = new Error('SQS down');
    const failing = new WebhookPublisher(store, down, { error });
    await expect(failing.publish([event()])).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith('Webhook events could not be queued', expect.anything());
    const publisher = new FakeEventPublisher();
    publisher.fail = new Error('x');
    await expect(emit(publisher, [event()])).resolves.toBeUndefined();
  });
});

describe('delivering', () => {
  it('POSTs the signed body with the event and delivery headers, and logs it delivered', async () => {
    const t = setup([{ status: 204 }]);
    const sub = await registered(t.store);
    const job = jobFor(sub.id);
    expect(await deliverWebhook(t.deps, job)).toBe('delivered');
    const [req] = t.requests;
    expect(req?.url).toBe('https://hooks.example.com/r');
    expect(req?.headers).toMatchObject({
      'content-type': 'application/json',
      'Relance-Event': 'sent',
      'Relance-Delivery': job.deliveryId,
    });
    expect(verifySignature(sub.secret, req?.headers['Relance-Signature'], req?.body ?? '', NOW)).toBe(true);
    expect(JSON.parse(req?.body ?? '')).toMatchObject({
      id: job.event.id,
      type: 'sent',
      campaignId: 'cmp_1',
    });
    expect(t.store.log.get(job.deliveryId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastStatus: 204,
    });
    // The same message again (SQS delivers at least once): nothing is sent.
    expect(await deliverWebhook(t.deps, job)).toBe('skipped');
    expect(t.requests).toHaveLength(1);
  });

  it('retries with the backoff, then stops at the first success', async () => {
    const t = setup([{ status: 500 }, { error: 'No answer within 10 s' }, { status: 200 }]);
    const sub = await registered(t.store);
    expect(await deliverWebhook(t.deps, jobFor(sub.id))).toBe('retrying');
    expect(t.queued[0]?.delay).toBe(30);
    const second = t.queued[0]?.jobs[0] as WebhookDeliveryJob;
    expect(second.attempt).toBe(2);
    const id = second.deliveryId;
    expect(t.store.log.get(id)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastStatus: 500,
      lastError: 'HTTP 500',
    });
    expect(await deliverWebhook(t.deps, second)).toBe('retrying');
    expect(t.queued[1]?.delay).toBe(120);
    expect(t.store.log.get(id)).toMatchObject({
      status: 'retrying',
      attempts: 2,
      lastError: 'No answer within 10 s',
    });
    expect(t.store.log.get(id)?.lastStatus).toBeUndefined();
    // A duplicate of attempt 2 finds it made.
    expect(await deliverWebhook(t.deps, second)).toBe('skipped');
    const third = t.queued[1]?.jobs[0] as WebhookDeliveryJob;
    expect(await deliverWebhook(t.deps, third)).toBe('delivered');
    expect(t.store.log.get(id)).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(t.requests.map((r) => r.headers['Relance-Delivery'])).toEqual([id, id, id]);
    expect(t.queued).toHaveLength(2);
  });

  it('fails after the last attempt; a wait past 15 minutes hops with notBefore', async () => {
    const t = setup([{ status: 500 }, { status: 502 }, { status: 503 }, { status: 410 }]);
    const sub = await registered(t.store);
    let job = jobFor(sub.id);
    for (const expected of ['retrying', 'retrying', 'retrying']) {
      expect(await deliverWebhook(t.deps, job)).toBe(expected);
      job = t.queued.at(-1)?.jobs[0] as WebhookDeliveryJob;
    }
    // After attempt 3 the delay is an hour: SQS's 900 s, then the job comes back early and waits again.
    expect(t.queued.at(-1)?.delay).toBe(900);
    expect(job.notBefore).toBe(new Date(NOW.getTime() + 3600_000).toISOString());
    expect(await deliverWebhook(t.deps, job)).toBe('waiting');
    expect(t.queued.at(-1)).toEqual({ jobs: [job], delay: 900 });
    t.clock.advance(3600_000);
    expect(await deliverWebhook(t.deps, job)).toBe('failed');
    expect(t.store.log.get(job.deliveryId)).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 410 });
    expect(t.requests).toHaveLength(4);
  });

  it('drops deliveries to a deleted endpoint, and waits for an attempt in flight elsewhere', async () => {
    const t = setup([]);
    const sub = await registered(t.store);
    const job = jobFor(sub.id);
    await t.store.claimAttempt(
      { subscriptionId: sub.id, deliveryId: job.deliveryId, eventAt: job.event.at },
      1,
      { eventId: job.event.id, type: 'sent', campaignId: 'cmp_1', contactId: 'ct_1' },
      NOW.toISOString(),
      '2000-01-01T00:00:00.000Z',
    );
    await expect(deliverWebhook(t.deps, job)).rejects.toThrow(/in flight/);
    // Past the lease, the lost attempt is made again (at least once).
    t.clock.advance(61_000);
    expect(await deliverWebhook(t.deps, job)).toBe('delivered');
    await t.store.delete(sub.id);
    expect(await deliverWebhook(t.deps, jobFor(sub.id, event({ type: 'delivered' })))).toBe('skipped');
    expect(t.requests).toHaveLength(1);
  });
});
