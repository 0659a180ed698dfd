import type { Purchase } from '../purchases/purchase';
import type { Channel, Contact, IdentifierKind } from './contact';

export interface ContactRepository {
  /** `consistent`: a strongly consistent read (the sender, just before an SMS, must see a STOP of a moment ago). */
  get(id: string, opts?: { consistent?: boolean }): Promise<Contact | undefined>;
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
  /** Replaces a contact only if nobody changed it since `expectedUpdatedAt`; false when someone did. */
  replace(contact: Contact, expectedUpdatedAt: string): Promise<boolean>;
  /**
   * One page of all contacts, in a stable order, from an opaque cursor: how
   * segments are evaluated without ever loading the whole base.
   */
  page(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; next?: string }>;
  /** Writes many contacts at once (bulk import); no condition, last writer wins. */
  putMany(contacts: Contact[]): Promise<void>;
  /** Deletes the contact and every item stored under it (purchases). */
  erase(id: string): Promise<void>;
  /** Counts a purchase on the contact once, however many times it is called with the same purchase. */
  applyPurchase(contactId: string, purchase: Purchase): Promise<void>;
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
