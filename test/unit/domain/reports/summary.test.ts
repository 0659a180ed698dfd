import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../../functions/domain/campaigns/campaign';
import { reportSummary, summaryCsv, summaryQuerySchema } from '../../../../functions/domain/reports/summary';
import { fakeDeps } from '../../../support/fakes';
import { campaign, content } from '../campaigns/support';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
const units = {
  currency: 'EUR',
  emailPer1000: 0.1,
  smsPerSegment: 0.075,
  smsPerSegmentByCountry: {},
  postalLetter: 1.6,
};

async function world() {
  const d = fakeDeps(['paris']);
  d.clock.set(new Date(T0 + 30 * DAY));
  const deps = { ...d, timeZone: 'Europe/Paris' };
  const add = async (over: Partial<Campaign>, sentAt: number, contacts: string[]) => {
    const c = campaign({
      status: 'sent',
      sendRequestedAt: iso(sentAt),
      createdAt: iso(sentAt - DAY),
      counts: { targeted: contacts.length, sent: contacts.length, failed: 0, skipped: 0 },
      ...over,
    });
    await d.campaigns.create(c, content(c.id));
    for (const k of contacts)
      d.sends.put({
        campaignId: c.id,
        contactId: k,
        status: 'sent',
        claimedAt: iso(sentAt),
        settledAt: iso(sentAt),
      });
  };
  const buy = (contactId: string, at: number, amount: number, id: string) =>
    d.purchases.items.set(`${contactId}#${id}`, {
      id,
      contactId,
      storeId: 'paris',
      amount,
      currency: 'EUR',
      at: iso(at),
      channel: 'store',
      recordedAt: iso(at),
    });
  return { deps, add, buy };
}

describe('reportSummary', () => {
  it('credits a purchase to the last message before it, so totals never count it twice', async () => {
    const w = await world();
    await w.add({ id: 'cmp_a', name: 'Spring' }, T0, ['c_1', 'c_2']);
    await w.add({ id: 'cmp_b', name: 'Easter' }, T0 + 2 * DAY, ['c_1']);
    // c_1 bought on day 3: in both windows, the Easter message came last. c_2 bought on day 1.
    w.buy('c_1', T0 + 3 * DAY, 50, 'p1');
    w.buy('c_2', T0 + DAY, 20, 'p2');
    const s = await reportSummary(w.deps, { from: iso(T0 - DAY), to: iso(T0 + 10 * DAY) }, units);
    const spring = s.lines.find((l) => l.id === 'cmp_a');
    const easter = s.lines.find((l) => l.id === 'cmp_b');
    expect(spring).toMatchObject({ attributedVisits: 1, attributedRevenue: 20, messages: 2 });
    expect(easter).toMatchObject({ attributedVisits: 1, attributedRevenue: 50, messages: 1 });
    expect(s.totals).toMatchObject({ attributedVisits: 2, attributedRevenue: 70, messages: 3, campaigns: 2 });
    expect(s.totals.incrementalVisits).toBeNull();
  });

  it('puts an automation’s runs and reminders in one line, with one letter per person reached', async () => {
    const w = await world();
    const auto = (id: string, step: number, runDay: string) => ({
      id,
      name: `Relance 6 mois · ${runDay}${step ? ' · reminder 1' : ''}`,
      automation: { id: 'aut_1', step, runDay },
    });
    await w.add(auto('cmp_r1', 0, '2026-03-02'), T0, ['c_1', 'c_2']);
    await w.add(auto('cmp_r2', 0, '2026-03-03'), T0 + DAY, ['c_3']);
    await w.add(auto('cmp_r3', 1, '2026-03-02'), T0 + 3 * DAY, ['c_1']);
    const s = await reportSummary(w.deps, { from: iso(T0 - DAY), to: iso(T0 + 10 * DAY) }, units);
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]).toMatchObject({
      kind: 'automation',
      id: 'aut_1',
      name: 'Relance 6 mois',
      campaigns: 3,
      messages: 4,
    });
    expect(s.lines[0]?.postal).toBe(4.8);
    const csv = summaryCsv(s, 'excel-fr');
    expect(csv.startsWith('\uFEFFkind;id;name;')).toBe(true);
    expect(csv).toContain('automation;aut_1;Relance 6 mois;3;4;');
    expect(csv).toContain('total;;;3;4;');
    expect(csv).toContain(';4,8;');
  });

  it('leaves out campaigns that started outside the period, and refuses a period backwards or too long', async () => {
    const w = await world();
    await w.add({ id: 'cmp_old' }, T0 - 60 * DAY, ['c_1']);
    const s = await reportSummary(w.deps, { from: iso(T0 - DAY), to: iso(T0 + DAY) }, units);
    expect(s.lines).toEqual([]);
    expect(s.totals.messages).toBe(0);
    const bad = (q: Record<string, string>) =>
      summaryQuerySchema.safeParse(q).error?.issues[0]?.path.join('.');
    expect(bad({ from: '2026-03-02', to: '2026-03-01' })).toBe('to');
    expect(bad({ from: '2025-01-01', to: '2026-03-01' })).toBe('to');
    expect(bad({ from: 'yesterday', to: '2026-03-01' })).toBe('from');
  });
});
