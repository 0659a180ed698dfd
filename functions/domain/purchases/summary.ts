import type { Contact } from '../contacts/contact';
import type { Purchase } from './purchase';

/** How many import batches a contact remembers having applied (several imports may interleave). */
const REMEMBERED_BATCHES = 8;

/**
 * A contact's purchase figures with a batch of new purchases added: counts per channel, first and
 * last purchase (and where), and the total spent in the stack's currency. `batchKey` is remembered,
 * so the same batch applied again (a worker that crashed after the write) changes nothing.
 * Undefined when nothing changes.
 */
export function withPurchases(
  contact: Contact,
  purchases: Purchase[],
  batchKey: string,
  currency: string,
): Contact | undefined {
  if (purchases.length === 0 || contact.purchaseBatches?.includes(batchKey)) return undefined;
  const next: Contact = {
    ...contact,
    // A contact counted before first purchases were kept: its last known purchase is the earliest known.
    ...(contact.firstPurchaseAt || !contact.lastPurchaseAt
      ? {}
      : { firstPurchaseAt: contact.lastPurchaseAt }),
    purchases: { ...contact.purchases },
    purchaseBatches: [...(contact.purchaseBatches ?? []), batchKey].slice(-REMEMBERED_BATCHES),
  };
  for (const p of purchases) {
    next.purchases[p.channel] = (next.purchases[p.channel] ?? 0) + 1;
    if (!next.lastPurchaseAt || p.at > next.lastPurchaseAt) {
      next.lastPurchaseAt = p.at;
      next.lastPurchaseStoreId = p.storeId;
    }
    if (!next.firstPurchaseAt || p.at < next.firstPurchaseAt) next.firstPurchaseAt = p.at;
    if (p.currency === currency) next.totalSpent = roundCents((next.totalSpent ?? 0) + p.amount);
  }
  return next;
}

export const roundCents = (n: number) => Math.round(n * 100) / 100;
