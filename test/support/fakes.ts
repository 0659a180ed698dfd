/**
 * In-memory implementations of every port (functions/domain/<capability>/ports.ts and
 * functions/domain/shared/ports.ts), faithful to the DynamoDB adapters' semantics (conditional
 * claims, idempotent counting, copies on read and write as a database would), so domain services
 * can be unit-tested without an emulator. The one fake clock of the tests is here too.
 */

import type {
  Automation,
  AutomationRun,
  AutomationStatus,
} from '../../functions/domain/automations/automation';
import type { AutomationRepository } from '../../functions/domain/automations/ports';
import type {
  Campaign,
  CampaignContent,
  CampaignCounts,
  CampaignStatus,
  PlanJob,
  SendJob,
} from '../../functions/domain/campaigns/campaign';
import { admit, type CountedMessage, type FrequencyCap } from '../../functions/domain/campaigns/frequency';
import type {
  CampaignRepository,
  CampaignScheduler,
  FrequencyLedger,
} from '../../functions/domain/campaigns/ports';
import type { RecipientMark, SendOutcome, SendRecord } from '../../functions/domain/campaigns/send-record';
import type { Channel, Contact, IdentifierKind } from '../../functions/domain/contacts/contact';
import type { ContactRepository, PhoneHolders, SuppressionList } from '../../functions/domain/contacts/ports';
import type { Coupon, Redemption } from '../../functions/domain/coupons/coupon';
import type { CouponRepository } from '../../functions/domain/coupons/ports';
import type { ImportEngineDeps } from '../../functions/domain/imports/engine';
import type { ImportJob, ImportStatus, RejectedLine } from '../../functions/domain/imports/job';
import type { ImportAdvance, ImportFiles, ImportRepository } from '../../functions/domain/imports/ports';
import type { ApiKeyRecord } from '../../functions/domain/keys/api-keys';
import type { ApiKeyRepository } from '../../functions/domain/keys/ports';
import type { PurchaseRepository, ReceiptRepository } from '../../functions/domain/purchases/ports';
import type { Purchase } from '../../functions/domain/purchases/purchase';
import { type Receipt, receiptKey } from '../../functions/domain/purchases/receipt';
import type { PurchaseDeps } from '../../functions/domain/purchases/record';
import { validationError } from '../../functions/domain/shared/errors';
import type { OutboundEmail, OutboundSms } from '../../functions/domain/shared/messaging';
import type {
  Clock,
  EmailMessenger,
  Ids,
  SmsMessenger,
  WorkQueue,
} from '../../functions/domain/shared/ports';
import type { ShortLinkRepository } from '../../functions/domain/sms/ports';
import type { ShortLink } from '../../functions/domain/sms/short-links';
import type { StoreRepository } from '../../functions/domain/stores/ports';
import type { Store } from '../../functions/domain/stores/store';
import type { EngagementEvent, MessageEvent } from '../../functions/domain/tracking/events';
import type { EngagementRepository, EventLog } from '../../functions/domain/tracking/ports';
import type { EventPublisher, WebhookRepository } from '../../functions/domain/webhooks/ports';
import type {
  DeliveryRef,
  DeliveryStatus,
  WebhookDelivery,
  WebhookDeliveryJob,
  WebhookEvent,
  WebhookSubscription,
} from '../../functions/domain/webhooks/webhook';

const copy = <T>(value: T): T => structuredClone(value);

/** Lets other promises run, so concurrent calls interleave as they would over a network. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a DynamoDB conditional write throws when its condition is false (the adapters catch it by name). */
const conditionFailed = () => {
  const err = new Error('The conditional request failed');
  err.name = 'ConditionalCheckFailedException';
  return err;
};

/** The one clock of the tests: it stands still until moved by hand (`advance`, `set`). */
export class FakeClock implements Clock {
  current: Date;

  constructor(start: Date = new Date('2025-03-10T09:00:00.000Z')) {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  set(d: Date): void {
    this.current = new Date(d);
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

  async putMany(purchases: Purchase[]): Promise<void> {
    await tick();
    for (const p of purchases) this.items.set(`${p.contactId}#${p.id}`, copy(p));
  }

  async ofContact(contactId: string, from?: string): Promise<Purchase[]> {
    await tick();
    return [...this.items.values()]
      .filter((p) => p.contactId === contactId && (!from || p.at >= from))
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map(copy);
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

/** Receipts by shop and reference, as the table keys them. */
export class FakeReceiptRepository implements ReceiptRepository {
  readonly items = new Map<string, Receipt>();

  async recorded(keys: { storeId: string; ref: string }[]): Promise<Map<string, { importId?: string }>> {
    await tick();
    const out = new Map<string, { importId?: string }>();
    for (const k of keys) {
      const r = this.items.get(receiptKey(k));
      if (r) out.set(receiptKey(k), r.importId ? { importId: r.importId } : {});
    }
    return out;
  }

  async putMany(receipts: Receipt[]): Promise<void> {
    await tick();
    for (const r of receipts) this.items.set(receiptKey(r), copy(r));
  }

  /** `attribute_not_exists(pk) OR contactId = :c OR attribute_not_exists(contactId)`, else the one stored. */
  async create(receipt: Receipt): Promise<Receipt> {
    await tick();
    const k = receiptKey(receipt);
    const existing = this.items.get(k);
    if (!existing || existing.contactId === receipt.contactId || existing.contactId === undefined) {
      this.items.set(k, copy(receipt));
      return copy(receipt);
    }
    return copy(existing);
  }

  async ofDay(storeId: string, day: string): Promise<Receipt[]> {
    await tick();
    return [...this.items.values()].filter((r) => r.storeId === storeId && r.day === day).map(copy);
  }
}

type StoredContact = Contact & { lastPurchaseRef?: string };

export class FakeContactRepository implements ContactRepository {
  readonly items = new Map<string, StoredContact>();
  /** Identifier claims, keyed `${kind}#${value}` → owning contact id. */
  readonly claims = new Map<string, string>();

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

  /** Phone holders, by number (the DynamoDB adapter's `holders` set on the phone's claim item). */
  readonly holders = new Map<string, Set<string>>();
  /**
   * Called before every write of a contact, as the adapter's `beforeWrite`: a test holds a write
   * there to reproduce a race.
   */
  beforeWrite: (op: 'replace' | 'create' | 'erase', contactId: string) => Promise<void> = async () =>
    undefined;

  async phoneHolders(phone: string): Promise<PhoneHolders> {
    await tick();
    return this.holdersOf(phone);
  }

  async phoneHoldersMany(phones: string[]): Promise<Map<string, PhoneHolders>> {
    await tick();
    const out = new Map<string, PhoneHolders>();
    for (const p of phones) {
      const h = this.holdersOf(p);
      if (h.ids.length > 0 || h.identity) out.set(p, h);
    }
    return out;
  }

  private holdersOf(phone: string): PhoneHolders {
    const identity = this.claims.get(`phone#${phone}`);
    return { ids: [...(this.holders.get(phone) ?? [])], ...(identity ? { identity } : {}) };
  }

  async addPhoneHolder(phone: string, contactId: string): Promise<void> {
    await tick();
    const set = this.holders.get(phone) ?? new Set<string>();
    set.add(contactId);
    this.holders.set(phone, set);
  }

  async removePhoneHolder(phone: string, contactId: string): Promise<void> {
    await tick();
    this.holders.get(phone)?.delete(contactId);
    if (this.claims.get(`phone#${phone}`) === contactId) this.claims.delete(`phone#${phone}`);
  }

  /** `attribute_not_exists(pk)`; the stored contact starts at version 1. */
  async create(contact: Contact): Promise<boolean> {
    await this.beforeWrite('create', contact.id);
    await tick();
    if (this.items.has(contact.id)) return false;
    this.items.set(contact.id, copy({ ...contact, version: 1 }));
    return true;
  }

  /** Optimistic replace, as the DynamoDB adapter's `version = :v` condition. */
  async replace(contact: Contact, expectedVersion: number | undefined): Promise<boolean> {
    await this.beforeWrite('replace', contact.id);
    await tick();
    const stored = this.items.get(contact.id);
    if (!stored || stored.version !== expectedVersion) return false;
    this.items.set(contact.id, copy({ ...contact, version: (expectedVersion ?? 0) + 1 }));
    return true;
  }

  /** Writes a contact as it is, with no condition: test setup only (data from before a rule). */
  seed(contact: Contact): void {
    this.items.set(contact.id, copy(contact));
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

  async erase(id: string): Promise<void> {
    await this.beforeWrite('erase', id);
    await tick();
    this.purchases.eraseUnder(id);
    this.items.delete(id);
  }

  /** Mirrors DynamoContactStore.applyPurchase: the `lastPurchaseRef <> :pid` guard, then lastPurchaseAt, then `applied`. */
  async applyPurchase(contactId: string, purchase: Purchase, spent = 0): Promise<void> {
    await tick();
    const c = this.items.get(contactId);
    if (c && c.lastPurchaseRef !== purchase.id) {
      c.purchases[purchase.channel] = (c.purchases[purchase.channel] ?? 0) + 1;
      c.lastPurchaseRef = purchase.id;
      if (spent) c.totalSpent = Math.round(((c.totalSpent ?? 0) + spent) * 100) / 100;
      c.version = (c.version ?? 0) + 1;
    }
    if (c && (c.lastPurchaseAt === undefined || c.lastPurchaseAt < purchase.at)) {
      c.lastPurchaseAt = purchase.at;
      c.lastPurchaseStoreId = purchase.storeId;
      c.version = (c.version ?? 0) + 1;
    }
    if (c && (c.firstPurchaseAt === undefined || c.firstPurchaseAt > purchase.at)) {
      c.firstPurchaseAt = purchase.at;
      c.version = (c.version ?? 0) + 1;
    }
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

// ——— Campaigns: send records, campaigns, schedules, the frequency ledger ———

/** The part of a send record's key after `SEND#`: the contact, and `#sms` for a text message. */
const sendRecordId = (contactId: string, channel: Channel = 'email') =>
  channel === 'sms' ? `${contactId}#sms` : contactId;

/**
 * The send records of the main table (`CAMPAIGN#<id>` / `SEND#<contactId>[#sms]`): one store shared
 * by the repositories whose adapters write the same items — the campaigns (claims and outcomes),
 * engagement (first-time marks, the per-recipient export) and coupons (`codeOf`).
 */
export class FakeSendRecords {
  /** Per campaign, keyed by the record's id (`contactId`, or `contactId#sms`). */
  readonly items = new Map<string, Map<string, SendRecord>>();

  /** The stored record itself (not a copy): for the fakes and for assertions. */
  peek(campaignId: string, contactId: string, channel: Channel = 'email'): SendRecord | undefined {
    return this.items.get(campaignId)?.get(sendRecordId(contactId, channel));
  }

  /** A copy of the record, as a test reads it. */
  record(campaignId: string, contactId: string, channel: Channel = 'email'): SendRecord | undefined {
    const r = this.peek(campaignId, contactId, channel);
    return r && copy(r);
  }

  /** Writes a record as given (seeding a test); its channel is that of the record. */
  put(record: SendRecord): void {
    this.write(record.campaignId, record.contactId, record.channel ?? 'email', record);
  }

  write(campaignId: string, contactId: string, channel: Channel, record: SendRecord): void {
    let campaign = this.items.get(campaignId);
    if (!campaign) {
      campaign = new Map();
      this.items.set(campaignId, campaign);
    }
    campaign.set(sendRecordId(contactId, channel), copy(record));
  }

  /** A campaign's records in key order (`c_1`, `c_1#sms`, `c_10`…), as a Query returns them. */
  ofCampaign(campaignId: string): Array<{ id: string; record: SendRecord }> {
    return [...(this.items.get(campaignId) ?? new Map<string, SendRecord>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, record]) => ({ id, record }));
  }
}

const COUNT_FIELDS = ['targeted', 'sent', 'failed', 'skipped', 'holdout'] as const;

/** Campaigns, their compiled content and their send records, with DynamoCampaignRepository's conditions. */
export class FakeCampaignRepository implements CampaignRepository {
  readonly items = new Map<string, Campaign>();
  readonly contents = new Map<string, CampaignContent>();

  constructor(
    /** Stamps `updatedAt`, `claimedAt` and `settledAt`, as the adapter's `now`. */
    readonly clock: Clock = new FakeClock(),
    readonly sends: FakeSendRecords = new FakeSendRecords(),
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Content first (unconditional), then the campaign with `attribute_not_exists(pk)`. */
  async create(campaign: Campaign, content: CampaignContent): Promise<void> {
    await tick();
    this.contents.set(campaign.id, copy(content));
    await tick();
    if (this.items.has(campaign.id)) throw conditionFailed();
    this.items.set(campaign.id, copy(campaign));
  }

  async get(id: string): Promise<Campaign | undefined> {
    await tick();
    const c = this.items.get(id);
    return c && copy(c);
  }

  async getContent(id: string): Promise<CampaignContent | undefined> {
    await tick();
    const c = this.contents.get(id);
    return c && copy(c);
  }

  /**
   * Newest first (gsi1sk `<createdAt>#<id>`, descending); the cursor is opaque. A cursor is given
   * only when more campaigns remain.
   */
  async list(limit: number, cursor?: string): Promise<{ items: Campaign[]; next?: string }> {
    await tick();
    const sortKey = (c: Campaign) => `${c.createdAt}#${c.id}`;
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const all = [...this.items.values()]
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0))
      .filter((c) => after === undefined || sortKey(c) < after);
    const items = all.slice(0, limit).map(copy);
    const last = items[items.length - 1];
    return all.length > limit && last
      ? { items, next: Buffer.from(sortKey(last)).toString('base64url') }
      : { items };
  }

  /**
   * `attribute_exists(pk) AND status IN (from)`: sets the status, `updatedAt` and the defined
   * fields of `set`, and removes `pausedReason` unless moving to `paused` or setting it.
   */
  async transition(
    id: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    set: Partial<
      Pick<Campaign, 'baseUrl' | 'pausedReason' | 'sendRequestedAt' | 'completedAt' | 'guardOverriddenAt'>
    > = {},
  ): Promise<Campaign | undefined> {
    await tick();
    const c = this.items.get(id);
    if (!c || !from.includes(c.status)) return undefined;
    c.status = to;
    c.updatedAt = this.now();
    for (const [k, v] of Object.entries(set)) {
      if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
    }
    if (!(to === 'paused' || 'pausedReason' in set)) delete c.pausedReason;
    return copy(c);
  }

  /** Only while planning is not done and the cursor is the expected one (absent for the first page). */
  async advancePlan(
    id: string,
    expectedCursor: string | undefined,
    plan: Campaign['plan'],
    add: Partial<CampaignCounts>,
  ): Promise<boolean> {
    await tick();
    const c = this.items.get(id);
    if (c?.plan.done !== false) return false;
    if (expectedCursor === undefined ? c.plan.cursor !== undefined : c.plan.cursor !== expectedCursor)
      return false;
    c.plan = {
      ...(plan.cursor ? { cursor: plan.cursor } : {}),
      done: plan.done,
      ...(plan.rfm ? { rfm: plan.rfm } : {}),
    };
    this.add(c, add);
    return true;
  }

  /** `ADD` of the non-zero counters (`attribute_exists(pk)`: throws for an unknown campaign); the campaign after. */
  async addCounts(id: string, add: Partial<CampaignCounts>): Promise<Campaign | undefined> {
    if (!COUNT_FIELDS.some((f) => add[f])) return this.get(id);
    await tick();
    const c = this.items.get(id);
    if (!c) throw conditionFailed();
    this.add(c, add);
    return copy(c);
  }

  private add(c: Campaign, add: Partial<CampaignCounts>): void {
    for (const f of COUNT_FIELDS) {
      const n = add[f];
      if (n) c.counts[f] = (c.counts[f] ?? 0) + n;
    }
  }

  /** A put with `attribute_not_exists(pk) OR status = retry`: the whole record is replaced. */
  async claimSend(
    campaignId: string,
    contactId: string,
    status: 'claimed' | 'skipped' | 'holdout',
    reason?: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    await tick();
    const existing = this.sends.peek(campaignId, contactId, channel);
    if (existing && existing.status !== 'retry') return false;
    this.sends.write(campaignId, contactId, channel, {
      campaignId,
      contactId,
      status,
      claimedAt: this.now(),
      ...(reason ? { reason } : {}),
      ...(channel === 'email' ? {} : { channel }),
    });
    return true;
  }

  /**
   * An unconditional update: sets the status, `settledAt` and the defined fields of the outcome,
   * keeping the others. Like an UpdateItem, it creates the item when there is none (then without
   * `campaignId`, `contactId` or `claimedAt`).
   */
  async settleSend(
    campaignId: string,
    contactId: string,
    outcome: SendOutcome,
    channel: Channel = 'email',
  ): Promise<void> {
    await tick();
    const next = {
      ...(this.sends.peek(campaignId, contactId, channel) ?? {}),
      status: outcome.status,
      settledAt: this.now(),
    } as SendRecord;
    for (const k of ['messageId', 'error', 'locale', 'couponCode', 'reason', 'segments'] as const) {
      const v = outcome[k];
      if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
    }
    this.sends.write(campaignId, contactId, channel, next);
  }

  async getSend(
    campaignId: string,
    contactId: string,
    channel: Channel = 'email',
  ): Promise<SendRecord | undefined> {
    await tick();
    return this.sends.record(campaignId, contactId, channel);
  }

  /** `status = claimed AND claimedAt < :before`: failed, with an "outcome unknown" error. */
  /** Numbers texted per campaign: `attribute_not_exists(pk) OR contactId = :c`. */
  readonly numbers = new Map<string, string>();

  async claimNumber(campaignId: string, numberHash: string, contactId: string): Promise<boolean> {
    await tick();
    const k = `${campaignId}#${numberHash}`;
    const holder = this.numbers.get(k);
    if (holder !== undefined && holder !== contactId) return false;
    this.numbers.set(k, contactId);
    return true;
  }

  async expireClaim(
    campaignId: string,
    contactId: string,
    claimedBefore: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    await tick();
    const r = this.sends.peek(campaignId, contactId, channel);
    if (r?.status !== 'claimed' || !(r.claimedAt < claimedBefore)) return false;
    r.status = 'failed';
    r.error = 'Outcome unknown: the sender stopped before recording it, so it was not sent again';
    r.settledAt = this.now();
    return true;
  }
}

/** One schedule per campaign: scheduling again replaces it; cancelling one that is not there does nothing. */
export class FakeCampaignScheduler implements CampaignScheduler {
  readonly schedules = new Map<string, Date>();
  /** Every cancel call, in order. */
  readonly cancelled: string[] = [];

  async schedule(campaignId: string, at: Date): Promise<void> {
    await tick();
    this.schedules.set(campaignId, new Date(at));
  }

  async cancel(campaignId: string): Promise<void> {
    await tick();
    this.cancelled.push(campaignId);
    this.schedules.delete(campaignId);
  }
}

/** DynamoFrequencyLedger: one versioned item per contact, read, admitted, then written only if unchanged. */
export class FakeFrequencyLedger implements FrequencyLedger {
  readonly items = new Map<string, { messages: CountedMessage[]; version: number }>();

  async reserve(contactId: string, message: CountedMessage, cap: FrequencyCap): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await tick();
      const read = this.items.get(contactId);
      const item = read && copy(read);
      const { admitted, counted, kept } = admit(item?.messages ?? [], message, cap);
      if (!admitted) return false;
      if (counted) return true;
      const version = item?.version ?? 0;
      await tick();
      const current = this.items.get(contactId);
      if (item ? current?.version === version : current === undefined) {
        this.items.set(contactId, { messages: copy(kept), version: version + 1 });
        return true;
      }
      // Another sender counted a message for this contact in between: look again.
    }
    throw new Error(`The frequency ledger of ${contactId} is too busy`);
  }
}

// ——— Tracking: engagement and the event log ———

/**
 * DynamoEngagementRepository: raw events (the events table), first-time marks on the shared send
 * records, and per-campaign counters (summed over shards in the adapter: one total here).
 */
export class FakeEngagementRepository implements EngagementRepository {
  /** Raw events, keyed as the adapter's `eventKey` (campaign, contact, kind, request id). */
  readonly events = new Map<string, { event: EngagementEvent; counted?: true }>();
  /** Numeric counters per campaign, created by the first non-zero count. */
  readonly totals = new Map<string, Record<string, number>>();
  /** Named values per campaign (a link's URL), each set once. */
  readonly names = new Map<string, Record<string, string>>();
  /** The `add` of every `count` call, in order. */
  readonly countCalls: Record<string, number>[] = [];

  constructor(readonly sends: FakeSendRecords = new FakeSendRecords()) {}

  /** A copy of a send record, for assertions. */
  record(campaignId: string, contactId: string, channel: Channel = 'email'): SendRecord | undefined {
    return this.sends.record(campaignId, contactId, channel);
  }

  private static eventKey(e: Pick<EngagementEvent, 'campaignId' | 'contactId' | 'kind' | 'requestId'>) {
    return `${e.campaignId}#${e.contactId}#${e.kind}#${e.requestId}`;
  }

  /** An unconditional put: a retried request (same request id) overwrites its item. */
  async recordEvent(event: EngagementEvent): Promise<void> {
    await tick();
    this.events.set(FakeEngagementRepository.eventKey(event), { event: copy(event) });
  }

  /** `attribute_exists(pk) AND attribute_not_exists(counted)`. */
  async claimEvent(event: EngagementEvent): Promise<boolean> {
    await tick();
    const item = this.events.get(FakeEngagementRepository.eventKey(event));
    if (!item || item.counted) return false;
    item.counted = true;
    return true;
  }

  async releaseEvent(event: EngagementEvent): Promise<void> {
    await tick();
    const item = this.events.get(FakeEngagementRepository.eventKey(event));
    if (item) delete item.counted;
  }

  /** `attribute_exists(pk) AND attribute_not_exists(mark)`: only on a record that exists. */
  async markFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel: Channel = 'email',
  ): Promise<boolean> {
    await tick();
    const r = this.sends.peek(campaignId, contactId, channel);
    if (!r || r[mark] !== undefined) return false;
    r[mark] = at;
    return true;
  }

  /** `mark = :at`, its failure swallowed. */
  async unmarkFirst(
    campaignId: string,
    contactId: string,
    mark: RecipientMark,
    at: string,
    channel: Channel = 'email',
  ): Promise<void> {
    await tick();
    const r = this.sends.peek(campaignId, contactId, channel);
    if (r && r[mark] === at) delete r[mark];
  }

  /** `DELETE clickedLinks :set`; an emptied set disappears, as DynamoDB keeps no empty sets. */
  async unmarkLinkClicked(
    campaignId: string,
    contactId: string,
    link: number,
    channel: Channel = 'email',
  ): Promise<void> {
    await tick();
    const r = this.sends.peek(campaignId, contactId, channel);
    if (!(r?.clickedLinks instanceof Set)) return;
    r.clickedLinks.delete(link);
    if (r.clickedLinks.size === 0) delete r.clickedLinks;
  }

  /** `ADD clickedLinks :set` with `attribute_exists(pk) AND NOT contains(clickedLinks, :i)`. */
  async markLinkClicked(
    campaignId: string,
    contactId: string,
    link: number,
    channel: Channel = 'email',
  ): Promise<boolean> {
    await tick();
    const r = this.sends.peek(campaignId, contactId, channel);
    if (!r) return false;
    const links = r.clickedLinks instanceof Set ? r.clickedLinks : new Set(r.clickedLinks ?? []);
    if (links.has(link)) return false;
    links.add(link);
    r.clickedLinks = links;
    return true;
  }

  /** Adds the non-zero counters; names are `if_not_exists`; nothing at all is written for nothing. */
  async count(
    campaignId: string,
    add: Record<string, number>,
    names: Record<string, string> = {},
  ): Promise<void> {
    this.countCalls.push({ ...add });
    const adds = Object.entries(add).filter(([, n]) => n);
    const sets = Object.entries(names);
    if (adds.length === 0 && sets.length === 0) return;
    await tick();
    if (adds.length > 0) {
      const numbers = this.totals.get(campaignId) ?? {};
      for (const [k, n] of adds) numbers[k] = (numbers[k] ?? 0) + n;
      this.totals.set(campaignId, numbers);
    }
    if (sets.length > 0) {
      const named = this.names.get(campaignId) ?? {};
      for (const [k, v] of sets) named[k] ??= v;
      this.names.set(campaignId, named);
    }
  }

  async counters(
    campaignId: string,
  ): Promise<{ numbers: Record<string, number>; names: Record<string, string> }> {
    await tick();
    return {
      numbers: { ...(this.totals.get(campaignId) ?? {}) },
      names: { ...(this.names.get(campaignId) ?? {}) },
    };
  }

  /** In key order from an opaque cursor (the last record's id); a cursor only when more remain. */
  async sendRecords(
    campaignId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ records: SendRecord[]; next?: string }> {
    await tick();
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const all = this.sends.ofCampaign(campaignId).filter((r) => after === undefined || r.id > after);
    const page = all.slice(0, limit);
    const last = page[page.length - 1];
    const records = page.map((r) => copy(r.record));
    return all.length > limit && last
      ? { records, next: Buffer.from(last.id).toString('base64url') }
      : { records };
  }
}

/** DynamoEventLog: a conditional put on (message, event type). */
export class FakeEventLog implements EventLog {
  /** Keyed `${messageId}#${type}`. */
  readonly items = new Map<string, MessageEvent>();

  async recordOnce(event: MessageEvent): Promise<boolean> {
    await tick();
    const k = `${event.messageId}#${event.type}`;
    if (this.items.has(k)) return false;
    this.items.set(k, copy(event));
    return true;
  }
}

// ——— Coupons ———

/** DynamoCouponRepository: coupons by code, redeemed and voided with its conditions; failed look-ups per minute. */
export class FakeCouponRepository implements CouponRepository {
  readonly items = new Map<string, Coupon>();
  /** Failed look-ups, keyed `${storeId}#${YYYY-MM-DDTHH:MM}`. */
  readonly lookups = new Map<string, number>();

  /** `codeOf` reads the email send record's `couponCode`, as the adapter does. */
  constructor(readonly sends: FakeSendRecords = new FakeSendRecords()) {}

  async issue(coupon: Coupon): Promise<boolean> {
    await tick();
    if (this.items.has(coupon.code)) return false;
    this.items.set(coupon.code, copy(coupon));
    return true;
  }

  async get(code: string): Promise<Coupon | undefined> {
    await tick();
    const c = this.items.get(code);
    return c && copy(c);
  }

  async ofContact(contactId: string): Promise<Coupon[]> {
    await tick();
    return [...this.items.values()].filter((c) => c.contactId === contactId).map(copy);
  }

  /** Removes the first name and locale; cancels the coupon if it is still issued. */
  async forget(code: string, at: string, reason: string): Promise<void> {
    await tick();
    const c = this.items.get(code);
    if (!c) return;
    delete c.firstName;
    delete c.locale;
    if (c.status === 'issued') {
      c.status = 'voided';
      c.history.push({ action: 'voided', at, reason } as Coupon['history'][number]);
    }
  }

  async codeOf(campaignId: string, contactId: string): Promise<string | undefined> {
    await tick();
    return this.sends.peek(campaignId, contactId)?.couponCode;
  }

  /**
   * Issued, `validFrom <= now <= validUntil` (ISO strings compared, as in the condition), valid in
   * this store, the basket at least the minimum, in the offer's currency when it has one.
   */
  async redeem(code: string, r: Redemption, now: Date, defaultCurrency = 'EUR'): Promise<Coupon | undefined> {
    await tick();
    const c = this.items.get(code);
    const at = now.toISOString();
    if (
      c?.status !== 'issued' ||
      !(c.validFrom <= at) ||
      !(c.validUntil >= at) ||
      !(c.stores === 'all' || c.stores.includes(r.storeId)) ||
      !(c.offer.minBasket === undefined || c.offer.minBasket <= r.basketAmount) ||
      !((c.offer.currency ?? defaultCurrency) === r.currency)
    )
      return undefined;
    c.status = 'redeemed';
    c.redemption = copy(r);
    c.history.push({ action: 'redeemed', at, storeId: r.storeId, receiptRef: r.receiptRef });
    return copy(c);
  }

  /** Redeemed by this store with this receipt at or after `since`: back to issued. */
  async void(
    code: string,
    by: { storeId: string; receiptRef: string },
    since: string,
    now: Date,
  ): Promise<Coupon | undefined> {
    await tick();
    const c = this.items.get(code);
    const r = c?.redemption;
    if (
      c?.status !== 'redeemed' ||
      r?.storeId !== by.storeId ||
      r.receiptRef !== by.receiptRef ||
      !(r.at >= since)
    )
      return undefined;
    c.status = 'issued';
    delete c.redemption;
    c.history.push({
      action: 'voided',
      at: now.toISOString(),
      storeId: by.storeId,
      receiptRef: by.receiptRef,
    });
    return copy(c);
  }

  async countFailedLookup(storeId: string, now: Date): Promise<number> {
    await tick();
    const k = `${storeId}#${now.toISOString().slice(0, 16)}`;
    const n = (this.lookups.get(k) ?? 0) + 1;
    this.lookups.set(k, n);
    return n;
  }

  async failedLookups(storeId: string, now: Date): Promise<number> {
    await tick();
    return this.lookups.get(`${storeId}#${now.toISOString().slice(0, 16)}`) ?? 0;
  }
}

// ——— Automations ———

/** DynamoAutomationRepository: automations, their daily runs (one step each, set once) and cooldowns. */
export class FakeAutomationRepository implements AutomationRepository {
  readonly items = new Map<string, Automation>();
  /** Runs keyed `${automationId}#${day}`, with the campaign of each step. */
  readonly runItems = new Map<
    string,
    { automationId: string; day: string; at: string; steps: Map<number, string> }
  >();
  /** Who each automation messaged, keyed `${automationId}#${contactId}`. */
  readonly messaged = new Map<string, { lastMessagedAt: string; campaignId: string }>();

  async create(automation: Automation): Promise<void> {
    await tick();
    if (this.items.has(automation.id)) throw conditionFailed();
    this.items.set(automation.id, copy(automation));
  }

  async get(id: string): Promise<Automation | undefined> {
    await tick();
    const a = this.items.get(id);
    return a && copy(a);
  }

  /** In id order (gsi1sk). */
  async list(): Promise<Automation[]> {
    await tick();
    return [...this.items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(copy);
  }

  async setStatus(
    id: string,
    from: AutomationStatus,
    to: AutomationStatus,
    at: string,
  ): Promise<Automation | undefined> {
    await tick();
    const a = this.items.get(id);
    if (a?.status !== from) return undefined;
    a.status = to;
    a.updatedAt = at;
    return copy(a);
  }

  /** `attribute_exists(pk) AND (attribute_not_exists(lastRunDay) OR lastRunDay < :day)`. */
  async claimRun(id: string, day: string, at: string): Promise<boolean> {
    await tick();
    const a = this.items.get(id);
    if (!a || (a.lastRunDay !== undefined && !(a.lastRunDay < day))) return false;
    a.lastRunDay = day;
    a.lastRunAt = at;
    return true;
  }

  /** `attribute_not_exists(step<n>)`; the run item is made by its first step, its `at` set once. */
  async claimStep(
    run: Pick<AutomationRun, 'automationId' | 'day' | 'at'>,
    step: number,
    campaignId: string,
  ): Promise<boolean> {
    await tick();
    const k = `${run.automationId}#${run.day}`;
    const item = this.runItems.get(k) ?? {
      automationId: run.automationId,
      day: run.day,
      at: run.at,
      steps: new Map<number, string>(),
    };
    if (item.steps.has(step)) return false;
    item.steps.set(step, campaignId);
    this.runItems.set(k, item);
    return true;
  }

  /** Runs from `sinceDay` on, oldest first. */
  async runs(id: string, sinceDay: string): Promise<AutomationRun[]> {
    await tick();
    return [...this.runItems.values()]
      .filter((r) => r.automationId === id && r.day >= sinceDay)
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
      .map((r) => ({
        automationId: id,
        day: r.day,
        at: r.at,
        campaigns: Object.fromEntries([...r.steps].map(([s, c]) => [String(s), c])),
      }));
  }

  /** `attribute_not_exists(pk) OR lastMessagedAt <= :cutoff OR campaignId = :c`. */
  async markMessaged(
    automationId: string,
    contactId: string,
    campaignId: string,
    at: string,
    cooldownDays: number,
  ): Promise<boolean> {
    await tick();
    const k = `${automationId}#${contactId}`;
    const cutoff = new Date(Date.parse(at) - cooldownDays * 86_400_000).toISOString();
    const m = this.messaged.get(k);
    if (m && !(m.lastMessagedAt <= cutoff) && m.campaignId !== campaignId) return false;
    this.messaged.set(k, { lastMessagedAt: at, campaignId });
    return true;
  }
}

// ——— SMS short links ———

/** DynamoShortLinkRepository: a conditional put by code; a read does not show `keepUntil` (a storage detail). */
export class FakeShortLinkRepository implements ShortLinkRepository {
  /** As stored, `keepUntil` included. */
  readonly items = new Map<string, ShortLink>();

  async create(link: ShortLink): Promise<boolean> {
    await tick();
    if (this.items.has(link.code)) return false;
    this.items.set(link.code, copy(link));
    return true;
  }

  async get(code: string): Promise<ShortLink | undefined> {
    await tick();
    const link = this.items.get(code);
    if (!link) return undefined;
    const { keepUntil: _keep, ...rest } = copy(link);
    return rest;
  }
}

// ——— Webhooks ———

/**
 * DynamoWebhookRepository: endpoints and the deliveries log, each attempt claimed and settled with
 * the adapter's conditions. `active()` is cached for `cacheMs` of the given clock, and this
 * instance's own changes clear the cache, as in the adapter.
 */
export class FakeWebhookRepository implements WebhookRepository {
  readonly subs = new Map<string, WebhookSubscription>();
  /** The deliveries log, keyed by delivery id (derived from the endpoint and the event). */
  readonly log = new Map<string, WebhookDelivery>();
  private cache: { until: number; value: Promise<WebhookSubscription[]> } | undefined;

  constructor(private readonly opts: { clock?: Clock; cacheMs?: number } = {}) {}

  async create(sub: WebhookSubscription): Promise<void> {
    this.cache = undefined;
    await tick();
    if (this.subs.has(sub.id)) throw conditionFailed();
    this.subs.set(sub.id, copy(sub));
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    await tick();
    const s = this.subs.get(id);
    return s && copy(s);
  }

  async list(): Promise<WebhookSubscription[]> {
    await tick();
    return [...this.subs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(copy);
  }

  active(): Promise<WebhookSubscription[]> {
    const now = (this.opts.clock ?? defaultClock).now().getTime();
    if (!this.cache || this.cache.until <= now) {
      const value = this.list();
      const entry = { until: now + (this.opts.cacheMs ?? 60_000), value };
      this.cache = entry;
      value.catch(() => {
        if (this.cache === entry) this.cache = undefined;
      });
    }
    return this.cache.value;
  }

  async delete(id: string): Promise<boolean> {
    this.cache = undefined;
    await tick();
    return this.subs.delete(id);
  }

  /**
   * Attempt 1: no entry yet, or a lost attempt; attempt n: the previous one ended `retrying`, or a
   * lost attempt (`sending`, this attempt, last tried before `leaseCutoff`). Sets the entry's
   * fields and `createdAt` once, removes `nextAttemptAt`, keeps the rest (the last outcome's fields).
   */
  async claimAttempt(
    ref: DeliveryRef,
    attempt: number,
    entry: Pick<WebhookDelivery, 'eventId' | 'type' | 'campaignId' | 'contactId' | 'channel'>,
    now: string,
    leaseCutoff: string,
  ): Promise<boolean> {
    await tick();
    const d = this.log.get(ref.deliveryId);
    const lost = d?.status === 'sending' && d.attempts === attempt && d.lastAttemptAt < leaseCutoff;
    const ok = attempt === 1 ? !d || lost : (d?.status === 'retrying' && d.attempts === attempt - 1) || lost;
    if (!ok) return false;
    const { nextAttemptAt: _next, ...rest } = d ?? ({} as Partial<WebhookDelivery>);
    const fields = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
    this.log.set(ref.deliveryId, {
      ...rest,
      ...fields,
      id: ref.deliveryId,
      subscriptionId: ref.subscriptionId,
      eventAt: ref.eventAt,
      status: 'sending',
      attempts: attempt,
      lastAttemptAt: now,
      updatedAt: now,
      createdAt: d?.createdAt ?? now,
    } as WebhookDelivery);
    return true;
  }

  /** Only the claimed attempt (`sending`, this attempt): fields given are set, those not given removed. */
  async settleAttempt(
    ref: DeliveryRef,
    attempt: number,
    outcome: {
      status: Exclude<DeliveryStatus, 'sending'>;
      at: string;
      httpStatus?: number;
      error?: string;
      nextAttemptAt?: string;
    },
  ): Promise<boolean> {
    await tick();
    const d = this.log.get(ref.deliveryId);
    if (d?.status !== 'sending' || d.attempts !== attempt) return false;
    const { lastStatus: _s, lastError: _e, nextAttemptAt: _n, ...rest } = d;
    this.log.set(ref.deliveryId, {
      ...rest,
      status: outcome.status,
      updatedAt: outcome.at,
      ...(outcome.httpStatus !== undefined ? { lastStatus: outcome.httpStatus } : {}),
      ...(outcome.error !== undefined ? { lastError: outcome.error } : {}),
      ...(outcome.nextAttemptAt !== undefined ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
      ...(outcome.status === 'delivered' ? { deliveredAt: outcome.at } : {}),
      ...(outcome.status === 'failed' ? { failedAt: outcome.at } : {}),
    });
    return true;
  }

  async getDelivery(ref: DeliveryRef): Promise<WebhookDelivery | undefined> {
    await tick();
    const d = this.log.get(ref.deliveryId);
    return d && copy(d);
  }

  /**
   * An endpoint's deliveries, newest event first (sk `DELIVERY#<eventAt>#<id>`, descending); a
   * cursor of another list is a 400 at `query.cursor`, as in the adapter.
   */
  async deliveries(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: WebhookDelivery[]; next?: string }> {
    await tick();
    const pk = `WEBHOOK#${subscriptionId}`;
    const sk = (d: WebhookDelivery) => `DELIVERY#${d.eventAt}#${d.id}`;
    let after: string | undefined;
    if (cursor) {
      let k: { pk?: unknown; sk?: unknown } | undefined;
      try {
        k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        k = undefined;
      }
      if (k?.pk !== pk || typeof k.sk !== 'string' || !k.sk.startsWith('DELIVERY#'))
        throw validationError([{ path: 'query.cursor', message: 'Not a cursor of this list' }]);
      after = k.sk;
    }
    const all = [...this.log.values()]
      .filter((d) => d.subscriptionId === subscriptionId && (after === undefined || sk(d) < after))
      .sort((a, b) => (sk(a) < sk(b) ? 1 : sk(a) > sk(b) ? -1 : 0));
    const items = all.slice(0, limit).map(copy);
    const last = items[items.length - 1];
    return all.length > limit && last
      ? { items, next: Buffer.from(JSON.stringify({ pk, sk: sk(last) })).toString('base64url') }
      : { items };
  }
}

/** Records the events handed to the webhooks; set `fail` to make `publish` reject. */
export class FakeEventPublisher implements EventPublisher {
  readonly published: WebhookEvent[] = [];
  fail: Error | undefined;

  async publish(events: WebhookEvent[]): Promise<void> {
    await tick();
    if (this.fail) throw this.fail;
    this.published.push(...copy(events));
  }
}

// ——— Providers and queues ———

/**
 * A provider that accepts every message (`sent`) unless told to fail: `fail` fails every call
 * while set; `failFor` a recipient (a number of times, or always); `failCall` the n-th call.
 * Every call, accepted or not, is in `calls`.
 */
class ScriptedMessenger<M extends { to: string }> {
  /** The messages the provider accepted, in order. */
  readonly sent: M[] = [];
  /** Every message handed over, accepted or refused. */
  readonly calls: M[] = [];
  fail: Error | undefined;
  private readonly rules: { matches: (m: M, call: number) => boolean; error: Error; times: number }[] = [];

  constructor(private readonly idPrefix: string) {}

  /** Refuses messages to `to` with `error`, `times` times (always by default). */
  failFor(to: string, error: Error, times = Number.POSITIVE_INFINITY): this {
    this.rules.push({ matches: (m) => m.to === to, error, times });
    return this;
  }

  /** Refuses the n-th call (1-based, counting every call) with `error`. */
  failCall(n: number, error: Error): this {
    this.rules.push({ matches: (_m, call) => call === n, error, times: 1 });
    return this;
  }

  /** The accepted messages to one recipient. */
  sentTo(to: string): M[] {
    return this.sent.filter((m) => m.to === to);
  }

  async send(message: M): Promise<{ messageId: string }> {
    await tick();
    this.calls.push(copy(message));
    if (this.fail) throw this.fail;
    const rule = this.rules.find((r) => r.times > 0 && r.matches(message, this.calls.length));
    if (rule) {
      rule.times--;
      throw rule.error;
    }
    this.sent.push(copy(message));
    return { messageId: `${this.idPrefix}-${this.sent.length}` };
  }
}

/** The email provider: message ids `email-1`, `email-2`… in the order accepted. */
export class FakeEmailMessenger extends ScriptedMessenger<OutboundEmail> implements EmailMessenger {
  constructor() {
    super('email');
  }
}

/** The SMS provider: message ids `sms-1`, `sms-2`… in the order accepted. */
export class FakeSmsMessenger extends ScriptedMessenger<OutboundSms> implements SmsMessenger {
  constructor() {
    super('sms');
  }
}

/**
 * A queue that keeps what is enqueued, batch by batch, with the delay asked for. Messages are
 * serialised as SQS would (JSON), and an empty enqueue sends nothing. Set `fail` to make it reject.
 */
export class FakeWorkQueue<T> implements WorkQueue<T> {
  readonly batches: { jobs: T[]; delay?: number }[] = [];
  fail: Error | undefined;

  async enqueue(messages: T[], delaySeconds?: number): Promise<void> {
    if (messages.length === 0) return;
    await tick();
    if (this.fail) throw this.fail;
    this.batches.push({ jobs: JSON.parse(JSON.stringify(messages)) as T[], delay: delaySeconds });
  }

  /** Every message enqueued so far, in order. */
  get jobs(): T[] {
    return this.batches.flatMap((b) => b.jobs);
  }

  /** Removes and returns what is queued (a consumer receiving it). */
  take(): { jobs: T[]; delay?: number }[] {
    return this.batches.splice(0, this.batches.length);
  }
}

const defaultClock: Clock = new FakeClock();

// ——— Imports ———

/**
 * DynamoImportRepository: one record per job, written with the adapter's conditions. `create` needs
 * a new id; `transition` moves a job only from one of the given statuses; `lease` takes a job nobody
 * holds or whose holder's lease ended before `now`; `advance` saves a batch only while the lease
 * names `owner` and the checkpoint is still at `fromOffset` (counts are added, the other fields set);
 * `release` by anyone but the holder is a no-op. Refused lines are kept by line (written again, they
 * replace themselves) and paged in line order, the cursor being the last line returned.
 */
export class FakeImportRepository implements ImportRepository {
  readonly jobs = new Map<string, ImportJob>();
  /** Refused lines by job, then by line. */
  readonly refused = new Map<string, Map<number, RejectedLine>>();

  /** `clock`: what `updatedAt` is set from when an advance says no `finishedAt` (the adapter's own time). */
  constructor(private readonly clock: Clock = defaultClock) {}

  async create(job: ImportJob): Promise<void> {
    await tick();
    if (this.jobs.has(job.id)) throw conditionFailed();
    this.jobs.set(job.id, copy(job));
  }

  async get(id: string): Promise<ImportJob | undefined> {
    await tick();
    const job = this.jobs.get(id);
    return job && copy(job);
  }

  /** Newest first, as gsi1 (`${createdAt}#${id}`) read backwards. */
  async recent(limit: number): Promise<ImportJob[]> {
    await tick();
    const sk = (j: ImportJob) => `${j.createdAt}#${j.id}`;
    return [...this.jobs.values()]
      .sort((a, b) => (sk(a) < sk(b) ? 1 : sk(a) > sk(b) ? -1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  async transition(
    id: string,
    from: readonly ImportStatus[],
    to: ImportStatus,
    at: string,
  ): Promise<ImportJob | undefined> {
    await tick();
    const job = this.jobs.get(id);
    if (!job || !from.includes(job.status)) return undefined;
    job.status = to;
    job.updatedAt = at;
    return copy(job);
  }

  /** `attribute_exists(pk) AND (attribute_not_exists(lease) OR lease.until < :now)`. */
  async lease(id: string, owner: string, until: string, now: string): Promise<ImportJob | undefined> {
    await tick();
    const job = this.jobs.get(id);
    if (!job || (job.lease && !(job.lease.until < now))) return undefined;
    job.lease = { owner, until };
    return copy(job);
  }

  /** `checkpoint.offset = :from AND lease.owner = :me`: counts ADDed, the other fields given SET. */
  async advance(id: string, owner: string, fromOffset: number, next: ImportAdvance): Promise<boolean> {
    await tick();
    const job = this.jobs.get(id);
    if (!job || job.checkpoint.offset !== fromOffset || job.lease?.owner !== owner) return false;
    job.checkpoint = copy(next.checkpoint);
    for (const [k, v] of Object.entries(next.add) as [keyof ImportJob['counts'], number][]) {
      if (v) job.counts[k] = (job.counts[k] ?? 0) + v;
    }
    for (const k of ['warnings', 'dialect', 'status', 'size', 'startedAt', 'finishedAt', 'error'] as const) {
      if (next[k] !== undefined) Object.assign(job, { [k]: copy(next[k]) });
    }
    job.updatedAt = next.finishedAt ?? this.clock.now().toISOString();
    return true;
  }

  /** `lease.owner = :me`, else nothing. */
  async release(id: string, owner: string): Promise<void> {
    await tick();
    const job = this.jobs.get(id);
    if (job?.lease?.owner === owner) delete job.lease;
  }

  async addRejected(id: string, lines: RejectedLine[]): Promise<void> {
    if (lines.length === 0) return;
    await tick();
    const kept = this.refused.get(id) ?? new Map<number, RejectedLine>();
    for (const l of lines) kept.set(l.line, copy(l));
    this.refused.set(id, kept);
  }

  async rejected(
    id: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ lines: RejectedLine[]; next?: string }> {
    await tick();
    const after = cursor === undefined ? undefined : Number(cursor);
    const all = [...(this.refused.get(id)?.values() ?? [])]
      .filter((l) => after === undefined || l.line > after)
      .sort((a, b) => a.line - b.line);
    const lines = all.slice(0, limit).map(copy);
    const last = lines.at(-1);
    return all.length > limit && last ? { lines, next: String(last.line) } : { lines };
  }
}

/**
 * The import files' bucket in memory. `read` yields the bytes from `offset` in chunks of
 * `chunkSize` bytes (small by default, so a file is always read over several chunks, a character or
 * a line cut between two); reading a key never written throws as S3's NoSuchKey. `put` stores a
 * file as a client's upload would; every read is in `reads`.
 */
export class FakeImportFiles implements ImportFiles {
  readonly files = new Map<string, Uint8Array>();
  readonly reads: { key: string; offset: number }[] = [];

  constructor(public chunkSize = 7) {}

  /** A file uploaded (text is stored as UTF-8). */
  put(key: string, body: Uint8Array | string): void {
    this.files.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body));
  }

  /** A stored file as text (UTF-8). */
  text(key: string): string | undefined {
    const f = this.files.get(key);
    return f && new TextDecoder().decode(f);
  }

  async uploadUrl(key: string, expiresSeconds: number): Promise<string> {
    await tick();
    return `https://uploads.example/${key}?expires=${expiresSeconds}`;
  }

  async size(key: string): Promise<number | undefined> {
    await tick();
    return this.files.get(key)?.length;
  }

  async *read(key: string, offset: number): AsyncIterable<Uint8Array> {
    await tick();
    this.reads.push({ key, offset });
    const file = this.files.get(key);
    if (!file) {
      const err = new Error('The specified key does not exist.');
      err.name = 'NoSuchKey';
      throw err;
    }
    for (let i = offset; i < file.length; i += this.chunkSize) {
      yield file.slice(i, Math.min(file.length, i + this.chunkSize));
      await tick();
    }
  }

  async write(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [];
    for await (const part of body) parts.push(new Uint8Array(part));
    await tick();
    this.files.set(key, new Uint8Array(Buffer.concat(parts)));
  }

  async remove(key: string): Promise<void> {
    await tick();
    this.files.delete(key);
  }
}

/**
 * What the imports engine reads and writes through, built from the fakes as
 * functions/wiring/imports.ts builds it from the app: the stack's defaults are France, Paris time
 * and euros.
 */
export function fakeImportEngineDeps(
  deps: FakeDeps,
  overrides: Partial<ImportEngineDeps> = {},
): ImportEngineDeps {
  return {
    contacts: {
      contacts: deps.contacts,
      stores: deps.stores,
      suppression: deps.suppression,
      clock: deps.clock,
      ids: deps.ids,
    },
    receipts: {
      receipts: deps.receipts,
      purchases: deps.purchases,
      contacts: deps.contacts,
      currency: deps.currency,
    },
    stores: deps.stores,
    clock: deps.clock,
    defaultCountry: 'FR',
    timeZone: 'Europe/Paris',
    currency: 'EUR',
    ...overrides,
  };
}

// ——— All of them together ———

export interface FakeDeps extends PurchaseDeps {
  contacts: FakeContactRepository;
  stores: FakeStoreRepository;
  suppression: FakeSuppressionList;
  clock: FakeClock;
  ids: FakeIds;
  purchases: FakePurchaseRepository;
  receipts: FakeReceiptRepository;
  apiKeys: FakeApiKeyRepository;
  /** The send records the campaigns, engagement and coupons share. */
  sends: FakeSendRecords;
  campaigns: FakeCampaignRepository;
  scheduler: FakeCampaignScheduler;
  frequency: FakeFrequencyLedger;
  engagement: FakeEngagementRepository;
  events: FakeEventLog;
  coupons: FakeCouponRepository;
  automations: FakeAutomationRepository;
  shortLinks: FakeShortLinkRepository;
  webhooks: FakeWebhookRepository;
  publisher: FakeEventPublisher;
  messenger: FakeEmailMessenger;
  sms: FakeSmsMessenger;
  planQueue: FakeWorkQueue<PlanJob>;
  sendQueue: FakeWorkQueue<SendJob>;
  webhookQueue: FakeWorkQueue<WebhookDeliveryJob>;
}

/** A fresh set of fakes sharing one clock and one table of send records, with the given stores in the directory. */
export function fakeDeps(storeIds: string[] = []): FakeDeps {
  const clock = new FakeClock();
  const purchases = new FakePurchaseRepository();
  const stores = new FakeStoreRepository();
  for (const id of storeIds) stores.items.set(id, sampleStore(id));
  const sends = new FakeSendRecords();
  return {
    contacts: new FakeContactRepository(purchases),
    stores,
    suppression: new FakeSuppressionList(),
    clock,
    ids: new FakeIds(),
    purchases,
    receipts: new FakeReceiptRepository(),
    currency: 'EUR',
    apiKeys: new FakeApiKeyRepository(),
    sends,
    campaigns: new FakeCampaignRepository(clock, sends),
    scheduler: new FakeCampaignScheduler(),
    frequency: new FakeFrequencyLedger(),
    engagement: new FakeEngagementRepository(sends),
    events: new FakeEventLog(),
    coupons: new FakeCouponRepository(sends),
    automations: new FakeAutomationRepository(),
    shortLinks: new FakeShortLinkRepository(),
    webhooks: new FakeWebhookRepository({ clock }),
    publisher: new FakeEventPublisher(),
    messenger: new FakeEmailMessenger(),
    sms: new FakeSmsMessenger(),
    planQueue: new FakeWorkQueue<PlanJob>(),
    sendQueue: new FakeWorkQueue<SendJob>(),
    webhookQueue: new FakeWorkQueue<WebhookDeliveryJob>(),
  };
}
