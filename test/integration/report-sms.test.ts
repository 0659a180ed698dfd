import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fakes';
import { idByPhone, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

/**
 * The reports of campaigns that text: the CSV has one row per message (a
 * contact emailed and texted has two), with its channel and SMS segments; the
 * HTML page has an SMS section, and leaves out the email cards of an SMS-only
 * campaign.
 */
let s: TestStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** 11:00 in Paris: outside the default quiet hours. */
const DAYTIME = new Date('2026-11-23T10:00:00Z');
/** A coupon with every message: the action → response table comes with the coupons. */
const offer = {
  kind: 'percent',
  value: 15,
  description: { fr: '-15 % sur tout le magasin', en: '15% off everything' },
  validDays: 30,
  stores: 'all',
};
const phone = (i: number) => `+336120001${String(i).padStart(2, '0')}`;

async function stack() {
  s = await startTestStack({
    clock: new FakeClock(DAYTIME),
    sendRatePerSecond: 10_000,
    env: { REQUEUE_DELAY_SECONDS: '0' },
    overrides: { sleep: async () => undefined },
  });
  const st = s;
  expect(
    (await st.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Lyon Centre' }) })).status,
  ).toBe(201);
  return st;
}

async function importRows(st: TestStack, header: string, rows: string[]) {
  const res = await st.call('POST', '/v1/contacts/import', {
    body: [header, ...rows].join('\n'),
    type: 'text/csv',
  });
  expect(res.status).toBe(200);
  expect(res.body.rejected).toEqual([]);
}

async function sendCampaign(st: TestStack, json: Record<string, unknown>) {
  const c = await st.call('POST', '/v1/campaigns', {
    json: { name: 'Report SMS', template: 'winback', segment: { tags: { any: ['x'] } }, offer, ...json },
  });
  expect(c.status).toBe(201);
  expect((await st.call('POST', `/v1/campaigns/${c.body.id}/send`)).status).toBe(202);
  await waitForCampaign(st, c.body.id);
  return c.body.id as string;
}

type Row = Record<string, string>;

async function csvRows(st: TestStack, id: string): Promise<{ header: string[]; rows: Row[] }> {
  const res = await st.call('GET', `/v1/campaigns/${id}/report.csv`);
  expect(res.status).toBe(200);
  const text = res.body as string;
  const header = (parse(text, { to_line: 1 }) as string[][])[0] ?? [];
  return { header, rows: parse(text, { columns: true }) as Row[] };
}

const ownerOf = async (st: TestStack, phoneNumber: string) => (await idByPhone(st, phoneNumber)) as string;

describe('the report of an SMS campaign', () => {
  it('exports one CSV row per SMS, with its channel and segments after the existing columns', async () => {
    const st = await stack();
    await importRows(st, 'phone,tags,sms_consent', [`${phone(1)},x,granted`, `${phone(2)},x,granted`]);
    const id = await sendCampaign(st, { channel: 'sms' });
    expect(st.smsOutbox.sent.filter((m) => m.tags.campaignId === id)).toHaveLength(2);

    const { header, rows } = await csvRows(st, id);
    expect(header.slice(0, 3)).toEqual(['contact_id', 'email', 'status']);
    // The SMS columns come right after the email ones (and before those added since).
    const at = header.indexOf('error');
    expect(header.slice(at, at + 4)).toEqual(['error', 'channel', 'segments', 'phone']);
    expect(rows).toHaveLength(2);
    const ids = [await ownerOf(st, phone(1)), await ownerOf(st, phone(2))];
    expect(rows.map((r) => r.contact_id).sort()).toEqual([...ids].sort());
    for (const r of rows) {
      expect(r).toMatchObject({
        email: '',
        status: 'sent',
        channel: 'sms',
        phone: expect.stringMatching(/^\+33/),
      });
      expect(Number(r.segments)).toBeGreaterThanOrEqual(1);
      expect(r.sent_at).toMatch(/^20\d\d-/);
    }

    const html = await st.call('GET', `/v1/campaigns/${id}/report.html?lang=en`);
    expect(html.status).toBe(200);
    const page = html.body as string;
    expect(page).toContain('<h2 id="sms-h">SMS</h2>');
    expect(page).toMatch(
      /<svg class="funnel" data-funnel="sms"[^>]*aria-label="SMS funnel: Targeted 2 → Sent 2 → /,
    );
    expect(page).toContain(
      '<tr data-action="sms"><th scope="row">SMS<span class="count">2 recipients</span>',
    );
    // No email was sent: no email funnel, opens, email rates or bounces.
    for (const card of [
      'data-funnel="campaign"',
      'id="pm-h"',
      'id="rates-h"',
      'id="health-h"',
      'id="links-h"',
    ]) {
      expect(page, card).not.toContain(card);
    }
    const fr = (await st.call('GET', `/v1/campaigns/${id}/report.html?lang=fr`)).body as string;
    expect(fr).toContain('Entonnoir des SMS');
  });

  it('exports both messages of a contact emailed and texted, each on its own row', async () => {
    const st = await stack();
    await importRows(st, 'email,phone,tags,email_consent,sms_consent', [
      `both@report-sms.test,${phone(1)},x,granted,granted`,
      `,${phone(2)},x,,granted`,
      `mail@report-sms.test,,x,granted,`,
    ]);
    const id = await sendCampaign(st, {
      channel: 'email+sms',
      from: { name: 'Relance', address: 'hello@relance.test' },
      sms: { to: 'all' },
    });

    const { rows } = await csvRows(st, id);
    expect(rows).toHaveLength(4);
    const both = await ownerOf(st, phone(1));
    const ofBoth = rows.filter((r) => r.contact_id === both);
    expect(ofBoth.map((r) => r.channel).sort()).toEqual(['email', 'sms']);
    for (const r of ofBoth) expect(r).toMatchObject({ email: 'both@report-sms.test', status: 'sent' });
    expect(ofBoth.find((r) => r.channel === 'email')?.segments).toBe('');
    expect(Number(ofBoth.find((r) => r.channel === 'sms')?.segments)).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.channel === 'sms')).toHaveLength(2);
    expect(rows.find((r) => r.email === 'mail@report-sms.test')).toMatchObject({
      channel: 'email',
      segments: '',
    });

    const page = (await st.call('GET', `/v1/campaigns/${id}/report.html?lang=en`)).body as string;
    expect(page).toContain('<h2 id="funnel-h">Funnel · Email</h2>');
    expect(page).toContain('4 messages targeted, 4 sent: 2 emails and 2 SMS');
    expect(page).toMatch(/aria-label="Email funnel: Sent 2 → /);
    expect(page).toMatch(/aria-label="SMS funnel: Sent 2 → /);
    expect(page).toContain('<tr data-action="email">');
    expect(page).toContain('<tr data-action="sms">');
  });
});
