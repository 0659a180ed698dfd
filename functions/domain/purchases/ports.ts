import type { Purchase } from './purchase';
import type { Receipt } from './receipt';

export interface PurchaseRepository {
  /** Records a purchase; `false` when a purchase with this id already exists. */
  create(purchase: Purchase): Promise<boolean>;
  get(contactId: string, purchaseId: string): Promise<Purchase | undefined>;
  /** Writes purchases decided by an import (checked against the receipts first): no condition. */
  putMany(purchases: Purchase[]): Promise<void>;
  /** A contact's purchases at or after `from` (ISO), oldest first (attribution, reports). */
  ofContact(contactId: string, from?: string): Promise<Purchase[]>;
}

/**
 * Till receipts by shop and receipt reference: what makes a receipt count once, whether posted,
 * imported or redeemed with a coupon, and the shop's traffic per day, customer known or not.
 */
export interface ReceiptRepository {
  /**
   * Which of these receipts are recorded already, by `receiptKey`, with the import that recorded
   * each (none for one posted or redeemed): only what deciding a duplicate needs, read cheaply.
   */
  recorded(keys: { storeId: string; ref: string }[]): Promise<Map<string, { importId?: string }>>;
  /** Writes receipts decided by an import (checked with `recorded` first): no condition. */
  putMany(receipts: Receipt[]): Promise<void>;
  /**
   * Records one receipt unless the shop has one with this reference for another contact (or
   * anonymous): the receipt then recorded, which is this one when the call wrote it or a retry.
   */
  create(receipt: Receipt): Promise<Receipt>;
  /** A shop's receipts of one local day (YYYY-MM-DD), customer known or not: its traffic. */
  ofDay(storeId: string, day: string): Promise<Receipt[]>;
}
