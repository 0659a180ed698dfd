/**
 * The DynamoDB layout, in one place: the CDK stack and the local stack create
 * their tables from these definitions, and the adapters build keys with these helpers.
 *
 * Main table (pk, sk), one generic index gsi1 (gsi1pk, gsi1sk):
 *
 * | item             | pk                   | sk                 | gsi1pk   | gsi1sk |
 * |------------------|----------------------|--------------------|----------|--------|
 * | API key          | APIKEY#<sha256>      | APIKEY             | APIKEYS  | <id>   |
 * | store (shop)     | STORE#<id>           | STORE              | STORES   | <id>   |
 * | contact          | CONTACT#<id>         | CONTACT            |CONTACTS#n| <id>   |
 * | purchase         | CONTACT#<id>         | PURCHASE#<id>      |          |        |
 * | email claim      | EMAIL#<addr>         | CLAIM (owner)      |          |        |
 * | phone holders    | PHONE#<e164>         | CLAIM (identity, holders set) |  |        |
 * | customer ref     | CUSTOMERREF#<ref>    | CLAIM (owner)      |          |        |
 * | suppression      | SUPPRESSION#<hmac>   | SUPPRESSION        |          |        |
 * | campaign         | CAMPAIGN#<id>        | CAMPAIGN           |CAMPAIGNS |<at>#<id>|
 * | compiled content | CAMPAIGN#<id>        | CONTENT            |          |        |
 * | send record      | CAMPAIGN#<id>        | SEND#<contactId>   |          |        |
 * | … of an SMS      | CAMPAIGN#<id>        | SEND#<contactId>#sms |        |        |
 * | number texted    | CAMPAIGN#<id>        | NUMBER#<hmac>      |          |        |
 * | SMS short link   | SHORT#<code>         | SHORT              |          |        |
 * | coupon           | COUPON#<code>        | COUPON             |          |        |
 * | failed look-ups  | LOOKUPS#<storeId>    | <minute>           |          |        |
 * | webhook endpoint | WEBHOOK#<id>         | WEBHOOK            | WEBHOOKS | <id>   |
 * | import job       | IMPORT#<id>          | IMPORT             | IMPORTS  |<at>#<id>|
 * | … refused line   | IMPORT#<id>          | REJECTED#<line>    |          |        |
 * | till receipt     | RECEIPT#<shop>#<ref> | RECEIPT            |TRAFFIC#<shop>#<day>|<at>#<ref>|
 * | coupon (index)   | COUPON#<code>        | COUPON             |CONTACT_COUPONS#<id>|<code>|
 * | webhook delivery | WEBHOOK#<id>         | DELIVERY#<eventAt>#<deliveryId> (TTL) | |   |
 *
 * The events table (pk, sk) holds raw tracking events and expires them through `expiresAt`.
 */
import type { Channel } from '../../domain/contacts/contact';

/** The part of a send record's key after `SEND#`: the contact, and `#sms` for a text message. */
export const sendRecordId = (contactId: string, channel: Channel = 'email') =>
  channel === 'sms' ? `${contactId}#sms` : contactId;

export const MAIN_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** Only short-lived bookkeeping carries it (per-minute failed coupon look-ups, the webhook deliveries log); records never do. */
  ttlAttribute: 'expiresAt',
} as const;

export const EVENTS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

export const key = {
  apiKey: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  store: (id: string) => ({ pk: `STORE#${id}`, sk: 'STORE' }),
  contact: (id: string) => ({ pk: `CONTACT#${id}`, sk: 'CONTACT' }),
  purchase: (contactId: string, id: string) => ({ pk: `CONTACT#${contactId}`, sk: `PURCHASE#${id}` }),
  claim: (kind: 'email' | 'phone' | 'customerRef', value: string) => ({
    pk: `${kind === 'customerRef' ? 'CUSTOMERREF' : kind.toUpperCase()}#${value}`,
    sk: 'CLAIM',
  }),
  suppression: (hash: string) => ({ pk: `SUPPRESSION#${hash}`, sk: 'SUPPRESSION' }),
  campaign: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' }),
  campaignContent: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CONTENT' }),
  /** One record per message: a campaign that texts and emails the same contact has two. */
  send: (campaignId: string, contactId: string, channel: Channel = 'email') => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `SEND#${sendRecordId(contactId, channel)}`,
  }),
  /** A phone number texted by a campaign, as a keyed hash: one SMS per number, whoever shares it. */
  campaignNumber: (campaignId: string, numberHash: string) => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `NUMBER#${numberHash}`,
  }),
  shortLink: (code: string) => ({ pk: `SHORT#${code}`, sk: 'SHORT' }),
  coupon: (code: string) => ({ pk: `COUPON#${code}`, sk: 'COUPON' }),
  webhook: (id: string) => ({ pk: `WEBHOOK#${id}`, sk: 'WEBHOOK' }),
  importJob: (id: string) => ({ pk: `IMPORT#${id}`, sk: 'IMPORT' }),
  /** A line an import refused, under its job, in line order. */
  importRejected: (id: string, line: number) => ({
    pk: `IMPORT#${id}`,
    sk: `REJECTED#${String(line).padStart(10, '0')}`,
  }),
  /** A till receipt, by shop and receipt reference: what makes a receipt count once. */
  receipt: (storeId: string, ref: string) => ({ pk: `RECEIPT#${storeId}#${ref}`, sk: 'RECEIPT' }),
  /** Under its endpoint, sorted by the event's time, so the log reads newest first. */
  webhookDelivery: (subscriptionId: string, eventAt: string, deliveryId: string) => ({
    pk: `WEBHOOK#${subscriptionId}`,
    sk: `DELIVERY#${eventAt}#${deliveryId}`,
  }),
};

/**
 * Contacts are listed through gsi1 in this many partitions (by a hash of the
 * id), so that paging a large base for a segment, or importing into it, never
 * leans on one index partition.
 */
export const CONTACT_SHARDS = 8;

export function contactIndex(id: string): { gsi1pk: string; gsi1sk: string } {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
  return { gsi1pk: `CONTACTS#${h % CONTACT_SHARDS}`, gsi1sk: id };
}

export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** Removes the table's key attributes from an item before it is handed to the domain. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  delete copy.type;
  return copy as T;
}

/** True for the error DynamoDB returns when a conditional write's condition is false. */
export const isConditionFailed = (err: unknown) =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

/**
 * Runs a conditional write: true when it applied, false when its condition was
 * false (the answer the caller branches on); any other error propagates.
 */
export async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
