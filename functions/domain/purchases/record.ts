import { assertStoreExists, type ContactDeps, findContact } from '../contacts/customer-file';
import { validationError } from '../shared/errors';
import type { PurchaseRepository } from './ports';
import { type Purchase, type PurchaseInput, purchaseId } from './purchase';

export interface PurchaseDeps extends ContactDeps {
  purchases: PurchaseRepository;
}

/**
 * Records a purchase in its response channel and counts it on the contact. With
 * a `ref`, a retried call answers the purchase already recorded and counts nothing twice.
 */
export async function recordPurchase(
  deps: PurchaseDeps,
  input: PurchaseInput,
): Promise<{ purchase: Purchase; created: boolean }> {
  const contact = await findContact(deps, input.contact);
  if (!contact) throw validationError([{ path: 'contact', message: `Unknown contact "${input.contact}"` }]);
  await assertStoreExists(deps, input.storeId, 'storeId');
  const { contact: _ref, ...rest } = input;
  const purchase: Purchase = {
    ...rest,
    at: new Date(input.at).toISOString(),
    id: purchaseId(input, () => deps.ids.next('p')),
    contactId: contact.id,
    recordedAt: deps.clock.now().toISOString(),
  };
  const created = await deps.purchases.create(purchase);
  // The id is derived from (store, ref) under this contact, so a miss here means the item exists.
  const stored = created ? purchase : ((await deps.purchases.get(contact.id, purchase.id)) ?? purchase);
  // Counting is idempotent and marked on the purchase, so a retry after a crash between the writes counts once.
  if (!stored.applied) await deps.contacts.applyPurchase(contact.id, stored);
  return { purchase: stored, created };
}
