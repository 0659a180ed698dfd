import type { Purchase } from '../purchases/purchase';
import type { Channel, Contact, IdentifierKind } from './contact';

/** The contacts a phone number was written on, and the phone-only contact whose identity it is. */
export interface PhoneHolders {
  /** Contacts that had this phone when they were written (a contact that changed it since may linger: check). */
  ids: string[];
  /** The contact created from this phone alone (no email): what a phone-only upsert updates. */
  identity?: string;
}

/**
 * The customer file. Every write of a contact is conditional: `create` only if the id is new,
 * `replace` only if nobody wrote the contact since the version read, so a concurrent write is
 * never lost; callers read again and retry. An email is a contact's identity (one claim, one
 * owner); a phone may be shared (a household), so it is an index of holders.
 */
export interface ContactRepository {
  /** `consistent`: a strongly consistent read (the sender, just before an SMS, must see a STOP of a moment ago). */
  get(id: string, opts?: { consistent?: boolean }): Promise<Contact | undefined>;
  getMany(ids: string[]): Promise<Map<string, Contact>>;
  /** The owner of an identity claim: an email, or the phone of a phone-only contact. */
  ownerOf(kind: IdentifierKind, value: string): Promise<string | undefined>;
  ownersOf(kind: IdentifierKind, values: string[]): Promise<Map<string, string>>;
  /**
   * Claims an identity for a contact with a conditional write and returns the
   * owner after the call: `contactId` when the claim succeeded or was already
   * held, another id when someone else holds it.
   */
  claim(kind: IdentifierKind, value: string, contactId: string): Promise<string>;
  /** Releases an identity, only if `contactId` still owns it. */
  release(kind: IdentifierKind, value: string, contactId: string): Promise<void>;
  /** Who has a phone number (see PhoneHolders). */
  phoneHolders(phone: string): Promise<PhoneHolders>;
  phoneHoldersMany(phones: string[]): Promise<Map<string, PhoneHolders>>;
  /** Adds a contact to a phone's holders (idempotent). */
  addPhoneHolder(phone: string, contactId: string): Promise<void>;
  /** Removes a contact from a phone's holders, and its phone identity if it held it. */
  removePhoneHolder(phone: string, contactId: string): Promise<void>;
  /** Writes a new contact; false when a contact with this id exists already. */
  create(contact: Contact): Promise<boolean>;
  /**
   * Replaces a contact only if it is still at `expectedVersion` (undefined: a contact written before
   * versions existed); false when someone wrote it meanwhile, or erased it. The new contact carries
   * `expectedVersion + 1`.
   */
  replace(contact: Contact, expectedVersion: number | undefined): Promise<boolean>;
  /**
   * One page of all contacts, in a stable order, from an opaque cursor: how
   * segments are evaluated without ever loading the whole base.
   */
  page(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; next?: string }>;
  /** Deletes the contact and every item stored under it (purchases). */
  erase(id: string): Promise<void>;
  /**
   * Counts a purchase on the contact once, however many times it is called with the same purchase
   * (its channel, last and first purchase, where, and `spent` added to the total); bumps its version.
   */
  applyPurchase(contactId: string, purchase: Purchase, spent: number): Promise<void>;
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
