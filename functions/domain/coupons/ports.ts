import type { Coupon, Redemption } from './coupon';

/** Coupons by code: issued at send time, read and redeemed at the till. */
export interface CouponRepository {
  /** Issues a coupon once: false when the code already exists (a retried send). */
  issue(coupon: Coupon): Promise<boolean>;
  get(code: string): Promise<Coupon | undefined>;
  /** The code of a recipient's coupon, if one was issued. */
  codeOf(campaignId: string, contactId: string): Promise<string | undefined>;
  /**
   * Redeems in one conditional update: only if the coupon is issued, valid now,
   * valid in this store and the basket reaches the minimum. Undefined when a
   * condition failed (the caller reads the coupon to say which).
   */
  redeem(code: string, redemption: Redemption, now: Date): Promise<Coupon | undefined>;
  /** Returns a redeemed coupon to issued, only if this store redeemed it with this receipt after `since`. */
  void(
    code: string,
    by: { storeId: string; receiptRef: string },
    since: string,
    now: Date,
  ): Promise<Coupon | undefined>;
  /** Counts a failed look-up for a store in the current minute and returns the count so far. */
  countFailedLookup(storeId: string, now: Date): Promise<number>;
  failedLookups(storeId: string, now: Date): Promise<number>;
}

/** Draws a coupon's code for scanners at the till: PNG images (bwip-js in the adapter). */
export interface BarcodeRenderer {
  code128(text: string): Promise<Buffer>;
  qr(text: string): Promise<Buffer>;
}
