import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD, guardReason, pausedByGuard } from '../../../../functions/domain/campaigns/guard';

describe('guardReason', () => {
  it.each([
    [{ delivered: 199, bounced: 100, complained: 0 }, undefined],
    [{ delivered: 200, bounced: 10, complained: 0 }, undefined],
    [{ delivered: 200, bounced: 11, complained: 0 }, /hard bounces are 5\.5% of 200 delivered \(limit 5%\)/],
    [{ delivered: 999, bounced: 0, complained: 50 }, undefined],
    [{ delivered: 1000, bounced: 0, complained: 1 }, undefined],
    [
      { delivered: 1000, bounced: 0, complained: 2 },
      /complaints are 0\.2% of 1000 delivered \(limit 0\.1%\)/,
    ],
  ] as const)('%j → %s', (figures, expected) => {
    const reason = guardReason(figures, DEFAULT_GUARD);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
  });

  it('tells a guard pause from any other, for the resume rule', () => {
    const reason = guardReason({ delivered: 300, bounced: 30, complained: 0 });
    expect(pausedByGuard({ status: 'paused', pausedReason: reason ?? '' })).toBe(true);
    expect(pausedByGuard({ status: 'paused', pausedReason: 'Too many send errors' })).toBe(false);
    expect(pausedByGuard({ status: 'sending', pausedReason: reason ?? '' })).toBe(false);
  });
});
