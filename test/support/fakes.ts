/**
 * In-memory implementations of the ports in functions/ports.ts, faithful to
 * the DynamoDB adapters' semantics (conditional claims, idempotent purchase
 * counting, copies on read and write as a database would), so domain services
 * can be unit-tested without an emulator.
 */

import type { Channel, Contact, IdentifierKind } from '../../functions/domain/contacts/contact';
import type { PurchaseDeps } from '../../functions/domain/contacts/customer-file';
import type { ContactRepository, SuppressionList } from '../../functions/domain/contacts/ports';
import type { ApiKeyRecord } from '../../functions/domain/keys/api-keys';
import type { ApiKeyRepository } from '../../functions/domain/keys/ports';
import type { PurchaseRepository } from '../../functions/domain/purchases/ports';
import type { Purchase } from '../../functions/domain/purchases/purchase';
import type { Clock, Ids } from '../../functions/domain/shared/ports';
import type { StoreRepository } from '../../functions/domain/stores/ports';
import type { Store } from '../../functions/domain/stores/store';

const copy = <T>(value: T): T => structuredClone(value);

/** Lets other promises run, so concurrent calls interleave as they would over a network. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  constructor(public current: Date = new Date('2025-03-10T09:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class FakeIds implements Ids {
  private n = 0;

  next(prefix: string): string {
    this.n++;
    return `${prefix}_${String(this.n).padStart(6, '0')}`;
  }
}

export class FakeStoreRepository implements StoreRepository {
  readonly items = new Map<string, Store>();

  async put(store: Store): Promise<void> {
    await tick();
    this.items.set(store.id, copy(store));
  }

  async get(id: string): Promise<Store | undefined> {
    await tick();
    const store = this.items.get(id);
    return store && copy(store);
  }

  async list(): Promise<Store[]> {
    await tick();
    return [...this.items.values()].map(copy);
  }
}

export const sampleStore = (id: string, at = '2025-01-01T00:00:00.000Z'): Store => ({
  id,
  name: `Store ${id}`,
  address: '1 rue de la Paix',
  postcode: '75002',
  city: 'Paris',
  country: 'FR',
  createdAt: at,
  updatedAt: at,
});

export class FakePurchaseRepository implements PurchaseRepository {
  /** Keyed `${contactId}#${purchaseId}`, as the table keys purchases under their contact. */
  readonly items = new Map<string, Purchase>();

  async create(purchase: Purchase): Promise<boolean> {
    await tick();
    const k = `${purchase.contactId}#${purchase.id}`;
    if (this.items.has(k)) return false;
    this.items.set(k, copy(purchase));
    return true;
  }

  async get(contactId: string, purchaseId: string): Promise<Purchase | undefined> {
    await tick();
    const p = this.items.get(`${contactId}#${purchaseId}`);
    return p && copy(p);
  }

  /** What the adapter's last UpdateCommand does: an unconditional `SET applied = true`. */
  markApplied(contactId: string, purchaseId: string): void {
    const k = `${contactId}#${purchaseId}`;
    const existing = this.items.get(k);
    this.items.set(k, { ...(existing ?? ({ id: purchaseId, contactId } as Purchase)), applied: true });
  }

  eraseUnder(contactId: string): void {
    for (const k of [...this.items.keys()]) if (k.startsWith(`${contactId}#`)) this.items.delete(k);
  }
}

type StoredContact = Contact & { lastPurchaseRef?: string };

export class FakeContactRepository implements ContactRepository {
  readonly items = new Map<string, StoredContact>();
  /** Identifier claims, keyed `${kind}#${value}` → owning contact id. */
  readonly claims = new Map<string, string>();
  /** The size of every putMany call, so tests can see the bulk path was taken. */
  readonly putManyCalls: number[] = [];

  constructor(readonly purchases: FakePurchaseRepository = new FakePurchaseRepository()) {}

  async get(id: string): Promise<Contact | undefined> {
    await tick();
    const c = this.items.get(id);
    return c && copy(c);
  }

  async getMany(ids: string[]): Promise<Map<string, Contact>> {
    await tick();
    const out = new Map<string, Contact>();
    for (const id of ids) {
      const c = this.items.get(id);
      if (c) out.set(id, copy(c));
    }
    return out;
  }

  async ownerOf(kind: IdentifierKind, value: string): Promise<string | undefined> {
    await tick();
    return this.claims.get(`${kind}#${value}`);
  }

  async ownersOf(kind: IdentifierKind, values: string[]): Promise<Map<string, string>> {
    await tick();
    const out = new Map<string, string>();
    for (const v of values) {
      const owner = this.claims.get(`${kind}#${v}`);
      if (owner) out.set(v, owner);
    }
    return out;
  }

  /** `attribute_not_exists(pk) OR contactId = :id`, then the owner after the call. */
  async claim(kind: IdentifierKind, value: string, contactId: string): Promise<string> {
    await tick();
    const k = `${kind}#${value}`;
    const owner = this.claims.get(k);
    if (owner === undefined || owner === contactId) {
      this.claims.set(k, contactId);
      return contactId;
    }
    return owner;
  }

  /** `contactId = :id`: a release by anyone but the owner is a no-op. */
  async release(kind: IdentifierKind, value: string, contactId: string): Promise<void> {
    await tick();
    const k = `${kind}#${value}`;
    if (this.claims.get(k) === contactId) this.claims.delete(k);
  }

  async put(contact: Contact): Promise<void> {
    await tick();
    this.items.set(contact.id, copy(contact));
  }

  /** Optimistic replace, as the DynamoDB adapter's `updatedAt = :u` condition. */
  async replace(contact: Contact, expectedUpdatedAt: string): Promise<boolean> {
    await tick();
    if (this.items.get(contact.id)?.updatedAt !== expectedUpdatedAt) return false;
    this.items.set(contact.id, copy(contact));
    return true;
  }

  /** Pages in id order; the cursor is the last id returned. */
  async page(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; next?: string }> {
    await tick();
    const ids = [...this.items.keys()].sort().filter((id) => cursor === undefined || id > cursor);
    const slice = ids.slice(0, limit);
    const contacts = slice.map((id) => copy(this.items.get(id) as Contact));
    const last = slice[slice.length - 1];
    return ids.length > limit && last ? { contacts, next: last } : { contacts };
  }

  /** Unconditional writes in order: the last version of a contact wins, as in a BatchWriteItem. */
  async putMany(contacts: Contact[]): Promise<void> {
    await tick();
    this.putManyCalls.push(contacts.length);
    for (const contact of contacts) this.items.set(contact.id, copy(contact));
  }

  async erase(id: string): Promise<void> {
    await tick();
    this.purchases.eraseUnder(id);
    this.items.delete(id);
  }

  /** Mirrors DynamoContactStore.applyPurchase: the `lastPurchaseRef <> :pid` guard, then lastPurchaseAt, then `applied`. */
  async applyPurchase(contactId: string, purchase: Purchase): Promise<void> {
    await tick();
    const c = this.items.get(contactId);
    if (c && c.lastPurchaseRef !== purchase.id) {
      c.purchases[purchase.channel] = (c.purchases[purchase.channel] ?? 0) + 1;
      c.lastPurchaseRef = purchase.id;
    }
    if (c && (c.lastPurchaseAt === undefined || c.lastPurchaseAt < purchase.at))
      c.lastPurchaseAt = purchase.at;
    this.purchases.markApplied(contactId, purchase.id);
  }
}

/** Suppressions keyed by identifier; an email suppresses the email channel, a phone the SMS channel. */
export class FakeSuppressionList implements SuppressionList {
  readonly entries = new Map<string, { channel: Channel; reasons: string[] }>();

  async suppressedChannels(ids: { email?: string; phone?: string }): Promise<Channel[]> {
    await tick();
    return this.lookup(ids);
  }

  async suppressedChannelsMany(list: { email?: string; phone?: string }[]): Promise<Channel[][]> {
    await tick();
    return list.map((ids) => this.lookup(ids));
  }

  private lookup(ids: { email?: string; phone?: string }): Channel[] {
    const out: Channel[] = [];
    if (ids.email && this.entries.has(`email#${ids.email}`)) out.push('email');
    if (ids.phone && this.entries.has(`phone#${ids.phone}`)) out.push('sms');
    return out;
  }

  async suppress(ids: { email?: string; phone?: string }, reason: string): Promise<void> {
    await tick();
    for (const kind of ['email', 'phone'] as const) {
      const value = ids[kind];
      if (!value) continue;
      const k = `${kind}#${value}`;
      const entry = this.entries.get(k) ?? { channel: kind === 'email' ? 'email' : 'sms', reasons: [] };
      entry.reasons.push(reason);
      this.entries.set(k, entry);
    }
  }
}

export class FakeApiKeyRepository implements ApiKeyRepository {
  readonly items = new Map<string, ApiKeyRecord>();

  async put(key: ApiKeyRecord): Promise<void> {
    await tick();
    if (this.items.has(key.hash)) throw new Error('ConditionalCheckFailedException');
    this.items.set(key.hash, copy(key));
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    await tick();
    const k = this.items.get(hash);
    return k && copy(k);
  }

  async list(): Promise<ApiKeyRecord[]> {
    await tick();
    return [...this.items.values()].map(copy);
  }

  async delete(id: string): Promise<boolean> {
    await tick();
    for (const [hash, k] of this.items) {
      if (k.keyId === id) {
        this.items.delete(hash);
        return true;
      }
    }
    return false;
  }
}

export interface FakeDeps extends PurchaseDeps {
  contacts: FakeContactRepository;
  stores: FakeStoreRepository;
  suppression: FakeSuppressionList;
  clock: FakeClock;
  ids: FakeIds;
  purchases: FakePurchaseRepository;
}

/** A fresh set of fakes, with the given stores already in the directory. */
export function fakeDeps(storeIds: string[] = []): FakeDeps {
  const purchases = new FakePurchaseRepository();
  const stores = new FakeStoreRepository();
  for (const id of storeIds) stores.items.set(id, sampleStore(id));
  return {
    contacts: new FakeContactRepository(purchases),
    stores,
    suppression: new FakeSuppressionList(),
    clock: new FakeClock(),
    ids: new FakeIds(),
    purchases,
  };
}
