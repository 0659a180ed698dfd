import type { Contact, PurchaseChannel } from '../contacts/contact';
import { contactsWithPhone } from '../contacts/customer-file';
import type { ContactRepository } from '../contacts/ports';
import type { Issue } from '../shared/errors';
import type { Clock } from '../shared/ports';
import { localDay } from '../shared/time';
import type { PurchaseRepository, ReceiptRepository } from './ports';
import { type Purchase, purchaseId } from './purchase';
import { type Receipt, receiptKey } from './receipt';
import { withPurchases } from './summary';

/** A receipt line of a file, read and checked field by field: what recording needs. */
export interface ReceiptLine {
  line: number;
  storeId: string;
  ref: string;
  at: string;
  amount: number;
  currency: string;
  channel: PurchaseChannel;
  /** How the file names the customer, if it does (the first that finds someone wins, in this order). */
  customer: { contactId?: string; customerRef?: string; email?: string; phone?: string };
  couponCode?: string;
  items?: number;
}

export type ReceiptOutcome =
  | { kind: 'created'; line: number; contactId?: string; warning?: string }
  | { kind: 'duplicate'; line: number; message: string }
  | { kind: 'rejected'; line: number; errors: Issue[] };

export interface ReceiptsDeps {
  receipts: ReceiptRepository;
  purchases: PurchaseRepository;
  contacts: ContactRepository;
  clock: Clock;
  /** The shops that exist, and each one's time zone (a receipt's day is the shop's local day). */
  stores: Map<string, { timeZone: string }>;
  /** The stack's currency: a contact's total spent is counted in it. */
  currency: string;
  /** A few minutes of clock skew between a till and us are allowed; later than that is refused. */
  futureSkewMs?: number;
}

/**
 * Records a batch of receipt lines: each counts once per (shop, receipt reference), whether it
 * came in this file, another file, the API or a coupon redeemed at the till. A line whose shop is
 * unknown, whose amount is negative or whose time is in the future is refused alone. A receipt
 * whose customer is unknown or not given is kept without one (an anonymous receipt: the shop's
 * traffic). Receipts and purchases are written in batches; each customer's figures (counts, first
 * and last purchase, total spent) are updated once per batch, at the version read, and the batch is
 * remembered on the contact so a batch run again after a crash counts nothing twice.
 */
export async function recordReceipts(
  deps: ReceiptsDeps,
  lines: ReceiptLine[],
  ctx: { importId: string; batchKey: string },
): Promise<ReceiptOutcome[]> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const outcomes: (ReceiptOutcome | undefined)[] = lines.map(() => undefined);
  const first = new Map<string, number>();
  lines.forEach((l, i) => {
    const errors: Issue[] = [];
    if (!deps.stores.has(l.storeId)) errors.push({ path: 'storeId', message: `Unknown shop "${l.storeId}"` });
    if (l.amount < 0)
      errors.push({ path: 'amount', message: 'A negative amount (a refund) is not a purchase' });
    if (Date.parse(l.at) > now.getTime() + (deps.futureSkewMs ?? 5 * 60_000))
      errors.push({ path: 'at', message: 'This receipt is dated in the future' });
    if (errors.length > 0) {
      outcomes[i] = { kind: 'rejected', line: l.line, errors };
      return;
    }
    const k = receiptKey(l);
    const seen = first.get(k);
    if (seen !== undefined) {
      outcomes[i] = {
        kind: 'duplicate',
        line: l.line,
        message: `Receipt ${l.ref} of shop ${l.storeId} is already on line ${lines[seen]?.line}`,
      };
      return;
    }
    first.set(k, i);
  });

  const pending = lines.flatMap((l, i) => (outcomes[i] ? [] : [{ l, i }]));
  const existing = await deps.receipts.recorded(pending.map(({ l }) => l));
  const fresh = pending.filter(({ l, i }) => {
    const before = existing.get(receiptKey(l));
    // Written by this import already: a batch run again after a crash, whose receipts are its own.
    if (!before || before.importId === ctx.importId) return true;
    outcomes[i] = {
      kind: 'duplicate',
      line: l.line,
      message: `Receipt ${l.ref} of shop ${l.storeId} was recorded before${before.importId ? ' (another import)' : ''}`,
    };
    return false;
  });

  const customers = await resolveCustomers(
    deps,
    fresh.map(({ l }) => l),
  );
  const receipts: Receipt[] = [];
  const purchases: Purchase[] = [];
  for (const { l, i } of fresh) {
    const found = customers.get(i);
    const contactId = found?.contactId;
    const receipt: Receipt = {
      storeId: l.storeId,
      ref: l.ref,
      at: l.at,
      day: localDay(new Date(l.at), deps.stores.get(l.storeId)?.timeZone as string),
      amount: l.amount,
      currency: l.currency,
      channel: l.channel,
      ...(contactId ? { contactId } : {}),
      ...(l.couponCode ? { couponCode: l.couponCode } : {}),
      ...(l.items !== undefined ? { items: l.items } : {}),
      recordedAt: nowIso,
      importId: ctx.importId,
    };
    receipts.push(receipt);
    if (contactId) {
      purchases.push({
        id: purchaseId({ storeId: l.storeId, ref: l.ref } as Parameters<typeof purchaseId>[0], () => ''),
        contactId,
        storeId: l.storeId,
        amount: l.amount,
        currency: l.currency,
        at: l.at,
        channel: l.channel,
        ref: l.ref,
        recordedAt: nowIso,
        applied: true,
      });
    }
    outcomes[i] = {
      kind: 'created',
      line: l.line,
      ...(contactId ? { contactId } : {}),
      ...(found?.warning ? { warning: found.warning } : {}),
    };
  }
  // Together: a crash after either leaves receipts this import recognises as its own, or purchases
  // it writes again (same ids); the contacts' figures come after both, once per batch.
  await Promise.all([deps.receipts.putMany(receipts), deps.purchases.putMany(purchases)]);
  await applyToContacts(deps, purchases, ctx.batchKey);
  return outcomes as ReceiptOutcome[];
}

/** Who each line's customer is: by contact id, customer reference, email, then phone (if only one has it). */
async function resolveCustomers(
  deps: ReceiptsDeps,
  lines: ReceiptLine[],
): Promise<Map<number, { contactId?: string; warning?: string }>> {
  const ids = lines.flatMap((l) => (l.customer.contactId ? [l.customer.contactId] : []));
  const refs = lines.flatMap((l) => (l.customer.customerRef ? [l.customer.customerRef] : []));
  const emails = lines.flatMap((l) => (l.customer.email ? [l.customer.email] : []));
  const phones = lines.flatMap((l) => (l.customer.phone ? [l.customer.phone] : []));
  const [byId, byRef, byEmail, byPhone] = await Promise.all([
    ids.length ? deps.contacts.getMany(ids) : new Map<string, Contact>(),
    refs.length ? deps.contacts.ownersOf('customerRef', refs) : new Map<string, string>(),
    emails.length ? deps.contacts.ownersOf('email', emails) : new Map<string, string>(),
    phones.length ? deps.contacts.phoneHoldersMany(phones) : new Map(),
  ]);
  const phoneOwners = new Map<string, string[]>();
  for (const phone of new Set(phones)) {
    const held = byPhone.get(phone);
    if (held)
      phoneOwners.set(
        phone,
        (await contactsWithPhone(deps, phone, held)).map((c) => c.id),
      );
  }
  const out = new Map<number, { contactId?: string; warning?: string }>();
  lines.forEach((l, i) => {
    const c = l.customer;
    const named = c.contactId ?? c.customerRef ?? c.email ?? c.phone;
    let contactId: string | undefined;
    if (c.contactId && byId.get(c.contactId) && !byId.get(c.contactId)?.erasingAt) contactId = c.contactId;
    contactId ??= c.customerRef ? byRef.get(c.customerRef) : undefined;
    contactId ??= c.email ? byEmail.get(c.email) : undefined;
    let warning: string | undefined;
    if (!contactId && c.phone) {
      const owners = phoneOwners.get(c.phone) ?? [];
      if (owners.length === 1) contactId = owners[0];
      else if (owners.length > 1)
        warning = `The phone ${c.phone} is shared by ${owners.length} customers: the receipt is kept without a customer`;
    }
    if (!contactId && named && !warning)
      warning = `No customer "${named}": the receipt is kept without a customer`;
    out.set(i, { ...(contactId ? { contactId } : {}), ...(warning ? { warning } : {}) });
  });
  return out;
}

/** Adds a batch's new purchases to their contacts' figures, once per contact, at the version read. */
async function applyToContacts(deps: ReceiptsDeps, purchases: Purchase[], batchKey: string): Promise<void> {
  const byContact = new Map<string, Purchase[]>();
  for (const p of purchases) byContact.set(p.contactId, [...(byContact.get(p.contactId) ?? []), p]);
  if (byContact.size === 0) return;
  const contacts = await deps.contacts.getMany([...byContact.keys()]);
  const work = [...byContact];
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const [id, mine] = work[next++] as [string, Purchase[]];
      let contact = contacts.get(id);
      for (let attempt = 0; contact && attempt < 10; attempt++) {
        const updated = withPurchases(contact, mine, batchKey, deps.currency);
        if (!updated || contact.erasingAt) break;
        if (await deps.contacts.replace(updated, contact.version)) break;
        contact = await deps.contacts.get(id, { consistent: true });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, work.length) }, worker));
}
