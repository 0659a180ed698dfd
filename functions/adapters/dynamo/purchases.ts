import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PurchaseRepository, ReceiptRepository } from '../../domain/purchases/ports';
import type { Purchase } from '../../domain/purchases/purchase';
import { type Receipt, receiptKey } from '../../domain/purchases/receipt';
import { batchGet, batchWrite, queryAll } from './batch';
import { isConditionFailed, key, stripKeys } from './table';

export const purchaseItem = (p: Purchase) => ({ ...key.purchase(p.contactId, p.id), type: 'purchase', ...p });

export class DynamoPurchaseRepository implements PurchaseRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(purchase: Purchase): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: purchaseItem(purchase),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async get(contactId: string, id: string): Promise<Purchase | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.purchase(contactId, id) }),
    );
    return res.Item ? stripKeys<Purchase>(res.Item) : undefined;
  }

  async putMany(purchases: Purchase[]): Promise<void> {
    await batchWrite(this.doc, this.table, purchases.map(purchaseItem));
  }

  async ofContact(contactId: string, from?: string): Promise<Purchase[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': key.contact(contactId).pk, ':p': 'PURCHASE#' },
    });
    return items
      .map((i) => stripKeys<Purchase>(i))
      .filter((p) => !from || p.at >= from)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}

/** Receipts under their shop and reference, listed per shop and per local day through gsi1. */
export const receiptItem = (r: Receipt) => ({
  ...key.receipt(r.storeId, r.ref),
  gsi1pk: `TRAFFIC#${r.storeId}#${r.day}`,
  gsi1sk: `${r.at}#${r.ref}`,
  type: 'receipt',
  ...r,
});

export class DynamoReceiptRepository implements ReceiptRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async recorded(keys: { storeId: string; ref: string }[]): Promise<Map<string, { importId?: string }>> {
    const items = await batchGet(
      this.doc,
      this.table,
      keys.map((k) => key.receipt(k.storeId, k.ref)),
      4,
      ['storeId', 'ref', 'importId'],
    );
    return new Map(
      items.map((i) => [
        receiptKey(i as { storeId: string; ref: string }),
        i.importId ? { importId: i.importId as string } : {},
      ]),
    );
  }

  async putMany(receipts: Receipt[]): Promise<void> {
    await batchWrite(this.doc, this.table, receipts.map(receiptItem));
  }

  async create(receipt: Receipt): Promise<Receipt> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: receiptItem(receipt),
          // New, the same customer's again (a retry), or an anonymous receipt now known to be theirs.
          ConditionExpression:
            'attribute_not_exists(pk) OR contactId = :c OR attribute_not_exists(contactId)',
          ExpressionAttributeValues: { ':c': receipt.contactId ?? '' },
        }),
      );
      return receipt;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: key.receipt(receipt.storeId, receipt.ref),
          ConsistentRead: true,
        }),
      );
      return res.Item ? stripKeys<Receipt>(res.Item) : receipt;
    }
  }

  async ofDay(storeId: string, day: string): Promise<Receipt[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `TRAFFIC#${storeId}#${day}` },
    });
    return items.map((i) => stripKeys<Receipt>(i));
  }
}
