import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type OutboundSms, SendFailure, type SendFailureKind } from '../../functions/domain/shared/messaging';
import type { SmsMessenger } from '../../functions/domain/shared/ports';
import { makeHandler as sender } from '../../functions/handlers/sender';
import { prng } from '../../infra/local/samples/generate';
import { FakeClock } from '../support/fakes';
import {
  type CallOptions,
  idByPhone,
  sampleStore,
  startTestStack,
  type TestStack,
  waitFor,
  waitForCampaign,
} from './helpers';

let s: TestStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** 11:00 in Paris: outside the default quiet hours (21:00-08:00). */
const DAYTIME = new Date('2026-11-23T10:00:00Z');

const offer = {
  kind: 'percent',
  value: 15,
  description: { fr: '-15 % sur tout le magasin', en: '15% off everything' },
  validDays: 30,
  stores: 'all',
};

async function stack(opts: Parameters<typeof startTestStack>[0] = {}) {
  s = await startTestStack({
    clock: new FakeClock(DAYTIME),
    sendRatePerSecond: 10_000,
    env: { REQUEUE_DELAY_SECONDS: '0' },
    ...opts,
    overrides: { sleep: async () => undefined, ...opts.overrides },
  });
  const st = s;
  expect(
    (await st.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Lyon Centre' }) })).status,
  ).toBe(201);
  return st;
}

/** Imports contacts from CSV lines (after the header) and returns their ids by phone or email. */
async function importRows(st: TestStack, header: string, rows: string[]) {
  const res = await st.call('POST', '/v1/contacts/import', {
    body: [header, ...rows].join('\n'),
    type: 'text/csv',
  });
  expect(res.status).toBe(200);
  expect(res.body.rejected).toEqual([]);
}

async function contactByPhone(st: TestStack, phone: string) {
  const id = await idByPhone(st, phone);
  if (!id) throw new Error(`No contact owns ${phone}`);
  return (await st.call('GET', `/v1/contacts/${id}`)).body;
}

const phone = (i: number) => `+336120000${String(i).padStart(2, '0')}`;

async function create(st: TestStack, json: Record<string, unknown>, opts: CallOptions = {}) {
  return st.call('POST', '/v1/campaigns', {
    ...opts,
    json: { name: 'SMS', segment: { tags: { any: ['sms'] } }, ...json },
  });
}

async function sendSms(st: TestStack, json: Record<string, unknown> = {}) {
  const c = await create(st, { channel: 'sms', template: 'winback', ...json });
  expect(c.status).toBe(201);
  expect((await st.call('POST', `/v1/campaigns/${c.body.id}/send`)).status).toBe(202);
  return c.body.id as string;
}

const smsTo = (st: TestStack, to: string) => st.smsOutbox.sent.filter((m) => m.to === to);

/** One send-queue message, as SQS hands it to the sender. */
const sqs = (job: { campaignId: string; contactIds: string[]; channel?: string }): SQSEvent => ({
  Records: [
    {
      messageId: `m-${Math.random()}`,
      receiptHandle: 'r',
      body: JSON.stringify(job),
      attributes: {} as SQSEvent['Records'][0]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:0:send',
      awsRegion: 'local',
    },
  ],
});

/** An SMS campaign moved to sending by hand, for tests that play the send queue themselves. */
async function sendingByHand(st: TestStack) {
  const c = await create(st, { channel: 'sms', template: 'winback', offer });
  expect(c.status).toBe(201);
  await st.deps.campaigns.transition(c.body.id, ['draft'], 'sending', { baseUrl: st.url });
  return c.body.id as string;
}

describe('SMS campaigns: creation and preview', () => {
  it('creates an SMS campaign without an email sender, measured per locale', async () => {
    const st = await stack();
    const res = await create(st, { channel: 'sms', template: 'winback', offer });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      channel: 'sms',
      template: 'winback',
      locales: ['en', 'fr'],
      sms: { to: 'without-email' },
    });
    expect(res.body.from).toBeUndefined();
    for (const locale of ['fr', 'en']) {
      const estimate = res.body.smsEstimate[locale];
      expect(estimate.encoding).toBe('GSM-7');
      expect(estimate.segments).toBe(2);
      // The printable coupon's link is measured as a short link of real length.
      expect(estimate.text).toMatch(new RegExp(`${st.url}/s/[0-9A-Za-z]{11}`));
      expect(estimate.text).toContain('XXXX-XXXX-XXXX-X');
    }
    expect(res.body.warnings).toBeUndefined();
  });

  it('refuses an SMS campaign whose template does not exist, on the field that named it', async () => {
    const st = await stack();
    const sms = await create(st, { channel: 'sms', template: 'no-such-sms' });
    expect(sms.status).toBe(400);
    expect(sms.body.issues).toEqual([{ path: 'template', message: 'Unknown template "no-such-sms"' }]);

    const both = await create(st, {
      channel: 'email+sms',
      template: 'winback',
      from: { name: 'Relance', address: 'hello@relance.test' },
      sms: { template: 'nope' },
    });
    expect(both.status).toBe(400);
    expect(both.body.issues).toEqual([{ path: 'sms.template', message: 'Unknown template "nope"' }]);

    const withFrom = await create(st, {
      channel: 'sms',
      template: 'winback',
      from: { name: 'Relance', address: 'hello@relance.test' },
    });
    expect(withFrom.status).toBe(400);
    expect(withFrom.body.issues[0].path).toBe('from');

    const noFrom = await create(st, { channel: 'email+sms', template: 'winback' });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body.issues[0].path).toBe('from');
    expect((await st.call('GET', '/v1/campaigns')).body.items).toEqual([]);
  });

  it('previews an SMS with its encoding and segments, and warns when it gets long or leaves GSM-7', async () => {
    const st = await stack();
    const preview = await st.call('POST', '/v1/templates/winback/preview', {
      json: { channel: 'sms', locale: 'fr', contact: { firstName: 'Léa' }, offer },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      locale: 'fr',
      channel: 'sms',
      encoding: 'GSM-7',
      segments: 2,
      maxSegments: 2,
    });
    expect(preview.body.text).toMatch(/^Boutique du Centre : Léa, vous nous manquez !/);
    expect(preview.body.characters).toBeGreaterThan(160);
    expect(preview.body.warnings).toEqual([]);

    const long = await st.call('POST', '/v1/templates/winback/preview', {
      json: {
        channel: 'sms',
        locale: 'fr',
        offer: { ...offer, description: { fr: `${'Une offre très généreuse '.repeat(6)}🎁` } },
      },
    });
    expect(long.status).toBe(200);
    expect(long.body.encoding).toBe('UCS-2');
    expect(long.body.nonGsmCharacters).toEqual(['🎁']);
    expect(long.body.segments).toBeGreaterThan(2);
    expect(long.body.warnings).toEqual([
      expect.stringMatching(/takes \d+ segments, more than 2/),
      expect.stringMatching(/UCS-2.*"🎁"/),
    ]);

    const missing = await st.call('POST', '/v1/templates/nope/preview', { json: { channel: 'sms' } });
    expect(missing.status).toBe(404);
    const listed = await st.call('GET', '/v1/templates');
    expect(listed.body.sms).toEqual([
      { name: 'store-event', locales: ['en', 'fr'] },
      { name: 'winback', locales: ['en', 'fr'] },
    ]);
  });

  it('rejects an invalid phone number at import with its line', async () => {
    const st = await stack();
    const res = await st.call('POST', '/v1/contacts/import', {
      body: [
        'phone,firstName,sms_consent',
        '0612000001,Ana,granted',
        '06 12,Bad,granted',
        '+999123,Worse,granted',
      ].join('\n'),
      type: 'text/csv',
    });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(1);
    expect(
      res.body.rejected.map((r: { line: number; errors: { path: string }[] }) => [r.line, r.errors[0]?.path]),
    ).toEqual([
      [3, 'phone'],
      [4, 'phone'],
    ]);
  });
});

describe('SMS campaigns: sending', () => {
  it('never sends a short link to what a customer typed, however the scheme is hidden', async () => {
    const st = await stack({ clock: new FakeClock(DAYTIME) });
    const names = ['hthttps://tps://evil.example/phish', 'HTTPS:https:////evil.example/phish'];
    await importRows(
      st,
      'phone,firstName,tags,sms_consent,homeStoreId',
      names.map((n, i) => `${phone(10 + i)},"${n}",sms,granted,lyon`),
    );
    const preview = await st.call('POST', '/v1/templates/winback/preview', {
      json: { channel: 'sms', locale: 'fr', contact: { firstName: names[0] }, offer },
    });
    expect(preview.body.text).not.toMatch(/https?:[/\\]+evil/i);
    const id = await sendSms(st, { offer });
    expect((await waitForCampaign(st, id)).counts).toMatchObject({ sent: 2 });
    for (const [i] of names.entries()) {
      const [sms] = smsTo(st, phone(10 + i));
      expect(sms?.body).not.toMatch(/https?:[/\\]+evil/i);
      for (const [link] of sms?.body.matchAll(/https?:\/\/\S+/gi) ?? []) {
        const res = await fetch(link, { redirect: 'manual' });
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toMatch(new RegExp(`^${st.url}/`));
      }
    }
  });

  it('texts the contacts who consented, with their coupon code and a short link counted as a click', async () => {
    const clock = new FakeClock(DAYTIME);
    const st = await stack({ clock });
    await importRows(st, 'phone,email,firstName,tags,sms_consent,email_consent,homeStoreId', [
      `${phone(1)},,Ana,sms,granted,,lyon`,
      `${phone(2)},,Bruno,sms,granted,,lyon`,
      `${phone(3)},,Chloé,sms,granted,,`,
      `${phone(4)},,Denis,sms,denied,,`,
      `,emma@sms.test,Emma,sms,,granted,`,
    ]);
    const id = await sendSms(st, { offer });
    const done = await waitForCampaign(st, id);
    expect(done.counts).toMatchObject({ targeted: 3, sent: 3, failed: 0, skipped: 0 });
    expect(st.smsOutbox.sent).toHaveLength(3);
    expect(smsTo(st, phone(4))).toEqual([]);

    const [ana] = smsTo(st, phone(1));
    expect(ana?.body).toMatch(/^Lyon Centre : Ana, vous nous manquez !/);
    const code = /code ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])/.exec(ana?.body ?? '')?.[1];
    expect(code).toBeDefined();
    const short = new RegExp(`${st.url}/s/([0-9A-Za-z]{11})`).exec(ana?.body ?? '');
    expect(short).not.toBeNull();
    expect(ana?.tags).toEqual({ campaignId: id, contactId: expect.any(String) });

    // The coupon is the one the till will find.
    const store = await st.call('POST', '/v1/keys', {
      json: { role: 'store', storeId: 'lyon', label: 'till' },
    });
    const lookUp = await st.call('GET', `/v1/coupons/${code}`, { key: store.body.key });
    expect(lookUp.status).toBe(200);

    // The short link leads to the printable coupon and counts as a click of the SMS (a minute later:
    // a click within seconds of the send is a link scanner's).
    clock.advance(60_000);
    const click = await fetch(short?.[0] as string, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148' },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toMatch(new RegExp(`^${st.url}/c/`));
    expect((await fetch(`${st.url}/s/AAAAAAAAAAA`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${st.url}/s/not-a-code`, { redirect: 'manual' })).status).toBe(404);

    const report = await waitFor(async () => {
      const r = (await st.call('GET', `/v1/campaigns/${id}/report`)).body;
      return r.sms?.clicked.uniqueHuman === 1 ? r : undefined;
    });
    expect(report.sms).toMatchObject({ sent: 3, segments: 6, failed: 0, optedOut: 0, delivered: 0 });
    expect(report.sms.links).toEqual([expect.objectContaining({ index: 0, uniqueHuman: 1, totalHuman: 1 })]);
    expect(report.clicked.uniqueHuman).toBe(0);
    expect(report.actionResponse.map((r: { action: string }) => r.action)).toEqual(['sms']);
    const anaId = await idByPhone(st, phone(1));
    const record = await st.deps.campaigns.getSend(id, anaId as string, 'sms');
    expect(record).toMatchObject({
      status: 'sent',
      channel: 'sms',
      segments: 2,
      couponCode: code?.replaceAll('-', ''),
    });
    expect(record?.clickedAt).toBeDefined();
  });

  it('records delivery receipts once, with what the provider billed, and stops texting a dead number', async () => {
    const st = await stack();
    await importRows(st, 'phone,tags,sms_consent', [`${phone(1)},sms,granted`, `${phone(2)},sms,granted`]);
    const id = await sendSms(st);
    await waitForCampaign(st, id);

    const receipt = { type: 'delivered', campaignId: id, phone: phone(1), price: 0.0712 };
    const first = await st.call('POST', '/_local/sms-events', { key: null, json: receipt });
    expect(first.status).toBe(202);
    expect(first.body.statuses).toEqual(['recorded']);
    expect((await st.call('POST', '/_local/sms-events', { key: null, json: receipt })).body.statuses).toEqual(
      ['duplicate'],
    );
    const dead = await st.call('POST', '/_local/sms-events', {
      key: null,
      json: { type: 'invalid', campaignId: id, phone: phone(2), price: 0.0712 },
    });
    expect(dead.status).toBe(202);
    const unknown = await st.call('POST', '/_local/sms-events', {
      key: null,
      json: { type: 'delivered', campaignId: id, phone: phone(9) },
    });
    expect(unknown.status).toBe(404);

    const report = (await st.call('GET', `/v1/campaigns/${id}/report`)).body;
    expect(report.sms).toMatchObject({ sent: 2, delivered: 1, undelivered: 1, costUsd: 0.1424 });
    expect(report.sms.rates.delivery).toBe(0.5);
    const bruno = await contactByPhone(st, phone(2));
    expect(bruno.suppressed).toEqual(['sms']);
    expect(bruno.consent.sms.status).toBe('denied');
  });

  it('email+sms: an SMS to those who cannot be emailed, or to every SMS contact when asked', async () => {
    const st = await stack();
    await importRows(st, 'email,phone,tags,email_consent,sms_consent', [
      `both@sms.test,${phone(1)},sms,granted,granted`,
      `,${phone(2)},sms,,granted`,
      `mail@sms.test,,sms,granted,`,
      `nothing@sms.test,${phone(4)},sms,denied,denied`,
    ]);
    const from = { name: 'Relance', address: 'hello@relance.test' };
    const fallback = await sendSms(st, { channel: 'email+sms', from });
    const a = await waitForCampaign(st, fallback);
    expect(a.counts).toMatchObject({ targeted: 3, sent: 3 });
    expect(st.smsOutbox.sent.map((m) => m.to)).toEqual([phone(2)]);

    const all = await sendSms(st, { channel: 'email+sms', from, sms: { to: 'all' } });
    const b = await waitForCampaign(st, all);
    expect(b.counts).toMatchObject({ targeted: 4, sent: 4 });
    expect(
      st.smsOutbox.sent
        .filter((m) => m.tags.campaignId === all)
        .map((m) => m.to)
        .sort(),
    ).toEqual([phone(1), phone(2)]);
    const mails = (await st.call('GET', '/_local/messages', { key: null })).body.items.filter(
      (m: { channel: string; headers: Record<string, string> }) => m.channel === 'email',
    );
    expect(mails.length).toBeGreaterThanOrEqual(4);
    // Both messages to the same contact have their own send record.
    const both = await idByPhone(st, phone(1));
    expect((await st.deps.campaigns.getSend(all, both as string))?.status).toBe('sent');
    expect((await st.deps.campaigns.getSend(all, both as string, 'sms'))?.status).toBe('sent');
    const report = (await st.call('GET', `/v1/campaigns/${all}/report`)).body;
    expect(report.sms.sent).toBe(2);
    expect(
      report.actionResponse.map((r: { action: string; recipients: number }) => [r.action, r.recipients]),
    ).toEqual([
      ['email', 2],
      ['sms', 2],
    ]);
  });

  it('lists SMS and emails together in GET /_local/messages', async () => {
    const st = await stack();
    await importRows(st, 'phone,tags,sms_consent', [`${phone(1)},sms,granted`]);
    await waitForCampaign(st, await sendSms(st));
    const items = (await st.call('GET', '/_local/messages', { key: null })).body.items;
    const sms = items.find((m: { channel: string }) => m.channel === 'sms');
    expect(sms).toMatchObject({
      channel: 'sms',
      to: phone(1),
      subject: null,
      encoding: 'GSM-7',
      segments: 1,
    });
    expect(sms.text).toMatch(/nous manquez/);
  });
});

describe('SMS campaigns: consent, quiet hours and STOP', () => {
  it('keeps SMS for the morning during quiet hours, in each contact’s time zone', async () => {
    const clock = new FakeClock(new Date('2026-11-23T21:30:00Z')); // 22:30 in Paris, 16:30 in New York
    const st = await stack({ clock });
    await importRows(st, 'phone,tags,sms_consent,timeZone', [
      `${phone(1)},sms,granted,`,
      `${phone(2)},sms,granted,America/New_York`,
    ]);
    const id = await sendingByHand(st);
    const paris = (await idByPhone(st, phone(1))) as string;
    const newYork = (await idByPhone(st, phone(2))) as string;
    // Nobody plays the local queue here: the job is handed to the sender directly.
    st.queues.send?.close();
    const job = { campaignId: id, contactIds: [paris, newYork], channel: 'sms' };
    const requeued: { messages: unknown[]; delay: number | undefined }[] = [];
    const handler = sender({
      ...st.deps,
      sendQueue: { enqueue: async (messages, delay) => void requeued.push({ messages, delay }) },
    });
    expect((await handler(sqs(job))).batchItemFailures).toEqual([]);
    // The Paris contact goes back on the queue, as long as SQS allows (08:00 is 9.5 hours away).
    expect(requeued).toEqual([
      { messages: [{ campaignId: id, contactIds: [paris], channel: 'sms' }], delay: 900 },
    ]);
    expect(st.smsOutbox.sent.map((m) => m.to)).toEqual([phone(2)]);
    expect(await st.deps.campaigns.getSend(id, paris, 'sms')).toBeUndefined();
    expect((await st.call('GET', `/v1/campaigns/${id}`)).body.status).toBe('sending');

    clock.set(new Date('2026-11-24T06:59:00Z')); // 07:59 in Paris: still quiet
    await handler(sqs({ ...job, contactIds: [paris] }));
    expect(smsTo(st, phone(1))).toEqual([]);
    clock.set(new Date('2026-11-24T07:00:00Z')); // 08:00 in Paris
    await handler(sqs({ ...job, contactIds: [paris] }));
    expect(smsTo(st, phone(1))).toHaveLength(1);
    expect(smsTo(st, phone(2))).toHaveLength(1);
  });

  it('a STOP received mid-campaign stops the remaining sends to that contact, and every later campaign', async () => {
    const st = await stack();
    await importRows(
      st,
      'phone,tags,sms_consent',
      [1, 2, 3, 4, 5, 6].map((i) => `${phone(i)},sms,granted`),
    );
    const id = await sendingByHand(st);
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => idByPhone(st, phone(i))));
    st.queues.send?.close();
    const handler = sender(st.deps);
    await handler(sqs({ campaignId: id, contactIds: ids.slice(0, 3) as string[], channel: 'sms' }));
    expect(st.smsOutbox.sent).toHaveLength(3);

    const stop = await st.call('POST', '/_local/sms/inbound', {
      key: null,
      json: { from: '06 12 00 00 05', body: 'Stop.' },
    });
    expect(stop.status).toBe(202);
    expect(stop.body.statuses).toEqual(['stopped']);
    const chatter = await st.call('POST', '/_local/sms/inbound', {
      key: null,
      json: { from: phone(4), body: 'Merci !' },
    });
    expect(chatter.body.statuses).toEqual(['ignored']);

    await handler(sqs({ campaignId: id, contactIds: ids.slice(3) as string[], channel: 'sms' }));
    expect(smsTo(st, phone(5))).toEqual([]);
    expect(smsTo(st, phone(4))).toHaveLength(1);
    expect(smsTo(st, phone(6))).toHaveLength(1);
    const stopped = await contactByPhone(st, phone(5));
    expect(stopped.consent.sms).toMatchObject({ status: 'denied', source: 'stop:sms' });
    expect((await st.deps.campaigns.getSend(id, ids[4] as string, 'sms'))?.status).toBe('skipped');
    expect((await st.call('GET', `/v1/campaigns/${id}`)).body.counts).toMatchObject({ sent: 5, skipped: 1 });

    // A re-import that says "granted" cannot text the number again.
    await importRows(st, 'phone,tags,sms_consent', [`${phone(5)},sms,granted`]);
    expect((await contactByPhone(st, phone(5))).consent.sms.status).toBe('denied');
    const preview = await st.call('POST', '/v1/segments/preview', {
      json: { segment: { tags: { any: ['sms'] } }, channel: 'sms' },
    });
    expect(preview.body).toMatchObject({ count: 5, suppressed: 1 });
  });

  it('respects the provider’s opt-out list: the number is skipped and its SMS consent revoked', async () => {
    const st = await stack();
    await importRows(st, 'phone,tags,sms_consent', [`${phone(1)},sms,granted`, `${phone(2)},sms,granted`]);
    st.smsOutbox.optOut(phone(1));
    const id = await sendSms(st);
    const done = await waitForCampaign(st, id);
    expect(done.counts).toMatchObject({ targeted: 2, sent: 1, skipped: 1, failed: 0 });
    expect(smsTo(st, phone(1))).toEqual([]);
    const optedOut = await contactByPhone(st, phone(1));
    expect(optedOut.consent.sms).toMatchObject({ status: 'denied', source: 'opt-out:provider' });
    const report = (await st.call('GET', `/v1/campaigns/${id}/report`)).body;
    expect(report.sms).toMatchObject({ sent: 1, optedOut: 1 });
  });
});

/** An SMS provider stand-in that fails a share of calls, and remembers every message it accepted. */
class StubSms implements SmsMessenger {
  readonly accepted = new Map<string, number>();
  readonly failedPermanently = new Set<string>();
  calls = 0;
  constructor(private readonly fail: (m: OutboundSms) => SendFailureKind | undefined) {}
  async send(m: OutboundSms) {
    this.calls++;
    const kind = this.fail(m);
    if (kind === 'permanent') this.failedPermanently.add(m.to);
    if (kind) throw new SendFailure(kind, `stub ${kind}`);
    this.accepted.set(m.to, (this.accepted.get(m.to) ?? 0) + 1);
    return { messageId: `sms-${this.calls}` };
  }
}

describe('SMS campaigns under provider failures', () => {
  it('retries throttling and transient failures without ever texting anyone twice', async () => {
    const rand = prng(11);
    const provider = new StubSms(() => {
      const r = rand();
      return r < 0.25 ? 'throttled' : r < 0.3 ? 'transient' : r < 0.32 ? 'permanent' : undefined;
    });
    const st = await stack({ overrides: { sms: provider } });
    await importRows(
      st,
      'phone,tags,sms_consent',
      Array.from({ length: 300 }, (_, i) => `+3361300${String(i).padStart(4, '0')},sms,granted`),
    );
    const id = await sendSms(st);
    const done = await waitForCampaign(st, id, ['sent', 'paused']);
    expect(done.status).toBe('sent');
    expect([...provider.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(done.counts.sent).toBe(provider.accepted.size);
    expect(done.counts.failed).toBe(provider.failedPermanently.size);
    expect(done.counts.sent + done.counts.failed).toBe(300);
    expect(provider.calls).toBeGreaterThan(300);
  });

  it('pauses an SMS campaign, saying why, when SMS are not set up', async () => {
    const st = await stack({
      overrides: {
        sms: {
          send: async () => {
            throw new SendFailure('fatal', 'SMS are not set up: set SMS_ORIGINATION_IDENTITY');
          },
        },
      },
    });
    await importRows(st, 'phone,tags,sms_consent', [`${phone(1)},sms,granted`]);
    const id = await sendSms(st);
    const paused = await waitForCampaign(st, id, ['paused']);
    expect(paused.pausedReason).toBe(
      'The SMS provider refused to send: SMS are not set up: set SMS_ORIGINATION_IDENTITY',
    );
    expect(paused.counts).toMatchObject({ sent: 0, failed: 0 });
  });
});
