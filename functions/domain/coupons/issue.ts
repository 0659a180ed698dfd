import type { Campaign } from '../campaigns/campaign';
import type { Channel, Contact } from '../contacts/contact';
import type { Keyring } from '../shared/hashing';
import type { Clock } from '../shared/ports';
import { couponCode } from './codes';
import { type Coupon, validity } from './coupon';
import type { CouponRepository } from './ports';

/**
 * Issues this recipient's coupon, once: its code is derived from the campaign
 * and the contact, so a retried send finds the same coupon instead of a second one.
 */
export async function issueCoupon(
  deps: { coupons: Pick<CouponRepository, 'issue' | 'get'>; clock: Clock },
  ring: Keyring,
  campaign: Campaign,
  contact: Contact,
  channel: Channel = 'email',
  /** Called when this call issued the coupon (not when it found it issued already). */
  onIssued: () => void = () => undefined,
): Promise<Coupon | undefined> {
  const offer = campaign.offer;
  if (!offer) return undefined;
  const now = deps.clock.now();
  // A reminder carries the coupon of the journey's first message: the same code, found again.
  const owner = campaign.couponFrom ?? campaign.id;
  for (let attempt = 0; attempt < 3; attempt++) {
    const coupon: Coupon = {
      code: couponCode(ring, owner, contact.id, attempt),
      campaignId: owner,
      contactId: contact.id,
      status: 'issued',
      offer,
      ...validity(offer, now),
      stores: offer.stores,
      ...(channel === 'email' ? {} : { channel }),
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
      ...(contact.locale ? { locale: contact.locale } : {}),
      issuedAt: now.toISOString(),
      history: [{ action: 'issued', at: now.toISOString() }],
    };
    if (await deps.coupons.issue(coupon)) {
      onIssued();
      return coupon;
    }
    const existing = await deps.coupons.get(coupon.code);
    if (existing?.campaignId === owner && existing.contactId === contact.id) return existing;
    // Another recipient's code (2^-60 odds): derive the next one.
  }
  throw new Error('Could not issue a unique coupon code');
}
