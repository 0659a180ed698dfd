import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreRepository } from '../../domain/stores/ports';
import type { Store } from '../../domain/stores/store';
import { queryAll } from './batch';
import { key, stripKeys } from './table';

/**
 * Shops change rarely and are read on every purchase and import, so `get`
 * keeps found stores for a short while (per Lambda instance).
 */
export class DynamoStoreRepository implements StoreRepository {
  private readonly cache = new Map<string, { store: Store; until: number }>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly cacheMs = 30_000,
  ) {}

  async put(store: Store): Promise<void> {
    this.cache.delete(store.id);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key.store(store.id), gsi1pk: 'STORES', gsi1sk: store.id, type: 'store', ...store },
      }),
    );
  }

  async get(id: string): Promise<Store | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.store;
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.store(id) }));
    const store = res.Item ? stripKeys<Store>(res.Item) : undefined;
    // Only found stores are cached: a store created a moment ago is never reported missing.
    if (store) this.cache.set(id, { store, until: Date.now() + this.cacheMs });
    return store;
  }

  async list(): Promise<Store[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'STORES' },
    });
    return items.map((i) => stripKeys<Store>(i));
  }
}
