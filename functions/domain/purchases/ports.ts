import type { Purchase } from './purchase';

export interface PurchaseRepository {
  /** Records a purchase; `false` when a purchase with this id already exists. */
  create(purchase: Purchase): Promise<boolean>;
  get(contactId: string, purchaseId: string): Promise<Purchase | undefined>;
}
