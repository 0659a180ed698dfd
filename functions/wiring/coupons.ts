import type { AppDeps } from '../deps';
import type { PrintableDeps } from '../domain/coupons/printable';
import type { RedemptionDeps } from '../domain/coupons/redemptions';
import type { TillDeps } from '../domain/coupons/till';
import { purchaseDeps } from './contacts';
import { pick } from './pick';

// Coupons: the till, the printable coupon, redemptions

/** One per instance: `blockedUntil` remembers the stores this instance made wait. */
export const tillDeps = (app: AppDeps): TillDeps => ({
  coupons: app.coupons,
  clock: app.clock,
  lookupLimitPerMinute: app.config.COUPON_LOOKUP_LIMIT_PER_MINUTE,
  voidWindowMinutes: app.config.COUPON_VOID_WINDOW_MINUTES,
  currency: app.config.COST_CURRENCY,
  blockedUntil: new Map(),
});

export const printableDeps = (app: AppDeps): PrintableDeps => pick(app, 'keyring', 'coupons', 'stores');

export const redemptionDeps = (app: AppDeps): RedemptionDeps => ({
  ...purchaseDeps(app),
  ...pick(app, 'campaigns', 'engagement', 'logger', 'publisher', 'metrics'),
});
