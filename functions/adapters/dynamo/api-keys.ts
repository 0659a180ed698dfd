import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../domain/keys/api-keys';
import type { ApiKeyRepository } from '../../domain/keys/ports';
import { queryAll } from './batch';
import { conditional, key, stripKeys } from './table';

export class DynamoApiKeyRepository implements ApiKeyRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(rec: ApiKeyRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key.apiKey(rec.hash), gsi1pk: 'APIKEYS', gsi1sk: rec.keyId, type: 'apikey', ...rec },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key.apiKey(hash) }));
    return res.Item ? stripKeys<ApiKeyRecord>(res.Item) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'APIKEYS' },
    });
    return items.map((i) => stripKeys<ApiKeyRecord>(i));
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk = :id',
        ExpressionAttributeValues: { ':p': 'APIKEYS', ':id': id },
      }),
    );
    const item = res.Items?.[0];
    if (!item) return false;
    return conditional(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: item.pk, sk: item.sk },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }
}
