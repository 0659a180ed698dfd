import pMap from 'p-map';
import { isEmailReference } from '../purchases/purchase';
import { AppError, busy, conflict, notFound, validationError } from '../shared/errors';
import type { Clock, Ids } from '../shared/ports';
import type { StoreRepository } from '../stores/ports';
import type { IdentifierKind } from './contact';
import { applyContactInput, type Channel, type Contact, type ContactInput } from './contact';
import type { ContactRepository, SuppressionList } from './ports';

export interface ContactDeps {
  contacts: ContactRepository;
  stores: StoreRepository;
  suppression: SuppressionList;
  clock: Clock;
  ids: Ids;
}

export interface UpsertResult {
  contact: Contact;
  created: boolean;
}

/** The identifiers an input names, email first: the email is the primary identity when both are given. */
const identifiersOf = (input: ContactInput) =>
  (
    [
      ['email', input.email],
      ['phone', input.phone],
    ] as const
  ).filter((p): p is readonly [IdentifierKind, string] => p[1] !== undefined);

/**
 * Creates or updates the contact that owns the input's email or phone.
 *
 * Without transactions, uniqueness comes from claiming each identifier with a
 * conditional write *before* the contact is written. A crash after a claim leaves
 * a claim without a contact, which the next upsert of that address adopts; a
 * concurrent upsert of the same new address loses the claim and retries as an
 * update. `knownStores` lets a bulk import check home stores without one read each.
 */
export async function upsertContact(
  deps: ContactDeps,
  input: ContactInput,
  knownStores?: Set<string>,
): Promise<UpsertResult> {
  if (input.homeStoreId) await assertStoreExists(deps, input.homeStoreId, 'homeStoreId', knownStores);
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await tryUpsert(deps, input);
    if (result) return result;
  }
  throw busy('This contact is being changed by another request');
}

async function tryUpsert(deps: ContactDeps, input: ContactInput): Promise<UpsertResult | undefined> {
  const ids = identifiersOf(input);
  const owners = await Promise.all(ids.map(([kind, value]) => deps.contacts.ownerOf(kind, value)));
  const found = owners.filter((o): o is string => o !== undefined);
  if (new Set(found).size > 1) {
    throw conflict('The email and the phone belong to two different contacts', [
      { path: 'phone', message: `Already used by contact ${found[1]}` },
    ]);
  }
  const id = found[0] ?? deps.ids.next('c');
  const existing = found[0] ? await deps.contacts.get(id) : undefined;

  for (const [i, [kind, value]] of ids.entries()) {
    if (owners[i] === id) continue;
    const owner = await deps.contacts.claim(kind, value, id);
    if (owner === id) continue;
    // Someone else took it between our read and our claim: start again, as an update.
    if (!found[0]) {
      await releaseAll(deps, ids.slice(0, i), id);
      return undefined;
    }
    throw conflict(`This ${kind} belongs to another contact`, [
      { path: kind, message: `Already used by contact ${owner}` },
    ]);
  }

  const now = deps.clock.now().toISOString();
  const suppressed = await deps.suppression.suppressedChannels({ email: input.email, phone: input.phone });
  const contact = applyContactInput(existing, input, { id, now, suppressed });
  await deps.contacts.put(contact);

  // An update that changed the address frees the old one.
  for (const kind of ['email', 'phone'] as const) {
    const old = existing?.[kind];
    if (old && old !== contact[kind]) await deps.contacts.release(kind, old, id);
  }
  return { contact, created: existing === undefined };
}

/** One row's outcome in a bulk upsert: the result, or the error that row alone failed with. */
export type BulkOutcome = UpsertResult | { error: AppError };

/**
 * Upserts many contacts whose identifiers are all distinct, with a handful of
 * batched reads and writes instead of several calls per contact: the bulk
 * import path. Claims stay conditional, one per new identifier, so uniqueness
 * holds against concurrent writers; a row whose claim is lost falls back to
 * the one-by-one `upsertContact`.
 */
export async function upsertContacts(
  deps: ContactDeps,
  inputs: ContactInput[],
  knownStores: Set<string>,
  opts: { concurrency?: number } = {},
): Promise<BulkOutcome[]> {
  const outcomes: (BulkOutcome | undefined)[] = inputs.map((input) =>
    input.homeStoreId && !knownStores.has(input.homeStoreId)
      ? { error: validationError([{ path: 'homeStoreId', message: `Unknown store "${input.homeStoreId}"` }]) }
      : undefined,
  );
  const [emailOwners, phoneOwners] = await Promise.all([
    deps.contacts.ownersOf(
      'email',
      inputs.flatMap((i) => (i.email ? [i.email] : [])),
    ),
    deps.contacts.ownersOf(
      'phone',
      inputs.flatMap((i) => (i.phone ? [i.phone] : [])),
    ),
  ]);
  const ownerIds = inputs.map((input, i) => {
    if (outcomes[i]) return undefined;
    const owners = [input.email && emailOwners.get(input.email), input.phone && phoneOwners.get(input.phone)];
    const found = owners.filter((o): o is string => Boolean(o));
    if (new Set(found).size > 1) {
      outcomes[i] = {
        error: conflict('The email and the phone belong to two different contacts', [
          { path: 'phone', message: `Already used by contact ${found[1]}` },
        ]),
      };
    }
    return found[0];
  });
  // Two rows naming one existing contact by different identifiers must apply one after the other.
  const slow = new Set<number>();
  const seenOwners = new Set<string>();
  ownerIds.forEach((id, i) => {
    if (!id || outcomes[i]) return;
    if (seenOwners.has(id)) slow.add(i);
    seenOwners.add(id);
  });
  const [existing, suppressed] = await Promise.all([
    deps.contacts.getMany(ownerIds.filter((id): id is string => Boolean(id))),
    deps.suppression.suppressedChannelsMany(inputs.map((i) => ({ email: i.email, phone: i.phone }))),
  ]);
  const now = deps.clock.now().toISOString();
  const ids = inputs.map((_, i) => ownerIds[i] ?? deps.ids.next('c'));

  // Claim every identifier not yet held by its contact; a lost claim sends the row down the slow path.
  await pMap(
    inputs.entries(),
    async ([i, input]) => {
      if (outcomes[i] || slow.has(i)) return;
      const id = ids[i] as string;
      for (const kind of ['email', 'phone'] as const) {
        const value = input[kind];
        const held = (kind === 'email' ? emailOwners : phoneOwners).get(value ?? '');
        if (!value || held === id) continue;
        if ((await deps.contacts.claim(kind, value, id)) !== id) {
          slow.add(i);
          if (kind === 'phone' && input.email && !emailOwners.get(input.email)) {
            await deps.contacts.release('email', input.email, id);
          }
          return;
        }
      }
    },
    { concurrency: opts.concurrency ?? 32 },
  );

  const contacts = inputs.flatMap((input, i) => {
    if (outcomes[i] || slow.has(i)) return [];
    const id = ids[i] as string;
    const before = existing.get(id);
    const contact = applyContactInput(before, input, { id, now, suppressed: suppressed[i] ?? [] });
    outcomes[i] = { contact, created: before === undefined };
    return [contact];
  });
  await deps.contacts.putMany(contacts);
  for (const contact of contacts) {
    const before = existing.get(contact.id);
    for (const kind of ['email', 'phone'] as const) {
      const old = before?.[kind];
      if (old && old !== contact[kind]) await deps.contacts.release(kind, old, contact.id);
    }
  }
  for (const i of [...slow].sort((a, b) => a - b)) {
    try {
      outcomes[i] = await upsertContact(deps, inputs[i] as ContactInput, knownStores);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      outcomes[i] = { error: err };
    }
  }
  return outcomes as BulkOutcome[];
}

async function releaseAll(
  deps: ContactDeps,
  ids: ReadonlyArray<readonly [IdentifierKind, string]>,
  id: string,
) {
  for (const [kind, value] of ids) await deps.contacts.release(kind, value, id);
}

export async function assertStoreExists(
  deps: ContactDeps,
  storeId: string,
  path: string,
  known?: Set<string>,
) {
  const exists = known ? known.has(storeId) : (await deps.stores.get(storeId)) !== undefined;
  if (!exists) throw validationError([{ path, message: `Unknown store "${storeId}"` }]);
}

/** Finds a contact by id or by email address. */
export async function findContact(
  deps: Pick<ContactDeps, 'contacts'>,
  ref: string,
): Promise<Contact | undefined> {
  const id = isEmailReference(ref) ? await deps.contacts.ownerOf('email', ref.toLowerCase()) : ref;
  return id ? deps.contacts.get(id) : undefined;
}

/**
 * Erases a contact's personal data. The suppression is written first, so a
 * crash half-way can never leave an erased address mailable; the rest is
 * idempotent and can simply be retried.
 */
export async function eraseContact(deps: ContactDeps, id: string): Promise<void> {
  const contact = await deps.contacts.get(id);
  if (!contact) throw notFound('Contact');
  await deps.suppression.suppress({ email: contact.email, phone: contact.phone }, 'erased');
  for (const kind of ['email', 'phone'] as const) {
    const value = contact[kind];
    if (value) await deps.contacts.release(kind, value, id);
  }
  await deps.contacts.erase(id);
}

/**
 * Stops all messages to a contact on one channel (unsubscribe, hard bounce,
 * complaint). The keyed-hash suppression is written first, so it survives even
 * if the contact is erased later; the contact is then updated with an
 * optimistic lock so a concurrent upsert cannot undo it. False when the
 * contact does not exist.
 */
export async function suppressContactChannel(
  deps: Pick<ContactDeps, 'contacts' | 'suppression' | 'clock'>,
  contactId: string,
  channel: Channel,
  reason: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const contact = await deps.contacts.get(contactId);
    if (!contact) return false;
    const address = channel === 'email' ? { email: contact.email } : { phone: contact.phone };
    if (attempt === 0) await deps.suppression.suppress(address, reason);
    if (contact.suppressed.includes(channel) && contact.consent[channel]?.status === 'denied') return true;
    const now = deps.clock.now().toISOString();
    const next: Contact = {
      ...contact,
      suppressed: [...new Set([...contact.suppressed, channel])].sort() as Channel[],
      consent: { ...contact.consent, [channel]: { status: 'denied', source: reason, at: now } },
      updatedAt: now === contact.updatedAt ? new Date(Date.parse(now) + 1).toISOString() : now,
    };
    if (await deps.contacts.replace(next, contact.updatedAt)) return true;
  }
  throw busy('This contact is being changed by another request');
}
