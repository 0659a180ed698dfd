import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../domain/stores';
import type { StoreDirectory } from '../../ports';
import { queryAll } from './batch';
import { key, stripKeys } from './table';

export class DynamoStoreDirectory implements StoreDirectory {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(store: Store): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key.store(store.id), gsi1pk: 'STORES', gsi1sk: store.id, type: 'store', ...store },
      }),
    );
  }

  async get(id: string): Promise<Store | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.store(id) }));
    return res.Item ? stripKeys<Store>(res.Item) : undefined;
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
