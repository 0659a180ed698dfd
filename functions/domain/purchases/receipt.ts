import type { PurchaseChannel } from '../contacts/contact';

/**
 * A till receipt (or a web or phone order): a shop, a reference unique in that shop, a time and an
 * amount, and the customer when the till knew them. Receipts without a customer still count: they
 * are the shop's traffic, against which a campaign's effect is measured.
 */
export interface Receipt {
  storeId: string;
  ref: string;
  at: string;
  /** The shop's local day of `at` (YYYY-MM-DD): traffic is counted per shop and per day. */
  day: string;
  amount: number;
  currency: string;
  channel: PurchaseChannel;
  contactId?: string;
  couponCode?: string;
  /** Number of items on the receipt, when the till says. */
  items?: number;
  recordedAt: string;
  /** The import that wrote it: a batch re-run after a crash recognises its own receipts. */
  importId?: string;
}

/** The key of a receipt in a batch's maps: its shop and its reference. */
export const receiptKey = (r: { storeId: string; ref: string }) => `${r.storeId}\u0000${r.ref}`;
