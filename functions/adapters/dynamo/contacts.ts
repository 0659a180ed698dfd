import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Contact, IdentifierKind } from '../../domain/contacts/contact';
import type { ContactRepository, PhoneHolders } from '../../domain/contacts/ports';
import type { Purchase } from '../../domain/purchases/purchase';
import { batchGet, queryAll } from './batch';
import { CONTACT_SHARDS, conditional, contactIndex, isConditionFailed, key, stripKeys } from './table';

/**
 * Called before each write of a contact item: tests hold a write there to reproduce a race with the
 * latency of a real store, instead of hoping for the timing.
 */
export type BeforeContactWrite = (op: 'replace' | 'create' | 'erase', contactId: string) => Promise<void>;

export class DynamoContactRepository implements ContactRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly beforeWrite: BeforeContactWrite = async () => undefined,
  ) {}

  async get(id: string, opts: { consistent?: boolean } = {}): Promise<Contact | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: key.contact(id),
        ...(opts.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return res.Item ? stripKeys<Contact>(res.Item) : undefined;
  }

  async getMany(ids: string[]): Promise<Map<string, Contact>> {
    const items = await batchGet(this.doc, this.table, ids.map(key.contact));
    return new Map(items.map((i) => stripKeys<Contact>(i)).map((c) => [c.id, c]));
  }

  async ownerOf(kind: IdentifierKind, value: string): Promise<string | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.claim(kind, value) }));
    return res.Item?.contactId as string | undefined;
  }

  async ownersOf(kind: IdentifierKind, values: string[]): Promise<Map<string, string>> {
    const items = await batchGet(
      this.doc,
      this.table,
      values.map((v) => key.claim(kind, v)),
    );
    return new Map(items.map((i) => [i.value as string, i.contactId as string]));
  }

  /**
   * `contactId` on the claim item is the identity's owner. A phone's item also holds the set of
   * contacts that have the number (`holders`), so claims and releases update that one item.
   */
  async claim(kind: IdentifierKind, value: string, contactId: string): Promise<string> {
    const claimed = await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.claim(kind, value),
          UpdateExpression: 'SET #type = :type, kind = :kind, #value = :value, contactId = :id',
          ConditionExpression: 'attribute_not_exists(contactId) OR contactId = :id',
          ExpressionAttributeNames: { '#type': 'type', '#value': 'value' },
          ExpressionAttributeValues: { ':type': 'claim', ':kind': kind, ':value': value, ':id': contactId },
        }),
      ),
    );
    // Held by someone else; if they released it meanwhile, try again.
    return claimed ? contactId : ((await this.ownerOf(kind, value)) ?? this.claim(kind, value, contactId));
  }

  async release(kind: IdentifierKind, value: string, contactId: string): Promise<void> {
    await conditional(
      this.doc.send(
        kind !== 'phone'
          ? new DeleteCommand({
              TableName: this.table,
              Key: key.claim(kind, value),
              ConditionExpression: 'contactId = :id',
              ExpressionAttributeValues: { ':id': contactId },
            })
          : new UpdateCommand({
              TableName: this.table,
              Key: key.claim(kind, value),
              UpdateExpression: 'REMOVE contactId',
              ConditionExpression: 'contactId = :id',
              ExpressionAttributeValues: { ':id': contactId },
            }),
      ),
    );
  }

  async phoneHolders(phone: string): Promise<PhoneHolders> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.claim('phone', phone) }),
    );
    return holdersOf(res.Item);
  }

  async phoneHoldersMany(phones: string[]): Promise<Map<string, PhoneHolders>> {
    const items = await batchGet(
      this.doc,
      this.table,
      [...new Set(phones)].map((p) => key.claim('phone', p)),
    );
    return new Map(items.map((i) => [i.value as string, holdersOf(i)]));
  }

  async addPhoneHolder(phone: string, contactId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key.claim('phone', phone),
        UpdateExpression: 'SET #type = :type, kind = :kind, #value = :value ADD holders :ids',
        ExpressionAttributeNames: { '#type': 'type', '#value': 'value' },
        ExpressionAttributeValues: {
          ':type': 'claim',
          ':kind': 'phone',
          ':value': phone,
          ':ids': new Set([contactId]),
        },
      }),
    );
  }

  async removePhoneHolder(phone: string, contactId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.claim('phone', phone),
          UpdateExpression: 'DELETE holders :ids',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':ids': new Set([contactId]) },
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionFailed(err)) throw err;
      });
    await this.release('phone', phone, contactId);
    // A number nobody has any more leaves nothing behind (its key is the number itself).
    await conditional(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key.claim('phone', phone),
          ConditionExpression: 'attribute_not_exists(holders) AND attribute_not_exists(contactId)',
        }),
      ),
    );
  }

  async create(contact: Contact): Promise<boolean> {
    await this.beforeWrite('create', contact.id);
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem({ ...contact, version: 1 }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async replace(contact: Contact, expectedVersion: number | undefined): Promise<boolean> {
    await this.beforeWrite('replace', contact.id);
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem({ ...contact, version: (expectedVersion ?? 0) + 1 }),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
            : {
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': expectedVersion },
              }),
        }),
      ),
    );
  }

  async page(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; next?: string }> {
    let c = decodeCursor(cursor);
    const contacts: Contact[] = [];
    // Walks the shards in order; a page may span the end of one shard and the start of the next.
    while (contacts.length < limit) {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': `CONTACTS#${c.shard}` },
          Limit: limit - contacts.length,
          ...(c.after ? { ExclusiveStartKey: c.after } : {}),
        }),
      );
      contacts.push(...(res.Items ?? []).map((i) => stripKeys<Contact>(i)));
      if (res.LastEvaluatedKey) c = { shard: c.shard, after: res.LastEvaluatedKey };
      else if (c.shard + 1 < CONTACT_SHARDS) c = { shard: c.shard + 1 };
      else return { contacts };
    }
    return { contacts, next: encodeCursor(c) };
  }

  async erase(id: string): Promise<void> {
    await this.beforeWrite('erase', id);
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': key.contact(id).pk },
      ProjectionExpression: 'pk, sk',
    });
    // Purchases first and the contact item last, so a retried erase still finds what is left.
    const ordered = items.sort((a, b) => (a.sk === 'CONTACT' ? 1 : 0) - (b.sk === 'CONTACT' ? 1 : 0));
    for (const item of ordered) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk } }));
    }
  }

  async applyPurchase(contactId: string, purchase: Purchase, spent: number): Promise<void> {
    const contactKey = key.contact(contactId);
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: contactKey,
          UpdateExpression: `ADD purchases.#ch :one, version :one${spent ? ', totalSpent :spent' : ''} SET lastPurchaseRef = :pid`,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastPurchaseRef) OR lastPurchaseRef <> :pid)',
          ExpressionAttributeNames: { '#ch': purchase.channel },
          ExpressionAttributeValues: {
            ':one': 1,
            ':pid': purchase.id,
            ...(spent ? { ':spent': Math.round(spent * 100) / 100 } : {}),
          },
        }),
      ),
    );
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: contactKey,
          UpdateExpression: 'SET lastPurchaseAt = :at, lastPurchaseStoreId = :store ADD version :one',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastPurchaseAt) OR lastPurchaseAt < :at)',
          ExpressionAttributeValues: { ':at': purchase.at, ':one': 1, ':store': purchase.storeId },
        }),
      ),
    );
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: contactKey,
          UpdateExpression: 'SET firstPurchaseAt = :at ADD version :one',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(firstPurchaseAt) OR firstPurchaseAt > :at)',
          ExpressionAttributeValues: { ':at': purchase.at, ':one': 1 },
        }),
      ),
    );
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.purchase(contactId, purchase.id),
          UpdateExpression: 'SET applied = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': true },
        }),
      ),
    );
  }
}

function holdersOf(item: Record<string, unknown> | undefined): PhoneHolders {
  if (!item) return { ids: [] };
  const holders = item.holders instanceof Set ? [...(item.holders as Set<string>)] : [];
  const identity = typeof item.contactId === 'string' ? item.contactId : undefined;
  return { ids: holders, ...(identity ? { identity } : {}) };
}

function toItem(contact: Contact): Record<string, unknown> {
  return { ...key.contact(contact.id), ...contactIndex(contact.id), type: 'contact', ...contact };
}

interface PageCursor {
  shard: number;
  after?: Record<string, unknown>;
}

const encodeCursor = (c: PageCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(cursor: string | undefined): PageCursor {
  if (!cursor) return { shard: 0 };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as PageCursor;
    if (Number.isInteger(c.shard) && c.shard >= 0 && c.shard < CONTACT_SHARDS) return c;
  } catch {
    // fall through
  }
  throw new Error('Invalid contacts cursor');
}
