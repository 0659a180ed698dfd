import { describe, expect, it } from 'vitest';
import { matchesTrigger, triggerSchema } from '../../../../functions/domain/segments/triggers';
import { contact } from '../campaigns/support';

/** A daily run's window: the 24 hours before `before`. */
const day = (before: string) => ({ after: new Date(Date.parse(before) - 86_400_000).toISOString(), before });
const birthday = (daysBefore = 0) => triggerSchema.parse({ kind: 'birthday', daysBefore });

describe('birthday trigger', () => {
  const ann = contact('c_1', { birthDate: '1985-03-14', timeZone: 'Europe/Paris' });

  it('matches on the run that follows midnight of the birthday in the contact’s zone, once', () => {
    // Midnight of 14 March 2026 in Paris is 23:00 UTC on the 13th: the 10:00 run of the 14th picks it up.
    const runs = ['2026-03-13T09:00:00.000Z', '2026-03-14T09:00:00.000Z', '2026-03-15T09:00:00.000Z'];
    expect(runs.map((r) => matchesTrigger(ann, birthday(), day(r)))).toEqual([false, true, false]);
    // A year later, again once.
    expect(matchesTrigger(ann, birthday(), day('2027-03-14T09:00:00.000Z'))).toBe(true);
  });

  it('fires `daysBefore` days ahead, across New Year too', () => {
    const jan2 = contact('c_2', { birthDate: '1990-01-02', timeZone: 'Europe/Paris' });
    expect(matchesTrigger(jan2, birthday(7), day('2025-12-26T09:00:00.000Z'))).toBe(true);
    expect(matchesTrigger(jan2, birthday(7), day('2025-12-27T09:00:00.000Z'))).toBe(false);
  });

  it('reads midnight in the contact’s own zone, else the stack’s', () => {
    const noumea = contact('c_3', { birthDate: '1990-06-10', timeZone: 'Pacific/Noumea' });
    // Midnight of 10 June in Nouméa (UTC+11) is 13:00 UTC on the 9th.
    expect(matchesTrigger(noumea, birthday(), day('2026-06-09T14:00:00.000Z'))).toBe(true);
    const paris = contact('c_4', { birthDate: '1990-06-10' });
    expect(matchesTrigger(paris, birthday(), day('2026-06-09T14:00:00.000Z'))).toBe(false);
    expect(matchesTrigger(paris, birthday(), day('2026-06-10T09:00:00.000Z'), 'Europe/Paris')).toBe(true);
  });

  it('celebrates 29 February on the 28th in other years, and needs a birth date', () => {
    const leap = contact('c_5', { birthDate: '2000-02-29', timeZone: 'UTC' });
    expect(matchesTrigger(leap, birthday(), day('2027-02-28T09:00:00.000Z'))).toBe(true);
    expect(matchesTrigger(leap, birthday(), day('2028-02-29T09:00:00.000Z'))).toBe(true);
    expect(matchesTrigger(contact('c_6'), birthday(), day('2026-03-14T09:00:00.000Z'))).toBe(false);
  });
});

describe('anniversary trigger', () => {
  it('marks every year of the first purchase, from the first anniversary on', () => {
    const c = contact('c_1', { firstPurchaseAt: '2024-05-20T15:00:00.000Z', timeZone: 'Europe/Paris' });
    const t = triggerSchema.parse({ kind: 'anniversary', of: 'firstPurchase' });
    expect(matchesTrigger(c, t, day('2024-05-21T09:00:00.000Z'))).toBe(false);
    expect(matchesTrigger(c, t, day('2025-05-20T09:00:00.000Z'))).toBe(true);
    expect(matchesTrigger(c, t, day('2026-05-20T09:00:00.000Z'))).toBe(true);
    expect(matchesTrigger(c, t, day('2026-05-21T09:00:00.000Z'))).toBe(false);
  });

  it('of joining: the day the contact was created (or confirmed its opt-in)', () => {
    const c = contact('c_2', { createdAt: '2023-09-01T08:00:00.000Z', timeZone: 'Europe/Paris' });
    const t = triggerSchema.parse({ kind: 'anniversary', of: 'signup', daysBefore: 1 });
    expect(matchesTrigger(c, t, day('2025-08-31T09:00:00.000Z'))).toBe(true);
    expect(triggerSchema.safeParse({ kind: 'anniversary', of: 'wedding' }).success).toBe(false);
    expect(triggerSchema.safeParse({ kind: 'birthday', daysBefore: 61 }).success).toBe(false);
  });
});
