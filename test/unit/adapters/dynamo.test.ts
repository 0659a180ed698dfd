import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoApiKeyRepository } from '../../../functions/adapters/dynamo/api-keys';
import { batchGet, queryAll } from '../../../functions/adapters/dynamo/batch';
import { DynamoContactRepository } from '../../../functions/adapters/dynamo/contacts';
import { DynamoPurchaseRepository } from '../../../functions/adapters/dynamo/purchases';
import { DynamoStoreRepository } from '../../../functions/adapters/dynamo/stores';
import { DynamoSuppressionList } from '../../../functions/adapters/dynamo/suppression';
import { isConditionFailed, key, stripKeys } from '../../../functions/adapters/dynamo/table';
import type { Contact } from '../../../functions/domain/contacts/contact';
import type { ApiKeyRecord } from '../../../functions/domain/keys/api-keys';
import type { Purchase } from '../../../functions/domain/purchases/purchase';
import { keyedHash } from '../../../functions/domain/shared/hashing';
import { reservedNamesIn } from './reserved-words';

const TABLE = 'relance-main';
const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-3' }));

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'x', $metadata: {} });

/** The input of the n-th call of a command. */
function inputOf<T>(command: new (input: T) => unknown, n = 0): T {
  const call = ddb.commandCalls(command as unknown as Parameters<typeof ddb.commandCalls>[0])[n];
  if (!call) throw new Error(`no call #${n} of ${command.name}`);
  return call.args[0].input as T;
}

/** Every expression sent in every call, for the reserved-word check. */
function allExpressions(): string[] {
  return ddb.calls().flatMap((c) => {
    const input = (c.args[0] as { input: Record<string, unknown> }).input;
    return [
      'UpdateExpression',
      'ConditionExpression',
      'KeyConditionExpression',
      'ProjectionExpression',
      'FilterExpression',
    ]
      .map((k) => input[k])
      .filter((e): e is string => typeof e === 'string');
  });
}

beforeEach(() => {
  ddb.reset();
});

describe('table helpers', () => {
  it('strips key attributes and type', () => {
    expect(stripKeys({ pk: 'A', sk: 'B', gsi1pk: 'C', gsi1sk: 'D', type: 'x', id: '1', name: 'n' })).toEqual({
      id: '1',
      name: 'n',
    });
  });

  it('recognises a conditional check failure by its name', () => {
    expect(isConditionFailed(conditionFailed())).toBe(true);
    expect(isConditionFailed(new Error('ConditionalCheckFailedException'))).toBe(false);
    expect(isConditionFailed('ConditionalCheckFailedException')).toBe(false);
  });
});

describe('DynamoApiKeyStore', () => {
  const store = new DynamoApiKeyRepository(doc, TABLE);
  const rec: ApiKeyRecord = {
    keyId: 'k_1',
    role: 'store',
    storeId: 'paris',
    hash: 'ab'.repeat(32),
    createdAt: '2025-03-10T09:00:00.000Z',
  };

  it('puts a key only if no item has its hash (attribute_not_exists(pk))', async () => {
    ddb.on(PutCommand).resolves({});
    await store.put(rec);
    expect(inputOf(PutCommand)).toEqual({
      TableName: TABLE,
      Item: {
        pk: `APIKEY#${rec.hash}`,
        sk: 'APIKEY',
        gsi1pk: 'APIKEYS',
        gsi1sk: 'k_1',
        type: 'apikey',
        ...rec,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('lets a failed put condition surface', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(store.put(rec)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('finds a key by hash, without its table attributes', async () => {
    ddb.on(GetCommand, { Key: key.apiKey(rec.hash) }).resolves({
      Item: { ...key.apiKey(rec.hash), gsi1pk: 'APIKEYS', gsi1sk: 'k_1', type: 'apikey', ...rec },
    });
    expect(await store.findByHash(rec.hash)).toEqual(rec);
    expect(inputOf(GetCommand)).toEqual({
      TableName: TABLE,
      Key: { pk: `APIKEY#${rec.hash}`, sk: 'APIKEY' },
    });
    ddb.on(GetCommand).resolves({});
    expect(await store.findByHash('00')).toBeUndefined();
  });

  it('lists keys through gsi1, following pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ ...rec, pk: 'p', sk: 's' }], LastEvaluatedKey: { pk: 'p', sk: 's' } })
      .resolvesOnce({ Items: [{ ...rec, keyId: 'k_2' }] });
    expect((await store.list()).map((k) => k.keyId)).toEqual(['k_1', 'k_2']);
    expect(inputOf(QueryCommand, 0)).toMatchObject({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'APIKEYS' },
    });
    expect(inputOf(QueryCommand, 1).ExclusiveStartKey).toEqual({ pk: 'p', sk: 's' });
  });

  it('deletes a key found by id with a conditional delete', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: `APIKEY#${rec.hash}`, sk: 'APIKEY' }] });
    ddb.on(DeleteCommand).resolves({});
    expect(await store.delete('k_1')).toBe(true);
    expect(inputOf(QueryCommand).ExpressionAttributeValues).toEqual({ ':p': 'APIKEYS', ':id': 'k_1' });
    expect(inputOf(DeleteCommand)).toEqual({
      TableName: TABLE,
      Key: { pk: `APIKEY#${rec.hash}`, sk: 'APIKEY' },
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('answers false for an unknown key or one deleted concurrently', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.delete('k_none')).toBe(false);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'APIKEY#x', sk: 'APIKEY' }] });
    ddb.on(DeleteCommand).rejects(conditionFailed());
    expect(await store.delete('k_1')).toBe(false);
  });
});

const contact: Contact = {
  id: 'c_1',
  email: 'ann@example.com',
  tags: [],
  attributes: {},
  consent: {},
  suppressed: [],
  purchases: { store: 0, web: 0, phone: 0 },
  createdAt: '2025-03-10T09:00:00.000Z',
  updatedAt: '2025-03-10T09:00:00.000Z',
};

const purchase: Purchase = {
  id: 'p_abc',
  contactId: 'c_1',
  storeId: 'paris',
  amount: 10,
  currency: 'EUR',
  at: '2025-03-01T10:00:00.000Z',
  channel: 'web',
  recordedAt: '2025-03-10T09:00:00.000Z',
};

describe('DynamoContactStore', () => {
  const store = new DynamoContactRepository(doc, TABLE);

  it('claims an identity with a condition that lets the same owner claim again', async () => {
    ddb.on(UpdateCommand).resolves({});
    expect(await store.claim('email', 'ann@example.com', 'c_1')).toBe('c_1');
    expect(inputOf(UpdateCommand)).toEqual({
      TableName: TABLE,
      Key: { pk: 'EMAIL#ann@example.com', sk: 'CLAIM' },
      UpdateExpression: 'SET #type = :type, kind = :kind, #value = :value, contactId = :id',
      ConditionExpression: 'attribute_not_exists(contactId) OR contactId = :id',
      ExpressionAttributeNames: { '#type': 'type', '#value': 'value' },
      ExpressionAttributeValues: {
        ':type': 'claim',
        ':kind': 'email',
        ':value': 'ann@example.com',
        ':id': 'c_1',
      },
    });
  });

  it('answers the other owner when the claim condition fails', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb
      .on(GetCommand, { Key: { pk: 'PHONE#+33612345678', sk: 'CLAIM' } })
      .resolves({ Item: { contactId: 'c_other' } });
    expect(await store.claim('phone', '+33612345678', 'c_1')).toBe('c_other');
    expect(inputOf(UpdateCommand).Key?.pk).toBe('PHONE#+33612345678');
  });

  it('claims again when the other owner released it in between', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand).resolves({});
    expect(await store.claim('email', 'ann@example.com', 'c_1')).toBe('c_1');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('lets other errors of a claim surface', async () => {
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(store.claim('email', 'ann@example.com', 'c_1')).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
  });

  it('releases an identifier only if the contact still owns it', async () => {
    ddb.on(DeleteCommand).resolves({});
    await store.release('email', 'ann@example.com', 'c_1');
    expect(inputOf(DeleteCommand)).toEqual({
      TableName: TABLE,
      Key: { pk: 'EMAIL#ann@example.com', sk: 'CLAIM' },
      ConditionExpression: 'contactId = :id',
      ExpressionAttributeValues: { ':id': 'c_1' },
    });
  });

  it('swallows a failed release condition but not other errors', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed());
    await expect(store.release('email', 'ann@example.com', 'c_1')).resolves.toBeUndefined();
    ddb.on(DeleteCommand).rejects(new Error('boom'));
    await expect(store.release('email', 'ann@example.com', 'c_1')).rejects.toThrow('boom');
  });

  it('reads the owner of an identifier', async () => {
    ddb
      .on(GetCommand, { Key: { pk: 'EMAIL#ann@example.com', sk: 'CLAIM' } })
      .resolves({ Item: { contactId: 'c_1' } });
    expect(await store.ownerOf('email', 'ann@example.com')).toBe('c_1');
    ddb.on(GetCommand).resolves({});
    expect(await store.ownerOf('email', 'bob@example.com')).toBeUndefined();
  });

  it('reads many owners in one batch, keyed by value', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [{ pk: 'EMAIL#a@x.fr', sk: 'CLAIM', value: 'a@x.fr', contactId: 'c_1' }] },
    });
    const owners = await store.ownersOf('email', ['a@x.fr', 'b@x.fr']);
    expect(owners).toEqual(new Map([['a@x.fr', 'c_1']]));
    expect(inputOf(BatchGetCommand).RequestItems?.[TABLE]?.Keys).toEqual([
      { pk: 'EMAIL#a@x.fr', sk: 'CLAIM' },
      { pk: 'EMAIL#b@x.fr', sk: 'CLAIM' },
    ]);
  });

  it('gets a contact without its table attributes', async () => {
    ddb
      .on(GetCommand, { Key: key.contact('c_1') })
      .resolves({ Item: { ...key.contact('c_1'), type: 'contact', ...contact } });
    expect(await store.get('c_1')).toEqual(contact);
  });

  it('gets many contacts by id', async () => {
    ddb
      .on(BatchGetCommand)
      .resolves({ Responses: { [TABLE]: [{ ...key.contact('c_1'), type: 'contact', ...contact }] } });
    const found = await store.getMany(['c_1', 'c_2']);
    expect([...found.keys()]).toEqual(['c_1']);
    expect(found.get('c_1')).toEqual(contact);
  });

  it('creates a contact under its key, listed in one of the contact shards of gsi1, only if it is new', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await store.create(contact)).toBe(true);
    expect(inputOf(PutCommand)).toEqual({
      TableName: TABLE,
      Item: {
        pk: 'CONTACT#c_1',
        sk: 'CONTACT',
        gsi1pk: expect.stringMatching(/^CONTACTS#[0-7]$/),
        gsi1sk: 'c_1',
        type: 'contact',
        ...contact,
        version: 1,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    expect(await store.create(contact)).toBe(false);
  });

  it('replaces a contact only at the version read, and writes the next version', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await store.replace({ ...contact, firstName: 'Anne' }, 4)).toBe(true);
    expect(inputOf(PutCommand)).toMatchObject({
      Item: { firstName: 'Anne', version: 5 },
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 4 },
    });
    ddb.reset();
    ddb.on(PutCommand).resolves({});
    await store.replace(contact, undefined);
    expect(inputOf(PutCommand)).toMatchObject({
      Item: { version: 1 },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)',
    });
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('changed'), { name: 'ConditionalCheckFailedException' }));
    expect(await store.replace(contact, 5)).toBe(false);
  });

  it('keeps the holders of a phone as a set on its claim item, beside its identity', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.addPhoneHolder('+33612345678', 'c_1');
    expect(inputOf(UpdateCommand)).toMatchObject({
      Key: { pk: 'PHONE#+33612345678', sk: 'CLAIM' },
      UpdateExpression: expect.stringContaining('ADD holders :ids'),
      ExpressionAttributeValues: expect.objectContaining({ ':ids': new Set(['c_1']) }),
    });
    ddb.on(GetCommand).resolves({
      Item: { pk: 'PHONE#+33612345678', sk: 'CLAIM', holders: new Set(['c_1', 'c_2']), contactId: 'c_2' },
    });
    expect(await store.phoneHolders('+33612345678')).toEqual({ ids: ['c_1', 'c_2'], identity: 'c_2' });
  });

  it('erases the purchases first and the contact item last', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: 'CONTACT#c_1', sk: 'CONTACT' },
        { pk: 'CONTACT#c_1', sk: 'PURCHASE#p_1' },
        { pk: 'CONTACT#c_1', sk: 'PURCHASE#p_2' },
      ],
    });
    ddb.on(DeleteCommand).resolves({});
    await store.erase('c_1');
    expect(inputOf(QueryCommand)).toMatchObject({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CONTACT#c_1' },
    });
    const deleted = ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key?.sk);
    expect(deleted).toHaveLength(3);
    expect(deleted.at(-1)).toBe('CONTACT');
    expect(new Set(deleted)).toEqual(new Set(['CONTACT', 'PURCHASE#p_1', 'PURCHASE#p_2']));
  });

  it('counts a purchase with ADD under the lastPurchaseRef <> :pid guard', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.applyPurchase('c_1', purchase, 0);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(4);
    const count = updates[0];
    expect(count?.Key).toEqual({ pk: 'CONTACT#c_1', sk: 'CONTACT' });
    expect(count?.UpdateExpression).toMatch(/\bADD purchases\.#ch :one\b/);
    expect(count?.UpdateExpression).toMatch(/\bSET lastPurchaseRef = :pid\b/);
    expect(count?.ConditionExpression).toContain('lastPurchaseRef <> :pid');
    expect(count?.ConditionExpression).toContain('attribute_exists(pk)');
    expect(count?.ExpressionAttributeNames).toEqual({ '#ch': 'web' });
    expect(count?.ExpressionAttributeValues).toEqual({ ':one': 1, ':pid': 'p_abc' });
  });

  it('moves lastPurchaseAt forward only, firstPurchaseAt back only, then marks the purchase applied', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.applyPurchase('c_1', purchase, 0);
    const [, at, first, applied] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(first?.ConditionExpression).toContain('firstPurchaseAt > :at');
    expect(at?.Key).toEqual({ pk: 'CONTACT#c_1', sk: 'CONTACT' });
    expect(at?.UpdateExpression).toBe(
      'SET lastPurchaseAt = :at, lastPurchaseStoreId = :store ADD version :one',
    );
    expect(at?.ConditionExpression).toContain('lastPurchaseAt < :at');
    expect(at?.ExpressionAttributeValues).toEqual({
      ':at': purchase.at,
      ':one': 1,
      ':store': purchase.storeId,
    });
    expect(applied?.Key).toEqual({ pk: 'CONTACT#c_1', sk: 'PURCHASE#p_abc' });
    expect(applied?.UpdateExpression).toBe('SET applied = :t');
  });

  it('still marks the purchase applied when it had already been counted', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(UpdateCommand, { Key: key.purchase('c_1', 'p_abc') }).resolves({});
    await expect(store.applyPurchase('c_1', purchase, 0)).resolves.toBeUndefined();
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(4);
  });

  it('lets other errors of applyPurchase surface', async () => {
    ddb.on(UpdateCommand).rejects(new Error('boom'));
    await expect(store.applyPurchase('c_1', purchase, 0)).rejects.toThrow('boom');
  });
});

describe('DynamoPurchaseStore', () => {
  const store = new DynamoPurchaseRepository(doc, TABLE);

  it('creates a purchase only once', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());
    expect(await store.create(purchase)).toBe(true);
    expect(await store.create(purchase)).toBe(false);
    expect(inputOf(PutCommand)).toEqual({
      TableName: TABLE,
      Item: { pk: 'CONTACT#c_1', sk: 'PURCHASE#p_abc', type: 'purchase', ...purchase },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('gets a purchase under its contact', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key.purchase('c_1', 'p_abc'), type: 'purchase', ...purchase } });
    expect(await store.get('c_1', 'p_abc')).toEqual(purchase);
    expect(inputOf(GetCommand).Key).toEqual({ pk: 'CONTACT#c_1', sk: 'PURCHASE#p_abc' });
  });
});

describe('DynamoStoreDirectory', () => {
  it('puts a store on gsi1 so it can be listed', async () => {
    ddb.on(PutCommand).resolves({});
    const store = {
      id: 'paris',
      name: 'Paris',
      address: '1 rue',
      postcode: '75001',
      city: 'Paris',
      country: 'FR',
      createdAt: 'x',
      updatedAt: 'x',
    };
    await new DynamoStoreRepository(doc, TABLE).put(store);
    expect(inputOf(PutCommand).Item).toEqual({
      pk: 'STORE#paris',
      sk: 'STORE',
      gsi1pk: 'STORES',
      gsi1sk: 'paris',
      type: 'store',
      ...store,
    });
  });
});

describe('DynamoSuppressionList', () => {
  const ring = { current: 'k2', keys: { k1: 'a'.repeat(32), k2: 'b'.repeat(32) } };
  const list = new DynamoSuppressionList(doc, TABLE, ring, () => new Date('2025-03-10T09:00:00.000Z'));
  const email = 'ann@example.com';
  const phone = '+33612345678';
  const hashes = (value: string) => ['k2', 'k1'].map((k) => keyedHash(ring, value, k));
  const hit = (hash: string) => ({ ...key.suppression(hash), type: 'suppression', hash });

  it('batch-gets every keyed hash of the email and the phone', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    expect(await list.suppressedChannels({ email, phone })).toEqual([]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(inputOf(BatchGetCommand).RequestItems?.[TABLE]?.Keys).toEqual(
      [...hashes(email), ...hashes(phone)].map((h) => ({ pk: `SUPPRESSION#${h}`, sk: 'SUPPRESSION' })),
    );
  });

  it('maps a hit on the email to email and a hit on the phone to sms, under any key', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [hit(hashes(email)[0] as string)] } });
    expect(await list.suppressedChannels({ email, phone })).toEqual(['email']);
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [hit(hashes(phone)[1] as string)] } });
    expect(await list.suppressedChannels({ email, phone })).toEqual(['sms']);
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [
          hit(hashes(phone)[0] as string),
          hit(hashes(email)[1] as string),
          hit(hashes(email)[0] as string),
        ],
      },
    });
    expect(await list.suppressedChannels({ email, phone })).toEqual(['email', 'sms']);
  });

  it('does not call DynamoDB without an identifier', async () => {
    expect(await list.suppressedChannels({})).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers many contacts in order, with one batch', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [hit(hashes('b@x.fr')[0] as string)] } });
    const res = await list.suppressedChannelsMany([{ email: 'a@x.fr' }, {}, { email: 'b@x.fr', phone }]);
    expect(res).toEqual([[], [], ['email']]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('suppresses under the current key, with the channel of each identifier', async () => {
    ddb.on(UpdateCommand).resolves({});
    await list.suppress({ email, phone }, 'erased');
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.Key)).toEqual([
      key.suppression(keyedHash(ring, email)),
      key.suppression(keyedHash(ring, phone)),
    ]);
    expect(keyedHash(ring, email).startsWith('k2.')).toBe(true);
    expect(updates.map((u) => u.ExpressionAttributeValues?.[':c'])).toEqual(['email', 'sms']);
    expect(updates[0]?.ExpressionAttributeValues).toMatchObject({
      ':h': keyedHash(ring, email),
      ':r': [{ reason: 'erased', at: '2025-03-10T09:00:00.000Z' }],
    });
    // The stored item must carry the hash, which suppressedChannels matches on.
    const hashName = Object.entries(updates[0]?.ExpressionAttributeNames ?? {}).find(
      ([, v]) => v === 'hash',
    )?.[0];
    expect(updates[0]?.UpdateExpression).toMatch(new RegExp(`(${hashName ?? 'hash'}) = :h`));
    expect(JSON.stringify(updates)).not.toContain(email);
    expect(JSON.stringify(updates)).not.toContain(phone);
  });
});

describe('batchGet', () => {
  const keys = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ pk: `K#${from + i}`, sk: 'S' }));

  it('retries the keys DynamoDB leaves unprocessed', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [{ pk: 'K#0', sk: 'S' }] },
        UnprocessedKeys: { [TABLE]: { Keys: keys(2, 1) } },
      })
      .resolvesOnce({
        Responses: { [TABLE]: [{ pk: 'K#1', sk: 'S' }] },
        UnprocessedKeys: { [TABLE]: { Keys: keys(1, 2) } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [{ pk: 'K#2', sk: 'S' }] } });
    const items = await batchGet(doc, TABLE, keys(3));
    expect(items.map((i) => i.pk)).toEqual(['K#0', 'K#1', 'K#2']);
    expect(ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys)).toEqual(
      [keys(3), keys(2, 1), keys(1, 2)],
    );
  });

  it('asks at most 100 keys per request and never the same key twice', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    await batchGet(doc, TABLE, [...keys(150), ...keys(30)]);
    const sizes = ddb
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys?.length);
    expect(sizes).toEqual([100, 50]);
  });

  it('sends nothing for no keys', async () => {
    expect(await batchGet(doc, TABLE, [])).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('queryAll follows LastEvaluatedKey to the end', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ n: 1 }], LastEvaluatedKey: { pk: 'a' } })
      .resolvesOnce({ Items: [{ n: 2 }], LastEvaluatedKey: { pk: 'b' } })
      .resolvesOnce({ Items: [{ n: 3 }] });
    expect(await queryAll(doc, { TableName: TABLE, KeyConditionExpression: 'pk = :p' })).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey)).toEqual([
      undefined,
      { pk: 'a' },
      { pk: 'b' },
    ]);
  });
});

describe('expressions', () => {
  it('never name a reserved word without an alias', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'p', sk: 's' }] });
    const contacts = new DynamoContactRepository(doc, TABLE);
    const ring = { current: 'k1', keys: { k1: 'a'.repeat(32) } };
    await contacts.claim('email', 'a@x.fr', 'c_1');
    await contacts.release('email', 'a@x.fr', 'c_1');
    await contacts.applyPurchase('c_1', purchase, 0);
    await contacts.erase('c_1');
    await new DynamoSuppressionList(doc, TABLE, ring).suppress(
      { email: 'a@x.fr', phone: '+33612345678' },
      'x',
    );
    await new DynamoApiKeyRepository(doc, TABLE).put({
      keyId: 'k',
      role: 'marketer',
      hash: 'h',
      createdAt: 'x',
    });
    await new DynamoApiKeyRepository(doc, TABLE).delete('k');
    await new DynamoPurchaseRepository(doc, TABLE).create(purchase);
    const expressions = allExpressions();
    expect(expressions.length).toBeGreaterThan(8);
    expect(expressions.flatMap(reservedNamesIn)).toEqual([]);
  });

  it('the reserved-word check catches an unaliased reserved name', () => {
    expect(reservedNamesIn('SET hash = :h, #t = :t, channel = :c')).toEqual(['hash']);
    expect(reservedNamesIn('attribute_not_exists(pk) OR contactId = :id')).toEqual([]);
  });
});
