import pMap from 'p-map';
import { isEmailReference } from '../purchases/purchase';
import { AppError, busy, conflict, notFound, validationError } from '../shared/errors';
import type { Clock, Ids } from '../shared/ports';
import type { StoreRepository } from '../stores/ports';
import {
  applyContactInput,
  type Channel,
  type Contact,
  type ContactInput,
  contactInputIssues,
} from './contact';
import type { ContactRepository, PhoneHolders, SuppressionList } from './ports';

/**
 * The customer file's rules, in one place (the README's *Identity* section says the same):
 *
 * - An email is a contact's identity: one contact per address, held by a conditional claim.
 * - A phone may be shared (a household's landline or mobile): several contacts may have it, and a
 *   look-up by phone returns them all. A contact created from a phone alone holds that phone as
 *   its identity, so a phone-only upsert finds it again.
 * - An upsert with an email updates the owner of that email, or creates one; it never changes
 *   another contact's address. A phone-only contact may be given its first email by a trusted
 *   caller (the marketer's API and files, `enrich`), never by a shop.
 * - Every write of a contact is conditional on the version it read (`create` if new, `replace` at
 *   that version); a lost race reads again and retries, so no write undoes another's.
 */
export interface ContactDeps {
  contacts: ContactRepository;
  stores: StoreRepository;
  suppression: SuppressionList;
  clock: Clock;
  ids: Ids;
  /** Waits between retries of a lost race (a few milliseconds); none when not given. */
  sleep?: (ms: number) => Promise<void>;
  /** What else an erasure clears: the records of other capabilities that hold a copy (coupons). */
  erasure?: ErasureStep[];
}

export interface UpsertResult {
  contact: Contact;
  created: boolean;
}

export interface UpsertOptions {
  /** Home stores known to exist (a bulk import checks them once). */
  knownStores?: Set<string>;
  /** A phone-only contact may receive its first email from this input (default true; false for shops). */
  enrich?: boolean;
}

/** How many times a write that lost a race is tried again before the caller is told to retry (503). */
const ATTEMPTS = 20;

const pause = (deps: Pick<ContactDeps, 'sleep'>, attempt: number) =>
  attempt > 0 && deps.sleep
    ? deps.sleep(Math.random() * Math.min(1000, 10 * 2 ** attempt))
    : Promise.resolve();

/** The contacts that have this phone now, from its holders; holders that changed their phone are removed. */
export async function contactsWithPhone(
  deps: Pick<ContactDeps, 'contacts'>,
  phone: string,
  known?: PhoneHolders,
): Promise<Contact[]> {
  const holders = known ?? (await deps.contacts.phoneHolders(phone));
  const ids = [...new Set([...holders.ids, ...(holders.identity ? [holders.identity] : [])])];
  if (ids.length === 0) return [];
  const found = await deps.contacts.getMany(ids);
  const current: Contact[] = [];
  for (const id of ids) {
    const c = found.get(id);
    if (c?.phone === phone && !c.erasingAt) current.push(c);
    // A holder that is gone, or has another number now: its entry is stale, and goes.
    else if (!c || (c.phone !== phone && !c.erasingAt)) await deps.contacts.removePhoneHolder(phone, id);
  }
  return current.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** Who an input is about: an existing contact, or the id a new one will get, and the identity it must claim. */
interface Target {
  id: string;
  existing?: Contact;
  claim?: { kind: 'email' | 'phone'; value: string };
}

/** `retry`: someone is changing the contact right now (an erasure under way, a claim held by a write in flight). */
async function resolveTarget(
  deps: ContactDeps,
  input: ContactInput,
  enrich: boolean,
): Promise<Target | 'retry'> {
  if (input.email) {
    const owner = await deps.contacts.ownerOf('email', input.email);
    if (owner) {
      const existing = await deps.contacts.get(owner);
      if (existing?.erasingAt) return 'retry';
      // A claim whose contact was never written (a crash in between) is adopted by this write.
      if (!existing) return { id: owner };
      if (existing.email !== input.email) return 'retry';
      return { id: owner, existing };
    }
    if (enrich && input.phone) {
      const phoneOnly = (await contactsWithPhone(deps, input.phone)).filter((c) => !c.email);
      if (phoneOnly.length === 1 && phoneOnly[0]) {
        return { id: phoneOnly[0].id, existing: phoneOnly[0], claim: { kind: 'email', value: input.email } };
      }
    }
    return { id: deps.ids.next('c'), claim: { kind: 'email', value: input.email } };
  }
  const phone = input.phone as string;
  const holders = await deps.contacts.phoneHolders(phone);
  const current = await contactsWithPhone(deps, phone, holders);
  if (current.length === 1 && current[0]) return { id: current[0].id, existing: current[0] };
  if (current.length > 1) {
    const own = current.find((c) => c.id === holders.identity);
    if (own) return { id: own.id, existing: own };
    throw conflict(`This phone is shared by ${current.length} contacts: give the email of the one you mean`, [
      { path: 'phone', message: 'Shared by several contacts' },
    ]);
  }
  if (holders.identity) {
    const existing = await deps.contacts.get(holders.identity);
    if (existing?.erasingAt) return 'retry';
    if (!existing) return { id: holders.identity };
  }
  return { id: deps.ids.next('c'), claim: { kind: 'phone', value: phone } };
}

/**
 * Creates or updates the contact an input is about (see the rules above). Uniqueness of an email
 * comes from claiming it with a conditional write *before* the contact is written; the contact is
 * then written only if it is still at the version read, and its phone index follows. Answers
 * `created` for the one call that wrote the new contact.
 */
export async function upsertContact(
  deps: ContactDeps,
  input: ContactInput,
  knownStores?: Set<string>,
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  const issues = contactInputIssues(input, deps.clock.now());
  if (issues.length > 0) throw validationError(issues);
  if (input.homeStoreId) await assertStoreExists(deps, input.homeStoreId, 'homeStoreId', knownStores);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await pause(deps, attempt);
    const result = await tryUpsert(deps, input, opts.enrich ?? true);
    if (result) return result;
  }
  throw busy('This contact is being changed by another request');
}

async function tryUpsert(
  deps: ContactDeps,
  input: ContactInput,
  enrich: boolean,
): Promise<UpsertResult | undefined> {
  const target = await resolveTarget(deps, input, enrich);
  if (target === 'retry') return undefined;
  const { id, existing } = target;
  if (target.claim) {
    const owner = await deps.contacts.claim(target.claim.kind, target.claim.value, id);
    // Someone else created it meanwhile: the next attempt updates theirs.
    if (owner !== id) return undefined;
  }
  const ref =
    input.customerRef && input.customerRef !== existing?.customerRef ? input.customerRef : undefined;
  if (ref && !(await claimCustomerRef(deps, ref, id))) {
    if (target.claim && existing) await deps.contacts.release(target.claim.kind, target.claim.value, id);
    return undefined;
  }
  const now = deps.clock.now().toISOString();
  const suppressed = await deps.suppression.suppressedChannels({ email: input.email, phone: input.phone });
  const contact = applyContactInput(existing, input, { id, now, suppressed });
  const written = existing
    ? await deps.contacts.replace(contact, existing.version)
    : await deps.contacts.create(contact);
  if (!written) {
    // A new claim made for a write that did not happen is given back, unless the contact exists (adopted).
    if (target.claim && existing) await deps.contacts.release(target.claim.kind, target.claim.value, id);
    if (ref) await deps.contacts.release('customerRef', ref, id);
    return undefined;
  }
  await afterWrite(deps, existing, contact);
  return { contact: { ...contact, version: (existing?.version ?? 0) + 1 }, created: existing === undefined };
}

/**
 * Claims a customer reference for a contact: true when it holds it now. A reference held by another
 * contact that still has it is a 409 naming `customerRef`; one left by a contact that no longer
 * has it (erased, changed) is taken back, and false asks the caller to try again.
 */
async function claimCustomerRef(
  deps: Pick<ContactDeps, 'contacts'>,
  ref: string,
  id: string,
): Promise<boolean> {
  const owner = await deps.contacts.claim('customerRef', ref, id);
  if (owner === id) return true;
  const other = await deps.contacts.get(owner, { consistent: true });
  if (other && other.customerRef === ref && !other.erasingAt) {
    throw conflict('This customer reference belongs to another contact', [
      { path: 'customerRef', message: `Already used by contact ${owner}` },
    ]);
  }
  if (!other || other.customerRef !== ref) await deps.contacts.release('customerRef', ref, owner);
  return false;
}

/** What follows a written contact: the phone index, and the customer reference it no longer has. */
async function afterWrite(deps: Pick<ContactDeps, 'contacts'>, before: Contact | undefined, after: Contact) {
  if (before?.customerRef && before.customerRef !== after.customerRef)
    await deps.contacts.release('customerRef', before.customerRef, after.id);
  await indexPhone(deps, before, after);
}

/**
 * The phone index follows a written contact: its number lists it, the number it had no longer does.
 * A concurrent write may have changed the number again in between, so the entry just added is
 * checked against the contact as it is now, and taken back if it is stale: once writers stop, no
 * entry outlives its contact's number.
 */
async function indexPhone(deps: Pick<ContactDeps, 'contacts'>, before: Contact | undefined, after: Contact) {
  if (before?.phone && before.phone !== after.phone)
    await deps.contacts.removePhoneHolder(before.phone, after.id);
  if (!after.phone || after.phone === before?.phone) return;
  await deps.contacts.addPhoneHolder(after.phone, after.id);
  const current = await deps.contacts.get(after.id, { consistent: true });
  if (current?.phone !== after.phone) await deps.contacts.removePhoneHolder(after.phone, after.id);
}

/** One row's outcome in a bulk upsert: the result, or the error that row alone failed with. */
export type BulkOutcome = UpsertResult | { error: AppError };

/**
 * Upserts many contacts whose identifiers are all distinct, with batched reads (claims, phone
 * holders, contacts, suppressions) instead of several reads per contact: the bulk import path.
 * Writes stay conditional, one per contact, so nothing written concurrently is lost; a row that
 * loses a race, or needs more than the simple cases, goes through `upsertContact` alone.
 */
export async function upsertContacts(
  deps: ContactDeps,
  inputs: ContactInput[],
  knownStores: Set<string>,
  opts: { concurrency?: number } = {},
): Promise<BulkOutcome[]> {
  const now = deps.clock.now();
  const outcomes: (BulkOutcome | undefined)[] = inputs.map((input) => {
    const issues = contactInputIssues(input, now);
    if (issues.length > 0) return { error: validationError(issues) };
    return input.homeStoreId && !knownStores.has(input.homeStoreId)
      ? { error: validationError([{ path: 'homeStoreId', message: `Unknown store "${input.homeStoreId}"` }]) }
      : undefined;
  });
  const [emailOwners, phoneHolders, refOwners] = await Promise.all([
    deps.contacts.ownersOf(
      'email',
      inputs.flatMap((i) => (i.email ? [i.email] : [])),
    ),
    deps.contacts.phoneHoldersMany(inputs.flatMap((i) => (i.phone ? [i.phone] : []))),
    deps.contacts.ownersOf(
      'customerRef',
      inputs.flatMap((i) => (i.customerRef ? [i.customerRef] : [])),
    ),
  ]);
  // The simple cases go fast: an email owned by someone (update) or by nobody (create); a phone
  // alone that nobody has (create). Everything else (a phone-only row that may match, a claim
  // without its contact, a contact named twice) goes through upsertContact.
  const slow = new Set<number>();
  const ownerIds = inputs.map((input, i) => {
    if (outcomes[i]) return undefined;
    if (input.email) {
      const owner = emailOwners.get(input.email);
      // A new address on a phone someone has may belong to a phone-only contact (see resolveTarget).
      const held = input.phone ? phoneHolders.get(input.phone) : undefined;
      if (!owner && held && (held.ids.length > 0 || held.identity)) slow.add(i);
      return owner;
    }
    const held = input.phone ? phoneHolders.get(input.phone) : undefined;
    if (held && (held.ids.length > 0 || held.identity)) slow.add(i);
    return undefined;
  });
  const seen = new Set<string>();
  ownerIds.forEach((id, i) => {
    if (!id) return;
    if (seen.has(id)) slow.add(i);
    seen.add(id);
  });
  const [existing, suppressed] = await Promise.all([
    deps.contacts.getMany(ownerIds.filter((id): id is string => Boolean(id))),
    deps.suppression.suppressedChannelsMany(inputs.map((i) => ({ email: i.email, phone: i.phone }))),
  ]);
  const stamp = now.toISOString();

  await pMap(
    inputs.entries(),
    async ([i, input]) => {
      if (outcomes[i] || slow.has(i)) return;
      const owner = ownerIds[i];
      const before = owner ? existing.get(owner) : undefined;
      if (owner && (!before || before.erasingAt || before.email !== input.email)) {
        slow.add(i);
        return;
      }
      const id = owner ?? deps.ids.next('c');
      // A customer reference held by someone else (or a stale claim) is sorted out one by one.
      const ref =
        input.customerRef && input.customerRef !== before?.customerRef ? input.customerRef : undefined;
      const refOwner = ref ? refOwners.get(ref) : undefined;
      if (refOwner && refOwner !== id) {
        slow.add(i);
        return;
      }
      if (!owner) {
        const kind = input.email ? 'email' : 'phone';
        if ((await deps.contacts.claim(kind, (input.email ?? input.phone) as string, id)) !== id) {
          slow.add(i);
          return;
        }
      }
      if (ref && (await deps.contacts.claim('customerRef', ref, id)) !== id) {
        slow.add(i);
        return;
      }
      const contact = applyContactInput(before, input, { id, now: stamp, suppressed: suppressed[i] ?? [] });
      const written = before
        ? await deps.contacts.replace(contact, before.version)
        : await deps.contacts.create(contact);
      if (!written) {
        if (ref) await deps.contacts.release('customerRef', ref, id);
        slow.add(i);
        return;
      }
      await afterWrite(deps, before, contact);
      outcomes[i] = {
        contact: { ...contact, version: (before?.version ?? 0) + 1 },
        created: before === undefined,
      };
    },
    { concurrency: opts.concurrency ?? 32 },
  );

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

export async function assertStoreExists(
  deps: Pick<ContactDeps, 'stores'>,
  storeId: string,
  path: string,
  known?: Set<string>,
) {
  const exists = known ? known.has(storeId) : (await deps.stores.get(storeId)) !== undefined;
  if (!exists) throw validationError([{ path, message: `Unknown store "${storeId}"` }]);
}

/** The contact a customer reference (loyalty card, till customer number) belongs to. */
export async function findByCustomerRef(
  deps: Pick<ContactDeps, 'contacts'>,
  ref: string,
): Promise<Contact | undefined> {
  const id = await deps.contacts.ownerOf('customerRef', ref);
  const contact = id ? await deps.contacts.get(id) : undefined;
  return contact && !contact.erasingAt && contact.customerRef === ref ? contact : undefined;
}

/** Finds a contact by id or by email address. */
export async function findContact(
  deps: Pick<ContactDeps, 'contacts'>,
  ref: string,
): Promise<Contact | undefined> {
  const id = isEmailReference(ref) ? await deps.contacts.ownerOf('email', ref.toLowerCase()) : ref;
  const contact = id ? await deps.contacts.get(id) : undefined;
  return contact?.erasingAt ? undefined : contact;
}

/** What erasing a contact also clears: the coupons that carry its first name (see coupons/erase). */
export type ErasureStep = (contactId: string, at: string) => Promise<void>;

/**
 * Erases a contact's personal data. It is first marked as being erased (a conditional write at
 * the version read, so the addresses suppressed are the contact's last ones and no concurrent
 * write can bring it back), then its addresses are suppressed by keyed hash, then what else held a
 * copy is cleared (`deps.erasure`: coupons), then its claims, and last the items. Every step is idempotent:
 * a retried erasure finishes the job.
 */
export async function eraseContact(deps: ContactDeps, id: string): Promise<void> {
  let contact: Contact | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && !contact; attempt++) {
    await pause(deps, attempt);
    const read = await deps.contacts.get(id, { consistent: true });
    if (!read) throw notFound('Contact');
    if (read.erasingAt) {
      contact = read;
      break;
    }
    const marked: Contact = { ...read, erasingAt: deps.clock.now().toISOString() };
    if (await deps.contacts.replace(marked, read.version)) contact = marked;
  }
  if (!contact) throw busy('This contact is being changed by another request');
  await deps.suppression.suppress({ email: contact.email, phone: contact.phone }, 'erased');
  for (const step of deps.erasure ?? []) await step(id, contact.erasingAt as string);
  if (contact.email) await deps.contacts.release('email', contact.email, id);
  if (contact.customerRef) await deps.contacts.release('customerRef', contact.customerRef, id);
  if (contact.phone) await deps.contacts.removePhoneHolder(contact.phone, id);
  await deps.contacts.erase(id);
}

/**
 * Stops all messages to a contact on one channel (unsubscribe, hard bounce,
 * complaint, STOP). The keyed-hash suppression is written first, so it survives even
 * if the contact is erased later; the contact is then updated at the version read,
 * so a concurrent upsert cannot undo it. False when the contact does not exist.
 */
export async function suppressContactChannel(
  deps: Pick<ContactDeps, 'contacts' | 'suppression' | 'clock' | 'sleep'>,
  contactId: string,
  channel: Channel,
  reason: string,
  /** The address's hash was suppressed by the caller already (a STOP for a number). */
  opts: { hashed?: boolean } = {},
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await pause(deps, attempt);
    const contact = await deps.contacts.get(contactId, { consistent: true });
    if (!contact) return false;
    const address = channel === 'email' ? { email: contact.email } : { phone: contact.phone };
    if (attempt === 0 && !opts.hashed) await deps.suppression.suppress(address, reason);
    if (contact.suppressed.includes(channel) && contact.consent[channel]?.status === 'denied') return true;
    if (contact.erasingAt) return true;
    const now = deps.clock.now().toISOString();
    const next: Contact = {
      ...contact,
      suppressed: [...new Set([...contact.suppressed, channel])].sort() as Channel[],
      consent: { ...contact.consent, [channel]: { status: 'denied', source: reason, at: now } },
      updatedAt: now === contact.updatedAt ? new Date(Date.parse(now) + 1).toISOString() : now,
    };
    if (await deps.contacts.replace(next, contact.version)) return true;
  }
  throw busy('This contact is being changed by another request');
}

/** Stops SMS to a number for everyone who has it (a STOP reply, a provider's opt-out list). */
export async function suppressPhone(
  deps: Pick<ContactDeps, 'contacts' | 'suppression' | 'clock' | 'sleep'>,
  phone: string,
  reason: string,
): Promise<number> {
  await deps.suppression.suppress({ phone }, reason);
  let stopped = 0;
  for (const c of await contactsWithPhone(deps, phone)) {
    if (await suppressContactChannel(deps, c.id, 'sms', reason, { hashed: true })) stopped++;
  }
  return stopped;
}
