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
   * valid in this store, the basket reaches the minimum and is in the offer's currency
   * (`defaultCurrency` for a coupon issued before offers always had one). Undefined when a
   * condition failed (the caller reads the coupon to say which).
   */
  redeem(
    code: string,
    redemption: Redemption,
    now: Date,
    defaultCurrency: string,
  ): Promise<Coupon | undefined>;
  /** Returns a redeemed coupon to issued, only if this store redeemed it with this receipt after `since`. */
  void(
    code: string,
    by: { storeId: string; receiptRef: string },
    since: string,
    now: Date,
  ): Promise<Coupon | undefined>;
  /** Every coupon issued to a contact (an erasure finds them here). */
  ofContact(contactId: string): Promise<Coupon[]>;
  /**
   * Forgets whom a coupon was for (first name, locale) and cancels it if it was not used yet, with
   * `reason` in its history: what erasing the contact does to its coupons. Idempotent.
   */
  forget(code: string, at: string, reason: string): Promise<void>;
  /** Counts a failed look-up for a store in the current minute and returns the count so far. */
  countFailedLookup(storeId: string, now: Date): Promise<number>;
  failedLookups(storeId: string, now: Date): Promise<number>;
}

/** Draws a coupon's code for scanners at the till: PNG images (bwip-js in the adapter). */
export interface BarcodeRenderer {
  code128(text: string): Promise<Buffer>;
  qr(text: string): Promise<Buffer>;
}
