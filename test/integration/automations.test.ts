import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalCampaignScheduler } from '../../infra/local/scheduler';
import { FakeClock } from '../support/fakes';
import { sampleStore, startTestStack, type TestStack, waitFor, waitForCampaign } from './helpers';

let s: TestStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const DAY = 86_400_000;
/** 10:30 in Paris, on the automations' first day: after their 10:00 run time. */
const START = new Date('2026-11-23T09:30:00Z');

const from = { name: 'Relance', address: 'hello@relance.test' };
const offer = {
  kind: 'percent',
  value: 15,
  description: { fr: '-15 % sur tout', en: '15% off' },
  validDays: 30,
  stores: 'all',
};

async function stack(env: Record<string, string> = {}) {
  const clock = new FakeClock(START);
  s = await startTestStack({ clock, sendRatePerSecond: 10_000, env: { REQUEUE_DELAY_SECONDS: '0', ...env } });
  const st = s;
  expect((await st.call('PUT', '/v1/stores/lyon', { json: sampleStore() })).status).toBe(201);
  return { st, clock };
}

/** A unique address per test: the local SES mailbox is shared by every test. */
const tag = () => randomBytes(4).toString('hex');

/** Imports contacts (email consent, optionally a phone with SMS consent) and their last purchase. */
async function customers(st: TestStack, rows: { email: string; phone?: string; lastPurchase?: Date }[]) {
  const csv = ['email,phone,email_consent,sms_consent,homeStoreId'];
  for (const r of rows) csv.push(`${r.email},${r.phone ?? ''},granted,${r.phone ? 'granted' : ''},lyon`);
  const res = await st.call('POST', '/v1/contacts/import', { body: csv.join('\n'), type: 'text/csv' });
  expect(res.body.rejected).toEqual([]);
  for (const [i, r] of rows.entries()) {
    if (r.lastPurchase) await purchase(st, r.email, r.lastPurchase, `p-${i}-${r.email}`);
  }
}

async function purchase(st: TestStack, email: string, at: Date, ref: string) {
  const res = await st.call('POST', '/v1/purchases', {
    json: {
      contact: email,
      storeId: 'lyon',
      amount: 42,
      currency: 'EUR',
      at: at.toISOString(),
      channel: 'store',
      ref,
    },
  });
  expect(res.status).toBe(201);
}

const daysAgo = (n: number) => new Date(START.getTime() - n * DAY);

/** Runs the automations now and waits until every campaign they started is sent. */
async function run(st: TestStack) {
  const res = await st.call('POST', '/_local/automations/run', { key: null });
  expect(res.status).toBe(200);
  const started = res.body.started as { campaignId: string; step: number; day: string }[];
  for (const c of started) await waitForCampaign(st, c.campaignId);
  return started;
}

async function mailsTo(st: TestStack, address: string) {
  const items = (await st.call('GET', '/_local/messages', { key: null })).body.items as {
    channel: string;
    to: string;
    text: string;
    html: string;
  }[];
  return items.filter((m) => m.channel === 'email' && m.to === address);
}

const winback = (over: Record<string, unknown> = {}) => ({
  name: 'Win-back',
  trigger: { kind: 'inactive', days: 30 },
  runAt: '10:00',
  template: 'winback',
  channel: 'email',
  from,
  cooldownDays: 60,
  ...over,
});

describe('automations: create, pause, resume', () => {
  it('creates an automation, checks its templates and refuses bad input field by field', async () => {
    const { st } = await stack();
    const ok = await st.call('POST', '/v1/automations', {
      json: winback({
        offer,
        steps: [{ waitDays: 3, unless: 'opened', template: 'winback', channel: 'sms' }],
      }),
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'active', runAt: '10:00', cooldownDays: 60, backlog: false });

    const noTemplate = await st.call('POST', '/v1/automations', {
      json: winback({ steps: [{ waitDays: 3, template: 'nope', channel: 'sms' }] }),
    });
    expect(noTemplate.status).toBe(400);
    expect(noTemplate.body.issues).toEqual([
      { path: 'steps.0.template', message: 'Unknown template "nope"' },
    ]);

    const bad = await st.call('POST', '/v1/automations', {
      json: winback({ trigger: { kind: 'inactive' }, runAt: '25:00' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['runAt', 'trigger.days']);
    const noSender = await st.call('POST', '/v1/automations', { json: winback({ from: undefined }) });
    expect(noSender.status).toBe(400);
    expect(noSender.body.issues.map((i: { path: string }) => i.path)).toEqual(['from']);
    expect((await st.call('GET', '/v1/automations')).body.items).toHaveLength(1);
  });

  it('runs once a day at its hour, and not while paused', async () => {
    const { st, clock } = await stack();
    const t = tag();
    await customers(st, [{ email: `a-${t}@x.test`, lastPurchase: daysAgo(40) }]);
    clock.set(new Date('2026-11-23T08:30:00Z')); // 09:30 in Paris: before its hour
    const a = (await st.call('POST', '/v1/automations', { json: winback({ backlog: true }) })).body;
    expect(await run(st)).toEqual([]);
    clock.set(START);
    const first = await run(st);
    expect(first).toEqual([
      { automationId: a.id, day: '2026-11-23', step: 0, campaignId: expect.any(String) },
    ]);
    expect(await run(st)).toEqual([]); // the same day: nothing more
    expect(await mailsTo(st, `a-${t}@x.test`)).toHaveLength(1);

    expect((await st.call('POST', `/v1/automations/${a.id}/pause`)).body.status).toBe('paused');
    clock.advance(DAY);
    expect(await run(st)).toEqual([]);
    expect((await st.call('POST', `/v1/automations/${a.id}/resume`)).body.status).toBe('active');
    expect(await run(st)).toHaveLength(1);
    const read = (await st.call('GET', `/v1/automations/${a.id}`)).body;
    expect(read.runs.map((r: { day: string }) => r.day)).toEqual(['2026-11-24', '2026-11-23']);
    const report = (await st.call('GET', `/v1/campaigns/${first[0]?.campaignId}/report`)).body;
    expect(report.sent).toBe(1);
  });
});

describe('automations: the win-back journey', () => {
  it('never messages a contact twice within its cooldown, across runs', async () => {
    const { st, clock } = await stack();
    const t = tag();
    const a = `a-${t}@x.test`;
    const b = `b-${t}@x.test`;
    await customers(st, [
      { email: a, lastPurchase: daysAgo(40) },
      { email: b, lastPurchase: daysAgo(25) },
    ]);
    await st.call('POST', '/v1/automations', { json: winback({ backlog: true }) });

    expect(await run(st)).toHaveLength(1); // day 0: A, lapsed before the automation existed
    expect(await mailsTo(st, a)).toHaveLength(1);
    expect(await mailsTo(st, b)).toHaveLength(0);

    clock.advance(6 * DAY); // B crossed 30 days on day 5: newly matches
    const [day6] = await run(st);
    expect((await st.call('GET', `/v1/campaigns/${day6?.campaignId}`)).body.counts).toMatchObject({
      sent: 1,
    });
    expect(await mailsTo(st, b)).toHaveLength(1);
    expect(await mailsTo(st, a)).toHaveLength(1);

    // A comes back on day 7, then lapses again on day 37: it matches, but had the win-back 37 days ago.
    clock.advance(DAY);
    await purchase(st, a, clock.now(), `back-${t}`);
    clock.advance(30 * DAY + 60_000);
    const [day37] = await run(st);
    const again = (await st.call('GET', `/v1/campaigns/${day37?.campaignId}`)).body;
    expect(again.counts).toMatchObject({ targeted: 1, sent: 0, skipped: 1 });
    expect(await mailsTo(st, a)).toHaveLength(1);
    const id = await st.deps.contacts.ownerOf('email', a);
    expect(await st.deps.campaigns.getSend(day37?.campaignId as string, id as string)).toMatchObject({
      status: 'skipped',
      reason: 'cooldown',
    });

    // After the cooldown, the next lapse is welcome again.
    clock.advance(DAY);
    await purchase(st, a, clock.now(), `back2-${t}`);
    clock.advance(31 * DAY);
    await run(st);
    expect(await mailsTo(st, a)).toHaveLength(2);
  });

  it('sends the reminder to whoever did not respond, with the same coupon; a redemption stops it', async () => {
    const { st, clock } = await stack();
    const t = tag();
    const redeemer = `r-${t}@x.test`;
    const silent = `s-${t}@x.test`;
    const opener = `o-${t}@x.test`;
    await customers(st, [
      { email: redeemer, phone: '+33614000001', lastPurchase: daysAgo(40) },
      { email: silent, phone: '+33614000002', lastPurchase: daysAgo(40) },
      { email: opener, phone: '+33614000003', lastPurchase: daysAgo(40) },
    ]);
    const automation = await st.call('POST', '/v1/automations', {
      json: winback({
        backlog: true,
        offer,
        steps: [{ waitDays: 3, unless: 'opened', template: 'winback', channel: 'sms' }],
      }),
    });
    expect(automation.status).toBe(201);
    const [first] = await run(st);
    const code = async (address: string) =>
      /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\b/.exec(
        (await mailsTo(st, address))[0]?.text ?? '',
      )?.[1];

    // One redeems the coupon at the till; another opens the email (a person, a minute later).
    const till = (await st.call('POST', '/v1/keys', { json: { role: 'store', storeId: 'lyon' } })).body.key;
    clock.advance(DAY);
    const redeemed = await st.call('POST', `/v1/coupons/${await code(redeemer)}/redeem`, {
      key: till,
      json: { receiptRef: `T-${t}`, basketAmount: 80, currency: 'EUR', channel: 'store' },
    });
    expect(redeemed.status).toBe(200);
    const pixel = /src="([^"]+\/t\/o\/[^"]+)"/.exec((await mailsTo(st, opener))[0]?.html ?? '')?.[1];
    await fetch(pixel as string, { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605' } });
    const redeemerId = await st.deps.contacts.ownerOf('email', redeemer);
    await waitFor(async () =>
      (await st.deps.contacts.get(redeemerId as string))?.lastPurchaseAt ? true : undefined,
    );
    await waitFor(async () => {
      const r = (await st.call('GET', `/v1/campaigns/${first?.campaignId}/report`)).body;
      return r.opened.uniqueHuman === 1 ? true : undefined;
    });

    clock.advance(DAY); // day 2: the daily run (nobody newly lapsed), no reminder yet
    expect((await run(st)).map((r) => r.step)).toEqual([0]);
    clock.advance(DAY); // day 3: the reminder
    const reminder = (await run(st)).find((r) => r.step === 1);
    expect(reminder).toMatchObject({ step: 1 });
    const texts = st.smsOutbox.sent.filter((m) => m.tags.campaignId === reminder?.campaignId);
    expect(texts.map((m) => m.to)).toEqual(['+33614000002']);
    // The reminder carries the coupon of the first email.
    expect(texts[0]?.body).toContain(await code(silent));
    const counts = (await st.call('GET', `/v1/campaigns/${reminder?.campaignId}`)).body.counts;
    expect(counts).toMatchObject({ targeted: 1, sent: 1 });
    expect(await run(st)).toEqual([]);
  });
});

describe('frequency capping', () => {
  it('skips capped contacts across campaigns, reports them, and lets them through once the window passed', async () => {
    const { st, clock } = await stack({ FREQUENCY_CAP: '1/7' });
    const t = tag();
    const address = `c-${t}@x.test`;
    const csv = ['email,tags,email_consent', `${address},cap-${t},granted`, `d-${t}@x.test,cap-${t},granted`];
    await st.call('POST', '/v1/contacts/import', { body: csv.join('\n'), type: 'text/csv' });
    const send = async (segment: Record<string, unknown>) => {
      const c = await st.call('POST', '/v1/campaigns', {
        json: { name: 'Cap', channel: 'email', template: 'winback', segment, from },
      });
      await st.call('POST', `/v1/campaigns/${c.body.id}/send`);
      return waitForCampaign(st, c.body.id);
    };
    const only = await send({ tags: { any: [`cap-${t}`] }, attributes: {} });
    expect(only.counts).toMatchObject({ sent: 2, skipped: 0 });
    clock.advance(3 * DAY);
    const capped = await send({ tags: { any: [`cap-${t}`] } });
    expect(capped.counts).toMatchObject({ targeted: 2, sent: 0, skipped: 2 });
    const report = (await st.call('GET', `/v1/campaigns/${capped.id}/report`)).body;
    expect(report.capped).toBe(2);
    expect(await mailsTo(st, address)).toHaveLength(1);
    clock.advance(5 * DAY);
    const later = await send({ tags: { any: [`cap-${t}`] } });
    expect(later.counts).toMatchObject({ sent: 2, skipped: 0 });
    // The window rolled over: the message just sent counts now, and the next one is capped again.
    const again = await send({ tags: { any: [`cap-${t}`] } });
    expect(again.counts).toMatchObject({ sent: 0, skipped: 2 });
    expect(await mailsTo(st, address)).toHaveLength(2);
  });
});

describe('scheduled campaigns and local delivery time', () => {
  const campaign = (segmentTag: string, over: Record<string, unknown> = {}) => ({
    name: 'Later',
    channel: 'email',
    template: 'winback',
    segment: { tags: { any: [segmentTag] } },
    from,
    ...over,
  });

  it('schedules a campaign for later, starts it on time, and cancelling removes the schedule', async () => {
    const { st, clock } = await stack();
    const t = tag();
    await st.call('POST', '/v1/contacts/import', {
      body: ['email,tags,email_consent', `l-${t}@x.test,later-${t},granted`].join('\n'),
      type: 'text/csv',
    });
    const scheduler = st.deps.scheduler as LocalCampaignScheduler;
    const at = new Date(START.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+00:00');
    const c = (await st.call('POST', '/v1/campaigns', { json: campaign(`later-${t}`, { scheduleAt: at }) }))
      .body;
    const sent = await st.call('POST', `/v1/campaigns/${c.id}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('scheduled');
    expect((await st.call('POST', `/v1/campaigns/${c.id}/send`)).body.status).toBe('scheduled');
    expect(scheduler.pending).toEqual([c.id]);
    expect(await scheduler.fire()).toEqual([]); // not yet
    clock.advance(2 * 3_600_000);
    expect(await scheduler.fire()).toEqual([c.id]);
    const done = await waitForCampaign(st, c.id);
    expect(done.counts).toMatchObject({ sent: 1 });
    expect(done.sendRequestedAt).toBe(clock.now().toISOString());

    const other = (
      await st.call('POST', '/v1/campaigns', {
        json: campaign(`later-${t}`, {
          scheduleAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
        }),
      })
    ).body;
    await st.call('POST', `/v1/campaigns/${other.id}/send`);
    expect(scheduler.pending).toEqual([other.id]);
    expect((await st.call('POST', `/v1/campaigns/${other.id}/cancel`)).body.status).toBe('cancelled');
    expect(scheduler.pending).toEqual([]);

    const past = await st.call('POST', '/v1/campaigns', {
      json: campaign(`later-${t}`, { scheduleAt: '2020-01-01T10:00:00+01:00' }),
    });
    expect(past.status).toBe(400);
    expect(past.body.issues).toEqual([
      { path: 'scheduleAt', message: 'Schedule the campaign in the future' },
    ]);
  });

  it('delivers at the local hour in each contact’s time zone', async () => {
    const { st } = await stack(); // 10:30 in Paris, 04:30 in New York
    const t = tag();
    await st.call('POST', '/v1/contacts/import', {
      body: [
        'email,tags,email_consent,timeZone',
        `paris-${t}@x.test,local-${t},granted,Europe/Paris`,
        `ny-${t}@x.test,local-${t},granted,America/New_York`,
      ].join('\n'),
      type: 'text/csv',
    });
    const c = (
      await st.call('POST', '/v1/campaigns', { json: campaign(`local-${t}`, { localTime: '10:00' }) })
    ).body;
    await st.call('POST', `/v1/campaigns/${c.id}/send`);
    await waitFor(async () => ((await mailsTo(st, `paris-${t}@x.test`)).length === 1 ? true : undefined));
    const now = (await st.call('GET', `/v1/campaigns/${c.id}`)).body;
    expect(now.status).toBe('sending');
    expect(now.counts).toMatchObject({ targeted: 2, sent: 1, pending: 1 });
    expect(await mailsTo(st, `ny-${t}@x.test`)).toEqual([]);
    const ny = await st.deps.contacts.ownerOf('email', `ny-${t}@x.test`);
    expect(await st.deps.campaigns.getSend(c.id, ny as string)).toBeUndefined();
  });
});

describe('automations: birthdays', () => {
  it('wishes happy birthday on the day, in the contact’s zone, once a year', async () => {
    const { st, clock } = await stack();
    const t = tag();
    // 23 November is today (10:30 in Paris); the birth dates come with the file.
    const csv = [
      'email,email_consent,homeStoreId,Date de naissance',
      `today-${t}@b.fr,oui,lyon,23/11/1985`,
      `tomorrow-${t}@b.fr,oui,lyon,24/11/1990`,
      `nobirth-${t}@b.fr,oui,lyon,`,
    ];
    const imported = await st.call('POST', '/v1/contacts/import', { body: csv.join('\n'), type: 'text/csv' });
    expect(imported.body.rejected).toEqual([]);
    const created = await st.call('POST', '/v1/automations', {
      json: winback({
        name: 'Anniversaire',
        trigger: { kind: 'birthday' },
        backlog: true,
        cooldownDays: 300,
      }),
    });
    expect(created.status).toBe(201);
    await run(st);
    expect(await mailsTo(st, `today-${t}@b.fr`)).toHaveLength(1);
    expect(await mailsTo(st, `tomorrow-${t}@b.fr`)).toHaveLength(0);
    expect(await mailsTo(st, `nobirth-${t}@b.fr`)).toHaveLength(0);
    // The next day: the other one, and not the first again.
    clock.advance(DAY);
    await run(st);
    expect(await mailsTo(st, `today-${t}@b.fr`)).toHaveLength(1);
    expect(await mailsTo(st, `tomorrow-${t}@b.fr`)).toHaveLength(1);
    const bad = await st.call('POST', '/v1/automations', {
      json: winback({ trigger: { kind: 'birthday', daysBefore: 90 } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('trigger.daysBefore');
  });
});
