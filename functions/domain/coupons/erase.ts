import type { CouponRepository } from './ports';

/**
 * What erasing a contact does to its coupons: the first name they show at the till and on the
 * printable page is removed, and those not used yet are cancelled (a redeemed one keeps its
 * redemption, a fact of the shop's till, without the name).
 */
export async function forgetContactCoupons(
  deps: { coupons: Pick<CouponRepository, 'ofContact' | 'forget'> },
  contactId: string,
  at: string,
): Promise<void> {
  for (const coupon of await deps.coupons.ofContact(contactId))
    await deps.coupons.forget(coupon.code, at, 'erased');
}
