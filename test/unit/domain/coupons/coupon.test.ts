import { describe, expect, it, vi } from 'vitest';
import {
  CODE_ALPHABET,
  checkSymbol,
  couponCode,
  formatCode,
  parseCode,
} from '../../../../functions/domain/coupons/codes';
import {
  type Coupon,
  couponState,
  discountGiven,
  offerSchema,
} from '../../../../functions/domain/coupons/coupon';
import type { CouponRepository } from '../../../../functions/domain/coupons/ports';
import { lookupCoupon } from '../../../../functions/domain/coupons/till';
import { keyringFromSecret } from '../../../../functions/domain/shared/hashing';
import { FakeClock, FakeCouponRepository } from '../../../support/fakes';

const ring = keyringFromSecret('unit-test-secret-unit-test-secret-0001');

describe('coupon codes', () => {
  it('are 12 symbols of a look-alike-free alphabet (60 bits) plus a check symbol, shown XXXX-XXXX-XXXX-X', () => {
    const code = couponCode(ring, 'cmp_1', 'c_1');
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{13}$/);
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(formatCode(code)).toMatch(/^.{4}-.{4}-.{4}-.$/);
    expect(couponCode(ring, 'cmp_1', 'c_1')).toBe(code);
    const many = new Set(Array.from({ length: 5000 }, (_, i) => couponCode(ring, 'cmp_1', `c_${i}`)));
    expect(many.size).toBe(5000);
  });

  it('are read in any case, with or without dashes, look-alikes folded', () => {
    const code = couponCode(ring, 'cmp_2', 'c_9');
    expect(parseCode(formatCode(code).toLowerCase())).toBe(code);
    expect(parseCode(` ${code.slice(0, 6)} ${code.slice(6)} `)).toBe(code);
    const data = '0123456789AB';
    const full = data + checkSymbol(data);
    expect(parseCode(full.replace('0', 'O').replace('1', 'l'))).toBe(full);
  });

  it('catch every single wrong symbol and every swap of neighbours with the check symbol', () => {
    const code = couponCode(ring, 'cmp_3', 'c_3');
    for (let i = 0; i < 12; i++) {
      for (const c of CODE_ALPHABET) {
        if (c === code[i]) continue;
        expect(parseCode(code.slice(0, i) + c + code.slice(i + 1))).toBeUndefined();
      }
      if (code[i] !== code[i + 1] && i < 11) {
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        expect(parseCode(swapped)).toBeUndefined();
      }
    }
  });
});

describe('look-ups', () => {
  /** A store with one coupon, counting reads and failed look-ups. */
  function store(coupon?: Coupon) {
    const s = new FakeCouponRepository();
    if (coupon) s.items.set(coupon.code, coupon);
    const get = vi.spyOn(s, 'get');
    const reads = () => get.mock.calls.length;
    const failed = () => [...s.lookups.values()].reduce((sum, n) => sum + n, 0);
    return { s, reads, failed };
  }
  const deps = (s: CouponRepository) => ({
    coupons: s,
    clock: new FakeClock(new Date('2026-11-23T10:00:00Z')),
    lookupLimitPerMinute: 1_000_000,
    voidWindowMinutes: 30,
    currency: 'EUR',
  });

  it('finds no valid coupon among 10,000 random codes, and reads nothing for a wrong check symbol', async () => {
    const st = store();
    let valid = 0;
    let checkedOk = 0;
    for (let i = 0; i < 10_000; i++) {
      const random = Array.from({ length: 13 }, () => CODE_ALPHABET[Math.floor(Math.random() * 32)]).join('');
      if (parseCode(random)) checkedOk++;
      const res = await lookupCoupon(deps(st.s), 'paris', random);
      if (res.valid) valid++;
    }
    expect(valid).toBe(0);
    // About one in 32 random codes has a right check symbol by chance: only those reach the store.
    expect(st.reads()).toBe(checkedOk);
    expect(checkedOk).toBeLessThan(600);
    expect(st.failed()).toBe(10_000);
  });
});

describe('offers and coupon states', () => {
  const offer = offerSchema.parse({
    kind: 'amount',
    value: 10,
    currency: 'EUR',
    validUntil: '2026-12-31T23:00:00Z',
    stores: ['paris'],
    description: { fr: '10 € offerts' },
  });
  const coupon: Coupon = {
    code: 'X',
    campaignId: 'c',
    contactId: 'k',
    status: 'issued',
    offer,
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2026-12-31T23:00:00Z',
    stores: ['paris'],
    issuedAt: '2026-11-01T00:00:00Z',
    history: [],
  };
  it.each([
    ['2026-11-23T10:00:00Z', 'paris', 'valid'],
    ['2026-10-01T10:00:00Z', 'paris', 'not_yet_valid'],
    ['2027-01-02T10:00:00Z', 'paris', 'expired'],
    ['2026-11-23T10:00:00Z', 'lyon', 'wrong_store'],
  ] as const)('at %s in %s: %s', (now, storeId, state) => {
    expect(couponState(coupon, storeId, new Date(now))).toBe(state);
  });
  it('refuses offers without what they need', () => {
    expect(
      offerSchema.safeParse({ kind: 'percent', stores: 'all', description: {}, validDays: 3 }).success,
    ).toBe(false);
    const r = offerSchema.safeParse({ kind: 'percent', value: 120, stores: 'all', description: { fr: 'x' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['validUntil', 'value']);
  });
});

describe('discountGiven', () => {
  it.each([
    [{ kind: 'percent', value: 25 }, 80, 20],
    [{ kind: 'percent', value: 100 }, 12.5, 12.5],
    [{ kind: 'amount', value: 10 }, 80, 10],
    // An amount off never gives more than the basket.
    [{ kind: 'amount', value: 10 }, 6, 6],
    [{ kind: 'gift', value: 15 }, 80, 15],
    [{ kind: 'gift' }, 80, 0],
  ] as const)('%j off a basket of %d gives %d', (offer, basket, given) => {
    expect(discountGiven(offer, basket)).toBe(given);
  });
});
