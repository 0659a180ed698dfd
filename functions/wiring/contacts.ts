import type { AppDeps } from '../deps';
import type { ContactDeps } from '../domain/contacts/customer-file';
import { forgetContactCoupons } from '../domain/coupons/erase';
import type { PurchaseDeps } from '../domain/purchases/record';
import { pick } from './pick';

/**
 * The customer file's use cases. Erasing a contact also clears what coupons keep of it (first
 * name, locale) and cancels the unused ones.
 */
export const contactDeps = (app: AppDeps): ContactDeps => ({
  ...pick(app, 'contacts', 'stores', 'suppression', 'clock', 'ids', 'sleep'),
  erasure: [(contactId, at) => forgetContactCoupons({ coupons: app.coupons }, contactId, at)],
});

export const purchaseDeps = (app: AppDeps): PurchaseDeps => ({
  ...contactDeps(app),
  purchases: app.purchases,
  receipts: app.receipts,
  currency: app.config.COST_CURRENCY,
  timeZone: app.config.DEFAULT_TIME_ZONE,
});
