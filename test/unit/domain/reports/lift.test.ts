import { describe, expect, it } from 'vitest';
import type { SendRecord } from '../../../../functions/domain/campaigns/send-record';
import type { Purchase } from '../../../../functions/domain/purchases/purchase';
import { measureAttribution } from '../../../../functions/domain/reports/lift';
import { newcombeDifference } from '../../../../functions/domain/reports/stats';
import { fakeDeps } from '../../../support/fakes';

const SENT = Date.parse('2026-03-02T09:00:00.000Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

function world(now = SENT + 30 * DAY) {
  const d = fakeDeps();
  d.clock.set(new Date(now));
  let n = 0;
  const record = (contactId: string, status: SendRecord['status'], over: Partial<SendRecord> = {}) =>
    d.sends.put({
      campaignId: 'cmp_1',
      contactId,
      status,
      claimedAt: iso(SENT - 60_000),
      ...(status === 'sent' ? { settledAt: iso(SENT) } : {}),
      ...over,
    });
  const buy = (contactId: string, at: number, amount = 40, over: Partial<Purchase> = {}) =>
    d.purchases.items.set(`${contactId}#p${n}`, {
      id: `p${n++}`,
      contactId,
      storeId: 'paris',
      amount,
      currency: 'EUR',
      at: iso(at),
      channel: 'store',
      recordedAt: iso(at),
      ...over,
    });
  return { d, record, buy };
}

describe('measureAttribution', () => {
  it('counts each group’s purchases within the window, and the lift between them', async () => {
    const { d, record, buy } = world();
    // 1,000 recipients of whom 300 bought within 14 days; 1,000 held out of whom 200 did.
    for (let i = 0; i < 1000; i++) {
      record(`t${i}`, 'sent');
      record(`h${i}`, 'holdout', { claimedAt: iso(SENT) });
      if (i < 300) buy(`t${i}`, SENT + (1 + (i % 13)) * DAY, 50);
      if (i < 200) buy(`h${i}`, SENT + (1 + (i % 13)) * DAY, 40);
    }
    // Outside the window, or before the message: not counted.
    buy('t999', SENT + 15 * DAY, 999);
    buy('t998', SENT - DAY, 999);
    buy('h999', SENT + 20 * DAY, 999);
    const a = await measureAttribution(d, { id: 'cmp_1', holdout: { share: 0.5 } }, { currency: 'EUR' });
    expect(a.basis).toBe('incremental');
    expect(a.windowDays).toBe(14);
    expect(a.provisional).toBe(false);
    expect(a.treated).toMatchObject({ people: 1000, responders: 300, receipts: 300, revenue: 15_000 });
    expect(a.holdout).toMatchObject({ people: 1000, responders: 200, receipts: 200, revenue: 8000 });
    expect(a.treated.averageBasket).toBe(50);
    expect(a.treated.revenuePerPerson).toBe(15);
    const expected = newcombeDifference(300, 1000, 200, 1000);
    expect(a.lift?.absolute).toEqual(expected);
    expect(a.lift?.absolute.difference).toBeCloseTo(0.1, 12);
    expect(a.lift?.relative).toBeCloseTo(0.5, 12);
    expect(a.lift?.incrementalResponders.value).toBeCloseTo(100, 9);
    expect(a.lift?.incrementalResponders.low).toBeCloseTo((expected?.low ?? 0) * 1000, 9);
    // Revenue per person 15 against 8: 7,000 brought by the 1,000 recipients.
    expect(a.lift?.incrementalRevenue?.value).toBeCloseTo(7000, 6);
    expect(a.lift?.incrementalRevenue?.low).toBeLessThan(7000);
    expect(a.lift?.incrementalRevenue?.high).toBeGreaterThan(7000);
    expect(a.lift?.pValue).toBeLessThan(0.001);
    expect(a.lift?.verdict).toBe('significant');
    expect(a.byChannel).toEqual({ store: 300, web: 0, phone: 0 });
    expect(a.byStore).toEqual([{ storeId: 'paris', receipts: 300, revenue: 15_000 }]);
    expect(a.summary).toMatch(/significant/);
    // Who had bought by the end of each day: rising to the response rates.
    expect(a.curves.treated).toHaveLength(14);
    expect(a.curves.treated.at(-1)).toBeCloseTo(0.3, 12);
    expect(a.curves.holdout?.at(-1)).toBeCloseTo(0.2, 12);
    expect(a.curves.treated[0]).toBe(0);
    for (let i = 1; i < 14; i++)
      expect(a.curves.treated[i]).toBeGreaterThanOrEqual(a.curves.treated[i - 1] ?? 0);
  });

  it('says the figures are attributed, not incremental, without a holdout', async () => {
    const { d, record, buy } = world();
    for (let i = 0; i < 50; i++) record(`t${i}`, 'sent');
    buy('t1', SENT + DAY);
    const a = await measureAttribution(d, { id: 'cmp_1' });
    expect(a.basis).toBe('attributed');
    expect(a.holdout).toBeNull();
    expect(a.lift).toBeNull();
    expect(a.treated.responders).toBe(1);
    expect(a.summary).toMatch(/attributed/);
  });

  it('says so when the holdout group has nobody, instead of dividing by zero', async () => {
    const { d, record } = world();
    for (let i = 0; i < 10; i++) record(`t${i}`, 'sent');
    const a = await measureAttribution(d, { id: 'cmp_1', holdout: { share: 0.1 } });
    expect(a.holdout).toMatchObject({ people: 0, responseRate: null, revenuePerPerson: null });
    expect(a.lift).toBeNull();
    expect(a.summary).toMatch(/holdout group has nobody/);
  });

  it('is provisional while a window is still open, and measures the holdout from when it would have been messaged', async () => {
    const { d, record, buy } = world(SENT + 5 * DAY);
    record('t1', 'sent');
    // Held out a day later (a later page of the plan): their window starts then.
    record('h1', 'holdout', { claimedAt: iso(SENT + DAY) });
    buy('h1', SENT + DAY / 2);
    buy('h1', SENT + 2 * DAY);
    const a = await measureAttribution(d, { id: 'cmp_1', holdout: { share: 0.1 } });
    expect(a.provisional).toBe(true);
    expect(a.windowEndsAt).toBe(iso(SENT + 15 * DAY));
    expect(a.holdout?.receipts).toBe(1);
    expect(a.summary).toMatch(/provisional/);
  });

  it('counts a contact emailed and texted once, and leaves out failed and skipped messages', async () => {
    const { d, record, buy } = world();
    record('t1', 'sent');
    record('t1', 'sent', { channel: 'sms', settledAt: iso(SENT + 60_000) });
    record('t2', 'failed');
    record('t3', 'skipped');
    buy('t1', SENT + DAY);
    buy('t2', SENT + DAY);
    const a = await measureAttribution(d, { id: 'cmp_1', attributionDays: 3 });
    expect(a.windowDays).toBe(3);
    expect(a.treated).toMatchObject({ people: 1, responders: 1, receipts: 1 });
  });

  it('sums revenue in the stack’s currency only', async () => {
    const { d, record, buy } = world();
    record('t1', 'sent');
    buy('t1', SENT + DAY, 30);
    buy('t1', SENT + 2 * DAY, 5000, { currency: 'JPY' });
    const a = await measureAttribution(d, { id: 'cmp_1' }, { currency: 'EUR' });
    expect(a.treated).toMatchObject({ receipts: 1, revenue: 30 });
  });

  it('tells a group too small to conclude from a real absence of lift', async () => {
    const small = world();
    for (let i = 0; i < 20; i++) {
      small.record(`t${i}`, 'sent');
      small.record(`h${i}`, 'holdout');
      if (i < 3) small.buy(`t${i}`, SENT + DAY);
      if (i < 2) small.buy(`h${i}`, SENT + DAY);
    }
    const s = await measureAttribution(small.d, { id: 'cmp_1', holdout: { share: 0.5 } });
    expect(s.lift?.verdict).toBe('too_small_to_tell');
    expect(s.summary).toMatch(/Too small to tell/);

    const big = world();
    for (let i = 0; i < 4000; i++) {
      big.record(`t${i}`, 'sent');
      big.record(`h${i}`, 'holdout');
      if (i % 10 === 0) big.buy(`t${i}`, SENT + DAY);
      if (i % 10 === 1) big.buy(`h${i}`, SENT + DAY);
    }
    const b = await measureAttribution(big.d, { id: 'cmp_1', holdout: { share: 0.5 } });
    expect(b.lift?.absolute.difference).toBe(0);
    expect(b.lift?.verdict).toBe('not_significant');
  });
});
