import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../../functions/domain/contacts/contact';
import { RfmCollector, rfmOfBase, rfmScores } from '../../../../functions/domain/segments/rfm';
import { inSegment, needsRfm, segmentSchema } from '../../../../functions/domain/segments/segment';
import { fakeDeps } from '../../../support/fakes';
import { contact, NOW } from '../campaigns/support';

const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

/** A customer with `n` store purchases, `spent` in total, the last one `last` days ago. */
const buyer = (id: string, n: number, spent: number, last: number, over: Partial<Contact> = {}) =>
  contact(id, {
    purchases: { store: n, web: 0, phone: 0 },
    totalSpent: spent,
    lastPurchaseAt: daysAgo(last),
    firstPurchaseAt: daysAgo(last + 100),
    lastPurchaseStoreId: 'paris-11',
    ...over,
  });

const matches = (segment: unknown, c: Contact) => inSegment(c, segmentSchema.parse(segment), NOW);

describe('purchase criteria', () => {
  it('number of purchases: min and max both included, every channel counted', () => {
    const c = buyer('c_1', 2, 80, 10, { purchases: { store: 2, web: 1, phone: 0 } });
    expect(matches({ purchases: { min: 3 } }, c)).toBe(true);
    expect(matches({ purchases: { min: 4 } }, c)).toBe(false);
    expect(matches({ purchases: { max: 3 } }, c)).toBe(true);
    expect(matches({ purchases: { max: 2 } }, c)).toBe(false);
  });

  it('total spend and average basket; someone who never bought has no average', () => {
    const c = buyer('c_1', 4, 200, 10);
    expect(matches({ totalSpend: { min: 200 } }, c)).toBe(true);
    expect(matches({ totalSpend: { min: 200.01 } }, c)).toBe(false);
    expect(matches({ averageBasket: { min: 50, max: 50 } }, c)).toBe(true);
    expect(matches({ averageBasket: { min: 51 } }, c)).toBe(false);
    const never = contact('c_2', { purchases: { store: 0, web: 0, phone: 0 } });
    expect(matches({ averageBasket: { max: 1000 } }, never)).toBe(false);
    expect(matches({ totalSpend: { max: 0 } }, never)).toBe(true);
  });

  it('the shop of the last purchase', () => {
    const c = buyer('c_1', 1, 30, 5, { lastPurchaseStoreId: 'lyon-2' });
    expect(matches({ lastPurchaseStoreIds: ['lyon-2', 'paris-11'] }, c)).toBe(true);
    expect(matches({ lastPurchaseStoreIds: ['paris-11'] }, c)).toBe(false);
    expect(matches({ lastPurchaseStoreIds: ['paris-11'] }, contact('c_2'))).toBe(false);
  });

  it('new customers: first purchase after a date; never bought is not new', () => {
    const c = buyer('c_1', 1, 30, 5, { firstPurchaseAt: daysAgo(20) });
    expect(matches({ firstPurchase: { after: daysAgo(30) } }, c)).toBe(true);
    expect(matches({ firstPurchase: { after: daysAgo(10) } }, c)).toBe(false);
    expect(matches({ firstPurchase: { before: daysAgo(10) } }, c)).toBe(true);
    expect(matches({ firstPurchase: { after: daysAgo(30) } }, contact('c_2'))).toBe(false);
  });

  it('birthday month from the birth date; no birth date, no match', () => {
    const c = contact('c_1', { birthDate: '1984-12-07' });
    expect(matches({ birthdayMonth: 12 }, c)).toBe(true);
    expect(matches({ birthdayMonth: 1 }, c)).toBe(false);
    expect(matches({ birthdayMonth: 12 }, contact('c_2'))).toBe(false);
  });

  it('refuses ranges upside down, months out of range and scores outside 1–5, naming the field', () => {
    const path = (s: unknown) => segmentSchema.safeParse(s).error?.issues[0]?.path.join('.');
    expect(path({ totalSpend: { min: 100, max: 10 } })).toBe('totalSpend.max');
    expect(path({ birthdayMonth: 13 })).toBe('birthdayMonth');
    expect(path({ rfm: { recency: { min: 6 } } })).toBe('rfm.recency.min');
    expect(path({ rfm: {} })).toBe('rfm');
    expect(path({ purchases: { min: -1 } })).toBe('purchases.min');
  });
});

describe('RFM scores', () => {
  // Ten customers: c_1 bought most recently, most often and spent the most; c_10 the least of all three.
  const base = Array.from({ length: 10 }, (_, i) =>
    buyer(`c_${i + 1}`, 10 - i, (10 - i) * 100, (i + 1) * 30),
  );
  const thresholds = () => {
    const collector = new RfmCollector(NOW);
    for (const c of [...base, contact('c_never', { purchases: { store: 0, web: 0, phone: 0 } })])
      collector.add(c);
    return collector.thresholds();
  };

  it('scores by quintile over those who bought, 5 the best for each figure', () => {
    const t = thresholds();
    expect(rfmScores(base[0] as Contact, t, NOW)).toEqual({ recency: 5, frequency: 5, monetary: 5 });
    expect(rfmScores(base[9] as Contact, t, NOW)).toEqual({ recency: 1, frequency: 1, monetary: 1 });
    const all = base.map((c) => rfmScores(c, t, NOW)?.recency);
    // Two customers per quintile.
    expect(all).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('someone who never bought has no score and is in no RFM segment', () => {
    const never = contact('c_never', { purchases: { store: 0, web: 0, phone: 0 } });
    expect(rfmScores(never, thresholds(), NOW)).toBeUndefined();
    expect(inSegment(never, segmentSchema.parse({ rfm: { recency: { max: 5 } } }), NOW, thresholds())).toBe(
      false,
    );
  });

  it('an RFM segment: the best customers (recency and frequency 4 or 5)', () => {
    const segment = segmentSchema.parse({ rfm: { recency: { min: 4 }, frequency: { min: 4 } } });
    expect(needsRfm(segment)).toBe(true);
    expect(needsRfm(segmentSchema.parse({ tags: { any: ['vip'] } }))).toBe(false);
    const t = thresholds();
    expect(base.filter((c) => inSegment(c, segment, NOW, t)).map((c) => c.id)).toEqual([
      'c_1',
      'c_2',
      'c_3',
      'c_4',
    ]);
    // Without the base's cut-offs nobody can be scored: nobody matches rather than everybody.
    expect(base.filter((c) => inSegment(c, segment, NOW)).length).toBe(0);
  });

  it('rfmOfBase reads the whole base page by page, with the same cut-offs as one pass', async () => {
    const deps = fakeDeps();
    for (const c of base) deps.contacts.items.set(c.id, c);
    expect(await rfmOfBase(deps.contacts, NOW)).toEqual(thresholds());
  });
});
