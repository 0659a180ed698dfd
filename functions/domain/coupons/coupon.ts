import * as z from 'zod';
import type { Channel } from '../contacts/contact';
import { storeIdSchema } from '../contacts/contact';

/**
 * What a campaign offers, printed on every recipient's coupon and applied at
 * the till: a percentage, an amount off, or a gift.
 */
export const offerSchema = z
  .strictObject({
    kind: z.enum(['percent', 'amount', 'gift']),
    value: z.number().positive().max(100_000).optional(),
    /** The currency of every amount of the offer; the stack's (COST_CURRENCY) when not given. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as "EUR"')
      .optional(),
    minBasket: z.number().nonnegative().max(1_000_000).optional(),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
    /** Days of validity from the day the coupon is issued, when there is no fixed end. */
    validDays: z.number().int().positive().max(3650).optional(),
    stores: z.union([z.literal('all'), z.array(storeIdSchema).min(1).max(500)]),
    /** What the offer is, per locale: `{ "fr": "-20 % sur tout le magasin", "en": "20% off everything" }`. */
    description: z
      .record(
        z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'Use a locale such as "fr"'),
        z.string().trim().min(1).max(200),
      )
      .refine((d) => Object.keys(d).length > 0, 'Give a description in at least one locale'),
  })
  .superRefine((o, ctx) => {
    if (o.kind !== 'gift' && o.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `A ${o.kind} offer needs a value` });
    if (o.kind === 'percent' && (o.value ?? 0) > 100)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'A percentage is at most 100' });
    if (!o.validUntil === !o.validDays)
      ctx.addIssue({
        code: 'custom',
        path: ['validUntil'],
        message: 'Give validUntil or validDays (one of them)',
      });
    if (o.validFrom && o.validUntil && Date.parse(o.validFrom) >= Date.parse(o.validUntil))
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil must come after validFrom' });
  });
export type Offer = z.infer<typeof offerSchema>;

/**
 * What an offer gives off a basket: the percentage of it, the amount (never more than the basket),
 * or the gift's value (0 when the offer does not say what the gift is worth).
 */
export function discountGiven(offer: Pick<Offer, 'kind' | 'value'>, basket: number): number {
  const value = offer.value ?? 0;
  if (offer.kind === 'percent') return (basket * value) / 100;
  if (offer.kind === 'amount') return Math.min(value, basket);
  return value;
}

export const COUPON_STATUSES = ['issued', 'redeemed', 'voided'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

export interface Redemption {
  at: string;
  storeId: string;
  receiptRef: string;
  basketAmount: number;
  currency: string;
  channel: 'store' | 'web' | 'phone';
  tillId?: string;
}

/** One recipient's coupon: what the till reads and redeems. */
export interface Coupon {
  code: string;
  campaignId: string;
  contactId: string;
  status: CouponStatus;
  offer: Offer;
  validFrom: string;
  validUntil: string;
  /** `all`, or the shops where it may be redeemed. */
  stores: 'all' | string[];
  /** The message that first carried it (its redemption is that message's response); email when absent. */
  channel?: Channel;
  /** Shown to the till so staff can greet the customer. */
  firstName?: string;
  locale?: string;
  issuedAt: string;
  redemption?: Redemption;
  /** Every change, oldest first: issued, redeemed, voided… never rewritten. */
  history: Array<{
    action: 'issued' | 'redeemed' | 'voided';
    at: string;
    storeId?: string;
    receiptRef?: string;
    /** Why a coupon was cancelled without a till (`erased`: its contact was). */
    reason?: string;
  }>;
}

export type CouponRefusal =
  | 'unknown'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_store'
  | 'already_redeemed'
  | 'voided';

/** Whether a store may redeem this coupon now, and if not, why (the till shows the reason). */
export function couponState(coupon: Coupon | undefined, storeId: string, now: Date): CouponRefusal | 'valid' {
  if (!coupon) return 'unknown';
  if (coupon.status === 'voided') return 'voided';
  if (coupon.status === 'redeemed') return 'already_redeemed';
  if (now.getTime() < Date.parse(coupon.validFrom)) return 'not_yet_valid';
  if (now.getTime() > Date.parse(coupon.validUntil)) return 'expired';
  if (coupon.stores !== 'all' && !coupon.stores.includes(storeId)) return 'wrong_store';
  return 'valid';
}

/** The validity window of a coupon issued at `issuedAt` under an offer. */
export function validity(offer: Offer, issuedAt: Date): { validFrom: string; validUntil: string } {
  const from = offer.validFrom ? new Date(offer.validFrom) : issuedAt;
  // `validDays` counts from when the coupon can first be used, not from the send.
  const start = Math.max(from.getTime(), issuedAt.getTime());
  const until = offer.validUntil
    ? new Date(offer.validUntil)
    : new Date(start + (offer.validDays ?? 30) * 86_400_000);
  return { validFrom: from.toISOString(), validUntil: until.toISOString() };
}

/** The offer's text for a locale: exact, then language, then any. */
export function offerText(offer: Offer, locale: string | undefined): string {
  const d = offer.description;
  return (
    d[locale ?? ''] ??
    d[(locale ?? '').split('-')[0] ?? ''] ??
    d.fr ??
    d.en ??
    (Object.values(d)[0] as string)
  );
}
