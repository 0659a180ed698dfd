/**
 * The interfaces the domain needs from the outside world. Each is small and
 * named for its use; adapters implement them over DynamoDB, SES and friends,
 * and tests implement them over local emulators.
 */
import type { Channel, Contact } from './domain/contacts';
import type { ApiKeyRecord } from './domain/keys';
import type { Purchase } from './domain/purchases';
import type { Store } from './domain/stores';

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** A new unique, roughly time-ordered id with a readable prefix (`c_…`, `k_…`). */
  next(prefix: string): string;
}

export interface ApiKeyStore {
  put(key: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes a key; false when there was no such key. */
  delete(id: string): Promise<boolean>;
}

export interface StoreDirectory {
  put(store: Store): Promise<void>;
  get(id: string): Promise<Store | undefined>;
  list(): Promise<Store[]>;
}

/** Unique identifiers (an email, a phone) each point at the one contact that owns them. */
export type IdentifierKind = 'email' | 'phone';

export interface ContactStore {
  get(id: string): Promise<Contact | undefined>;
  getMany(ids: string[]): Promise<Map<string, Contact>>;
  ownerOf(kind: IdentifierKind, value: string): Promise<string | undefined>;
  ownersOf(kind: IdentifierKind, values: string[]): Promise<Map<string, string>>;
  /**
   * Claims an identifier for a contact with a conditional write and returns the
   * owner after the call: `contactId` when the claim succeeded or was already
   * held, another id when someone else holds it.
   */
  claim(kind: IdentifierKind, value: string, contactId: string): Promise<string>;
  /** Releases an identifier, only if `contactId` still owns it. */
  release(kind: IdentifierKind, value: string, contactId: string): Promise<void>;
  put(contact: Contact): Promise<void>;
  /** Writes many contacts at once (bulk import); no condition, last writer wins. */
  putMany(contacts: Contact[]): Promise<void>;
  /** Deletes the contact and every item stored under it (purchases). */
  erase(id: string): Promise<void>;
  /** Counts a purchase on the contact once, however many times it is called with the same purchase. */
  applyPurchase(contactId: string, purchase: Purchase): Promise<void>;
}

export interface PurchaseStore {
  /** Records a purchase; `false` when a purchase with this id already exists. */
  create(purchase: Purchase): Promise<boolean>;
  get(contactId: string, purchaseId: string): Promise<Purchase | undefined>;
}

/**
 * Addresses that must never be messaged again on a channel, kept only as keyed
 * hashes so that erasing a contact does not erase its opt-out.
 */
export interface SuppressionList {
  suppressedChannels(ids: { email?: string; phone?: string }): Promise<Channel[]>;
  /** The same for many contacts in one round trip; the result is in the order of the input. */
  suppressedChannelsMany(ids: { email?: string; phone?: string }[]): Promise<Channel[][]>;
  suppress(ids: { email?: string; phone?: string }, reason: string): Promise<void>;
}
