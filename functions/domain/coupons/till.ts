import { AppError, busy, notFound } from '../shared/errors';
import type { Clock } from '../shared/ports';
import { formatCode, parseCode } from './codes';
import { type Coupon, type CouponRefusal, couponState, offerText, type Redemption } from './coupon';
import type { CouponRepository } from './ports';

export interface TillDeps {
  coupons: CouponRepository;
  clock: Clock;
  /** Failed look-ups a store may make in a minute before it is made to wait. */
  lookupLimitPerMinute: number;
  /** How long after a redemption the till can undo it. */
  voidWindowMinutes: number;
  /** The stack's currency: that of coupons issued before offers always had one. */
  currency: string;
  /**
   * Stores this instance has made wait, until when (ms): redeem and void consult it without a read,
   * so the hot path stays one write while a store that hit the limit here is stopped everywhere here.
   */
  blockedUntil?: Map<string, number>;
}

/** What one store may see of another store's redemption: when and where, not the receipt or the basket. */
function redemptionSeenBy(r: Redemption, storeId: string | undefined): Partial<Redemption> {
  return storeId === undefined || r.storeId === storeId ? r : { at: r.at, storeId: r.storeId };
}

/** The coupon as the till of `storeId` shows it. */
export function tillCouponView(c: Coupon, state: CouponRefusal | 'valid', locale?: string, storeId?: string) {
  return {
    valid: state === 'valid',
    ...(state === 'valid' ? {} : { reason: state }),
    code: formatCode(c.code),
    offer: {
      kind: c.offer.kind,
      ...(c.offer.value !== undefined ? { value: c.offer.value } : {}),
      ...(c.offer.currency ? { currency: c.offer.currency } : {}),
      ...(c.offer.minBasket !== undefined ? { minBasket: c.offer.minBasket } : {}),
      text: offerText(c.offer, locale ?? c.locale),
    },
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    ...(c.firstName ? { firstName: c.firstName } : {}),
    ...(c.redemption ? { redemption: redemptionSeenBy(c.redemption, storeId) } : {}),
  };
}

const tooMany = (now: Date) =>
  new AppError(429, 'too_many_failed_lookups', 'Too many unknown codes from this store: wait a moment', [], {
    'retry-after': String(60 - now.getUTCSeconds()),
  });

async function countFailure(deps: TillDeps, storeId: string, now: Date) {
  if ((await deps.coupons.countFailedLookup(storeId, now)) > deps.lookupLimitPerMinute) {
    deps.blockedUntil?.set(storeId, now.getTime() + (60 - now.getUTCSeconds()) * 1000);
    throw tooMany(now);
  }
}

/** 429 at once for a store this instance already made wait (no read). */
function refuseIfBlocked(deps: TillDeps, storeId: string, now: Date) {
  const until = deps.blockedUntil?.get(storeId);
  if (until !== undefined && until > now.getTime()) throw tooMany(now);
}

/**
 * Validates a code for a store. A code with a wrong check symbol is refused
 * without reading the coupon; every failed look-up is counted, and past the
 * limit the store must wait (429).
 */
export async function lookupCoupon(deps: TillDeps, storeId: string, input: string) {
  const now = deps.clock.now();
  if ((await deps.coupons.failedLookups(storeId, now)) >= deps.lookupLimitPerMinute) throw tooMany(now);
  const code = parseCode(input);
  const coupon = code ? await deps.coupons.get(code) : undefined;
  if (!coupon) {
    await countFailure(deps, storeId, now);
    return { valid: false, reason: 'unknown' as const, code: input };
  }
  return tillCouponView(coupon, couponState(coupon, storeId, now), undefined, storeId);
}

export interface RedeemInput {
  receiptRef: string;
  basketAmount: number;
  currency: string;
  tillId?: string;
  channel: Redemption['channel'];
}

/**
 * Redeems a coupon exactly once, whatever the concurrency: one conditional
 * update that also checks validity, store and minimum basket. Only when it is
 * refused is the coupon read, to answer why — and a retry of the same receipt
 * by the same store is answered as the success it was.
 */
export async function redeemCoupon(deps: TillDeps, storeId: string, input: string, body: RedeemInput) {
  const now = deps.clock.now();
  refuseIfBlocked(deps, storeId, now);
  const code = parseCode(input);
  if (!code) {
    await countFailure(deps, storeId, now);
    throw notFound('Coupon');
  }
  const redemption: Redemption = {
    at: now.toISOString(),
    storeId,
    receiptRef: body.receiptRef,
    basketAmount: body.basketAmount,
    currency: body.currency,
    channel: body.channel,
    ...(body.tillId ? { tillId: body.tillId } : {}),
  };
  const done = await deps.coupons.redeem(code, redemption, now, deps.currency);
  const voidableUntil = (r: Redemption) =>
    new Date(Date.parse(r.at) + deps.voidWindowMinutes * 60_000).toISOString();
  if (done?.redemption) {
    return {
      ...tillCouponView(done, 'valid'),
      redemption: done.redemption,
      voidableUntil: voidableUntil(done.redemption),
    };
  }
  const coupon = await deps.coupons.get(code);
  if (!coupon) {
    await countFailure(deps, storeId, now);
    throw notFound('Coupon');
  }
  const r = coupon.redemption;
  if (coupon.status === 'redeemed' && r) {
    if (r.receiptRef === body.receiptRef && r.storeId === storeId) {
      return { ...tillCouponView(coupon, 'valid'), redemption: r, voidableUntil: voidableUntil(r) };
    }
    throw new AppError(
      409,
      'conflict',
      `This coupon was already redeemed on ${r.at} in store ${r.storeId}`,
      [{ path: 'code', message: 'Already redeemed' }],
      {},
      { redemption: redemptionSeenBy(r, storeId) },
    );
  }
  const state = couponState(coupon, storeId, now);
  if (state !== 'valid') {
    throw new AppError(422, 'not_redeemable', `This coupon cannot be redeemed here: ${state}`, [
      { path: 'code', message: state },
    ]);
  }
  const currency = coupon.offer.currency ?? deps.currency;
  if (currency !== body.currency) {
    throw new AppError(422, 'currency_mismatch', `The offer is in ${currency}`, [
      { path: 'currency', message: `Use ${currency}` },
    ]);
  }
  if (coupon.offer.minBasket !== undefined && body.basketAmount < coupon.offer.minBasket) {
    throw new AppError(
      422,
      'min_basket',
      `The basket must reach ${coupon.offer.minBasket} ${coupon.offer.currency ?? ''}`.trim(),
      [{ path: 'basketAmount', message: `At least ${coupon.offer.minBasket}` }],
    );
  }
  throw busy('The coupon changed while being redeemed');
}

/** Undoes a redemption: only the store that made it, with its receipt, within the window. */
export async function voidCoupon(deps: TillDeps, storeId: string, input: string, receiptRef: string) {
  const now = deps.clock.now();
  refuseIfBlocked(deps, storeId, now);
  const code = parseCode(input);
  if (!code) throw notFound('Coupon');
  const since = new Date(now.getTime() - deps.voidWindowMinutes * 60_000).toISOString();
  const done = await deps.coupons.void(code, { storeId, receiptRef }, since, now);
  if (done) return { code: formatCode(code), status: done.status };
  const coupon = await deps.coupons.get(code);
  if (!coupon) throw notFound('Coupon');
  const r = coupon.redemption;
  const why =
    coupon.status !== 'redeemed' || !r
      ? 'it is not redeemed'
      : r.storeId !== storeId
        ? 'another store redeemed it'
        : r.receiptRef !== receiptRef
          ? 'it was redeemed with another receipt'
          : `the ${deps.voidWindowMinutes}-minute window to undo is over`;
  throw new AppError(409, 'conflict', `This redemption cannot be undone: ${why}`, [
    { path: 'receiptRef', message: why },
  ]);
}
