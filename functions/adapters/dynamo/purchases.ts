import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PurchaseRepository } from '../../domain/purchases/ports';
import type { Purchase } from '../../domain/purchases/purchase';
import { conditional, key, stripKeys } from './table';

export class DynamoPurchaseRepository implements PurchaseRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(purchase: Purchase): Promise<boolean> {
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key.purchase(purchase.contactId, purchase.id), type: 'purchase', ...purchase },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(contactId: string, id: string): Promise<Purchase | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.purchase(contactId, id) }),
    );
    return res.Item ? stripKeys<Purchase>(res.Item) : undefined;
  }
}
