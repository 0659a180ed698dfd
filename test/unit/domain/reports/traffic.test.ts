import { describe, expect, it } from 'vitest';
import type { Receipt } from '../../../../functions/domain/purchases/receipt';
import { shopTraffic } from '../../../../functions/domain/reports/traffic';
import { fakeDeps } from '../../../support/fakes';

const receipt = (storeId: string, day: string, n: number, over: Partial<Receipt> = {}): Receipt => ({
  storeId,
  ref: `${day}-${n}`,
  at: `${day}T10:00:00.000Z`,
  day,
  amount: 20,
  currency: 'EUR',
  channel: 'store',
  recordedAt: `${day}T10:00:00.000Z`,
  ...over,
});

describe('shopTraffic', () => {
  it('counts each shop’s receipts per day over the 28 days before the send and the window after', async () => {
    const d = fakeDeps(['paris', 'lyon']);
    // Paris: 2 receipts a day before the send, 3 after (one of a known customer), baskets 20 then 30.
    for (let i = 1; i <= 28; i++) {
      const day = new Date(Date.UTC(2026, 2, 2) - i * 86_400_000).toISOString().slice(0, 10);
      for (let n = 0; n < 2; n++) d.receipts.items.set(`paris-${day}-${n}`, receipt('paris', day, n));
    }
    for (let i = 0; i < 14; i++) {
      const day = new Date(Date.UTC(2026, 2, 2) + i * 86_400_000).toISOString().slice(0, 10);
      for (let n = 0; n < 3; n++)
        d.receipts.items.set(
          `paris-${day}-${n}`,
          receipt('paris', day, n, { amount: 30, ...(n === 0 ? { contactId: 'c_1' } : {}) }),
        );
    }
    const t = await shopTraffic(
      { ...d, timeZone: 'Europe/Paris' },
      { sendRequestedAt: '2026-03-02T09:00:00.000Z', attributionDays: 14 },
      new Date('2026-04-01T00:00:00.000Z'),
    );
    expect(t?.days).toHaveLength(42);
    expect(t?.days[0]).toBe('2026-02-02');
    expect(t?.sendDay).toBe('2026-03-02');
    const paris = t?.shops.find((s) => s.storeId === 'paris');
    expect(paris?.before).toEqual({ receiptsPerDay: 2, averageBasket: 20 });
    expect(paris?.after).toEqual({ receiptsPerDay: 3, averageBasket: 30 });
    expect(paris?.known[28]).toBe(1);
    expect(paris?.receipts[27]).toBe(2);
    const lyon = t?.shops.find((s) => s.storeId === 'lyon');
    expect(lyon?.before).toEqual({ receiptsPerDay: 0, averageBasket: null });
    expect(lyon?.averageBasket.every((b) => b === null)).toBe(true);
  });

  it('stops at today while the window is open, and shows nothing before the send started', async () => {
    const d = fakeDeps(['paris']);
    const deps = { ...d, timeZone: 'Europe/Paris' };
    const t = await shopTraffic(
      deps,
      { sendRequestedAt: '2026-03-02T09:00:00.000Z' },
      new Date('2026-03-04T12:00:00.000Z'),
    );
    expect(t?.days.at(-1)).toBe('2026-03-04');
    expect(t?.days).toHaveLength(31);
    expect(await shopTraffic(deps, {}, new Date())).toBeNull();
  });
});
