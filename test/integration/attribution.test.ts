import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailTo, sampleStore, startTestStack, type TestStack, waitForCampaign } from './helpers';

let s: TestStack;
const from = { name: 'Maison Relance', address: 'bonjour@relance.test' };
const offer = {
  kind: 'percent',
  value: 20,
  description: { fr: '-20 % sur tout', en: '20% off' },
  validDays: 30,
  stores: 'all',
};

beforeAll(async () => {
  s = await startTestStack();
  await s.call('PUT', '/v1/stores/lyon', { json: sampleStore({ name: 'Maison Lyon' }) });
});
afterAll(() => s?.stop());

/** `n` customers of the Lyon shop who agreed to email, tagged `tag`. */
async function importRows(st: TestStack, n: number, tag: string) {
  const rows = Array.from({ length: n }, (_, i) => `${tag}${i}@example.fr,Client ${i},lyon,oui,${tag}`);
  const res = await st.call('POST', '/v1/contacts/import', {
    body: ['email,firstName,homeStoreId,email_consent,tags', ...rows].join('\n'),
    type: 'text/csv',
  });
  expect(res.status).toBe(200);
  expect(res.body.created).toBe(n);
}

describe('holdout groups and the visits a campaign brings', () => {
  it('refuses a holdout share or a window out of range, naming the field', async () => {
    const base = { name: 'x', channel: 'email', template: 'winback', segment: {}, from };
    for (const [over, path] of [
      [{ holdout: { share: 0.6 } }, 'holdout.share'],
      [{ holdout: { share: -0.1 } }, 'holdout.share'],
      [{ attributionDays: 0 }, 'attributionDays'],
      [{ attributionDays: 91 }, 'attributionDays'],
    ] as const) {
      const res = await s.call('POST', '/v1/campaigns', { json: { ...base, ...over } });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.issues[0].path).toBe(path);
    }
  });

  it('holds a share out, sends them nothing, and reports the lift over their purchases', async () => {
    await importRows(s, 300, 'lift');
    const created = await s.call('POST', '/v1/campaigns', {
      json: {
        name: 'Lift',
        channel: 'email',
        template: 'winback',
        segment: { tags: { any: ['lift'] } },
        from,
        offer,
        holdout: { share: 0.3 },
        attributionDays: 14,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await s.call('POST', `/v1/campaigns/${id}/send`)).status).toBe(202);
    const done = await waitForCampaign(s, id);
    const held = done.counts.holdout as number;
    expect(held).toBeGreaterThan(50);
    expect(held).toBeLessThan(130);
    expect(done.counts.sent).toBe(300 - held);

    // Who was held out: the CSV's group column; they received no email.
    const csv = await s.call('GET', `/v1/campaigns/${id}/report.csv`);
    const lines = ((csv.body as string) ?? '').trim().split('\n');
    const header = (lines[0] ?? '').split(',');
    const col = (name: string) => header.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    const holdout = rows
      .filter((r) => r[col('group')] === 'holdout')
      .map((r) => r[col('contact_id')] as string);
    const treated = rows
      .filter((r) => r[col('group')] === 'treated')
      .map((r) => r[col('contact_id')] as string);
    expect(holdout).toHaveLength(held);
    expect(treated).toHaveLength(300 - held);
    const address = (r: string[] | undefined) => r?.[col('email')] as string;
    const heldRow = rows.find((r) => r[col('group')] === 'holdout');
    const sentRow = rows.find((r) => r[col('group')] === 'treated');
    expect(await mailTo(s, address(heldRow))).toEqual([]);
    expect((await mailTo(s, address(sentRow))).length).toBe(1);
    expect(heldRow?.[col('coupon_code')]).toBe('');

    // Half of the recipients come back, a fifth of the holdout.
    const now = new Date().toISOString();
    const buy = async (contact: string, i: number) => {
      const r = await s.call('POST', '/v1/purchases', {
        json: {
          contact,
          storeId: 'lyon',
          amount: 40,
          currency: 'EUR',
          at: now,
          channel: 'store',
          ref: `lift-${contact}-${i}`,
        },
      });
      expect(r.status).toBe(201);
    };
    for (const [i, c] of treated.entries()) if (i % 2 === 0) await buy(c, i);
    for (const [i, c] of holdout.entries()) if (i % 5 === 0) await buy(c, i);

    const report = await s.call('GET', `/v1/campaigns/${id}/report`);
    expect(report.status).toBe(200);
    const a = report.body.attribution;
    expect(a.basis).toBe('incremental');
    expect(a.provisional).toBe(true);
    expect(a.treated.people).toBe(treated.length);
    expect(a.holdout.people).toBe(held);
    expect(a.treated.responders).toBe(Math.ceil(treated.length / 2));
    expect(a.holdout.responders).toBe(Math.ceil(held / 5));
    expect(a.lift.absolute.difference).toBeCloseTo(
      Math.ceil(treated.length / 2) / treated.length - Math.ceil(held / 5) / held,
      9,
    );
    expect(a.lift.absolute.low).toBeLessThan(a.lift.absolute.difference);
    expect(a.lift.verdict).toBe('significant');
    expect(report.body.cost.revenueBasis).toBe('incremental');
    // The Lyon shop's till traffic: the 28 days before the send and today, the recipients' receipts in it.
    const lyon = report.body.traffic.shops.find((x: { storeId: string }) => x.storeId === 'lyon');
    expect(report.body.traffic.days).toHaveLength(29);
    expect(lyon.receipts.at(-1)).toBe(a.treated.receipts + a.holdout.receipts);
    expect(lyon.after.receiptsPerDay).toBe(a.treated.receipts + a.holdout.receipts);

    const html = await s.call('GET', `/v1/campaigns/${id}/report.html?lang=fr`);
    expect(html.body as string).toContain('Visites apportées par le message');
    expect(html.body as string).toContain('data-verdict="significant"');
    expect(html.body as string).toContain('Groupe témoin');
    expect(html.body as string).toContain('Fréquentation des magasins autour de l’envoi');

    // Raw bytes: fetch's text() would drop the byte order mark Excel needs.
    const excel = await fetch(`${s.url}/v1/campaigns/${id}/report.csv?dialect=excel-fr`, {
      headers: { authorization: `Bearer ${s.key}` },
    });
    const bytes = Buffer.from(await excel.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('contact_id;email;status;')).toBe(true);
    expect(text).toMatch(/;treated;/);
    expect(text).toMatch(/;holdout;/);
  });

  it('sums every campaign of a period in the management view (JSON, CSV, HTML)', async () => {
    const day = 86_400_000;
    const from = new Date(Date.now() - day).toISOString();
    const to = new Date(Date.now() + day).toISOString();
    const res = await s.call('GET', `/v1/reports/summary?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const line = res.body.lines.find((l: { name: string }) => l.name === 'Lift');
    expect(line).toMatchObject({ kind: 'campaign', campaigns: 1, provisional: true });
    expect(line.messages).toBeGreaterThan(150);
    expect(line.attributedVisits).toBeGreaterThan(0);
    expect(line.incrementalVisits).toBeGreaterThan(0);
    expect(line.costPerIncrementalVisit).toBeGreaterThan(0);
    expect(res.body.totals.messages).toBeGreaterThanOrEqual(line.messages);

    const html = await s.call('GET', `/v1/reports/summary.html?from=${from}&to=${to}&lang=fr`);
    expect(html.status).toBe(200);
    expect(html.body as string).toContain('Ce que les messages ont apporté');
    const csv = await fetch(`${s.url}/v1/reports/summary.csv?from=${from}&to=${to}&dialect=excel-fr`, {
      headers: { authorization: `Bearer ${s.key}` },
    });
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toMatch(/^kind;id;name;campaigns;messages;/);

    const past = await s.call('GET', '/v1/reports/summary?from=2020-01-01&to=2020-02-01');
    expect(past.body.lines).toEqual([]);
    for (const [q, path] of [
      [`from=${to}&to=${from}`, 'query.to'],
      ['to=2026-01-01', 'query.from'],
      ['from=yesterday&to=2026-01-01', 'query.from'],
    ] as const) {
      const bad = await s.call('GET', `/v1/reports/summary?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.issues[0].path, q).toBe(path);
    }
  });
});
