import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD, guardReason, pausedByGuard } from '../../../../functions/domain/campaigns/guard';

describe('guardReason', () => {
  it.each([
    [{ delivered: 150, bounced: 49, complained: 0 }, undefined],
    [{ delivered: 190, bounced: 10, complained: 0 }, undefined],
    [{ delivered: 189, bounced: 11, complained: 0 }, /hard bounces are 5\.5% of 200 emails \(limit 5%\)/],
    // A dead list: nearly nothing is delivered, and it pauses all the same.
    [{ delivered: 0, bounced: 200, complained: 0 }, /hard bounces are 100% of 200 emails/],
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
