import { assertStoreExists, type ContactDeps, findContact } from '../contacts/customer-file';
import { conflict, validationError } from '../shared/errors';
import { DEFAULT_TIME_ZONE, isTimeZone, localDay } from '../shared/time';
import type { PurchaseRepository, ReceiptRepository } from './ports';
import { type Purchase, type PurchaseInput, purchaseId } from './purchase';
import type { Receipt } from './receipt';

export interface PurchaseDeps extends ContactDeps {
  purchases: PurchaseRepository;
  receipts: ReceiptRepository;
  /** The stack's currency (COST_CURRENCY): what a contact's total spent is counted in. */
  currency: string;
  /** The time zone of shops that name none (DEFAULT_TIME_ZONE): a receipt's day is the shop's. */
  timeZone?: string;
}

/**
 * Records a purchase in its response channel and counts it on the contact. With
 * a `ref`, a retried call answers the purchase already recorded and counts nothing twice; the
 * receipt (shop, ref) is recorded too, so the shop's traffic counts it and a receipts import of
 * the same ticket does not count it again. A reference the shop already used for another
 * customer is a 409.
 */
export async function recordPurchase(
  deps: PurchaseDeps,
  input: PurchaseInput,
): Promise<{ purchase: Purchase; created: boolean }> {
  const contact = await findContact(deps, input.contact);
  if (!contact) throw validationError([{ path: 'contact', message: `Unknown contact "${input.contact}"` }]);
  await assertStoreExists(deps, input.storeId, 'storeId');
  const { contact: _ref, ...rest } = input;
  const now = deps.clock.now().toISOString();
  const purchase: Purchase = {
    ...rest,
    at: new Date(input.at).toISOString(),
    id: purchaseId(input, () => deps.ids.next('p')),
    contactId: contact.id,
    recordedAt: now,
  };
  if (input.ref) {
    const store = await deps.stores.get(input.storeId);
    const tz =
      store?.timeZone && isTimeZone(store.timeZone) ? store.timeZone : (deps.timeZone ?? DEFAULT_TIME_ZONE);
    const receipt: Receipt = {
      storeId: input.storeId,
      ref: input.ref,
      at: purchase.at,
      day: localDay(new Date(purchase.at), tz),
      amount: input.amount,
      currency: input.currency,
      channel: input.channel,
      contactId: contact.id,
      recordedAt: now,
    };
    const recorded = await deps.receipts.create(receipt);
    if (recorded.contactId !== contact.id) {
      throw conflict(`Receipt ${input.ref} of shop ${input.storeId} was recorded for another customer`, [
        { path: 'ref', message: 'Already recorded in this shop' },
      ]);
    }
  }
  const created = await deps.purchases.create(purchase);
  // The id is derived from (store, ref) under this contact, so a miss here means the item exists.
  const stored = created ? purchase : ((await deps.purchases.get(contact.id, purchase.id)) ?? purchase);
  // Counting is idempotent and marked on the purchase, so a retry after a crash between the writes counts once.
  if (!stored.applied)
    await deps.contacts.applyPurchase(
      contact.id,
      stored,
      stored.currency === deps.currency ? stored.amount : 0,
    );
  return { purchase: stored, created };
}
