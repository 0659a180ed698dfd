import type { Keyring } from '../shared/hashing';
import { verifyToken } from '../shared/tokens';
import type { StoreRepository } from '../stores/ports';
import type { Store } from '../stores/store';
import type { Coupon } from './coupon';
import type { CouponRepository } from './ports';

export interface PrintableDeps {
  keyring: () => Promise<Keyring>;
  coupons: Pick<CouponRepository, 'get'>;
  stores: Pick<StoreRepository, 'get' | 'list'>;
}

/** The coupon a printable-coupon link (`/c/{token}`) is signed for, or undefined for a bad token. */
export async function couponFromToken(
  deps: PrintableDeps,
  token: string | undefined,
): Promise<Coupon | undefined> {
  const ref = verifyToken<{ d: string }>(await deps.keyring(), 'coupon', token ?? '');
  return typeof ref?.d === 'string' ? deps.coupons.get(ref.d) : undefined;
}

/** The shops where a coupon can be redeemed, as the printable coupon lists them. */
export async function couponShops(deps: PrintableDeps, coupon: Coupon): Promise<Store[]> {
  if (coupon.stores === 'all') return deps.stores.list();
  const found = await Promise.all(coupon.stores.map((id) => deps.stores.get(id)));
  return found.filter((s): s is Store => Boolean(s));
}
