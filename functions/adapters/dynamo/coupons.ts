import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Coupon, Redemption } from '../../domain/coupons/coupon';
import type { CouponRepository } from '../../domain/coupons/ports';
import { queryAll } from './batch';
import { conditional, isConditionFailed, key, stripKeys } from './table';

/** Coupon items also carry flat copies of what the redeem condition tests (store list, minimum basket). */
function toItem(c: Coupon): Record<string, unknown> {
  return {
    ...key.coupon(c.code),
    // The contact's coupons, for its erasure: a sparse entry in the generic index.
    gsi1pk: `CONTACT_COUPONS#${c.contactId}`,
    gsi1sk: c.code,
    type: 'coupon',
    ...c,
    storesAll: c.stores === 'all',
    ...(c.stores === 'all' ? {} : { storeList: new Set(c.stores) }),
    ...(c.offer.minBasket !== undefined ? { minBasket: c.offer.minBasket } : {}),
    ...(c.offer.currency ? { currency: c.offer.currency } : {}),
  };
}

function fromItem(item: Record<string, unknown>): Coupon {
  const { storesAll: _a, storeList: _l, minBasket: _m, currency: _c, ...rest } = item;
  return stripKeys<Coupon>(rest);
}

/**
 * The one write of a redemption: the coupon moves to redeemed only if it is
 * issued, valid now, valid in this store, and the basket reaches the minimum in
 * the offer's currency. Exported so the benchmark sends exactly this request raw.
 */
export function redeemUpdate(
  table: string,
  code: string,
  r: Redemption,
  now: Date,
  defaultCurrency: string,
): UpdateCommandInput {
  const at = now.toISOString();
  return {
    TableName: table,
    Key: key.coupon(code),
    UpdateExpression: 'SET #status = :redeemed, #redemption = :r, #history = list_append(#history, :h)',
    ConditionExpression: [
      '#status = :issued',
      '#validFrom <= :now',
      '#validUntil >= :now',
      '(#storesAll = :true OR contains(#storeList, :store))',
      '(attribute_not_exists(#minBasket) OR #minBasket <= :basket)',
      // An offer always has a currency; coupons issued before that rule are in the stack's.
      '(#currency = :currency OR (attribute_not_exists(#currency) AND :default = :currency))',
    ].join(' AND '),
    ExpressionAttributeNames: {
      '#status': 'status',
      '#redemption': 'redemption',
      '#history': 'history',
      '#validFrom': 'validFrom',
      '#validUntil': 'validUntil',
      '#storesAll': 'storesAll',
      '#storeList': 'storeList',
      '#minBasket': 'minBasket',
      '#currency': 'currency',
    },
    ExpressionAttributeValues: {
      ':redeemed': 'redeemed',
      ':issued': 'issued',
      ':r': r,
      ':h': [{ action: 'redeemed', at, storeId: r.storeId, receiptRef: r.receiptRef }],
      ':now': at,
      ':true': true,
      ':store': r.storeId,
      ':basket': r.basketAmount,
      ':currency': r.currency,
      ':default': defaultCurrency,
    },
    ReturnValues: 'ALL_NEW',
  };
}

export class DynamoCouponRepository implements CouponRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async issue(coupon: Coupon): Promise<boolean> {
    return conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(coupon),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(code: string): Promise<Coupon | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key.coupon(code), ConsistentRead: true }),
    );
    return res.Item ? fromItem(res.Item) : undefined;
  }

  async codeOf(campaignId: string, contactId: string): Promise<string | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: key.send(campaignId, contactId),
        ProjectionExpression: 'couponCode',
      }),
    );
    return res.Item?.couponCode as string | undefined;
  }

  async redeem(code: string, r: Redemption, now: Date, defaultCurrency: string): Promise<Coupon | undefined> {
    try {
      const res = await this.doc.send(
        new UpdateCommand(redeemUpdate(this.table, code, r, now, defaultCurrency)),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async void(
    code: string,
    by: { storeId: string; receiptRef: string },
    since: string,
    now: Date,
  ): Promise<Coupon | undefined> {
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.coupon(code),
          UpdateExpression: 'SET #status = :issued, #history = list_append(#history, :h) REMOVE #redemption',
          ConditionExpression:
            '#status = :redeemed AND #redemption.#storeId = :store AND #redemption.#receiptRef = :ref AND #redemption.#at >= :since',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#history': 'history',
            '#redemption': 'redemption',
            '#storeId': 'storeId',
            '#receiptRef': 'receiptRef',
            '#at': 'at',
          },
          ExpressionAttributeValues: {
            ':issued': 'issued',
            ':redeemed': 'redeemed',
            ':store': by.storeId,
            ':ref': by.receiptRef,
            ':since': since,
            ':h': [
              { action: 'voided', at: now.toISOString(), storeId: by.storeId, receiptRef: by.receiptRef },
            ],
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async ofContact(contactId: string): Promise<Coupon[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `CONTACT_COUPONS#${contactId}` },
    });
    return items.map(fromItem);
  }

  async forget(code: string, at: string, reason: string): Promise<void> {
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.coupon(code),
          UpdateExpression: 'REMOVE firstName, locale',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.coupon(code),
          UpdateExpression: 'SET #status = :voided, #history = list_append(#history, :h)',
          ConditionExpression: '#status = :issued',
          ExpressionAttributeNames: { '#status': 'status', '#history': 'history' },
          ExpressionAttributeValues: {
            ':voided': 'voided',
            ':issued': 'issued',
            ':h': [{ action: 'voided', at, reason }],
          },
        }),
      ),
    );
  }

  async countFailedLookup(storeId: string, now: Date): Promise<number> {
    const minute = now.toISOString().slice(0, 16);
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `LOOKUPS#${storeId}`, sk: minute },
        UpdateExpression: 'ADD #n :one SET #exp = if_not_exists(#exp, :exp)',
        ExpressionAttributeNames: { '#n': 'failed', '#exp': 'expiresAt' },
        ExpressionAttributeValues: { ':one': 1, ':exp': Math.floor(now.getTime() / 1000) + 3600 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(res.Attributes?.failed ?? 1);
  }

  async failedLookups(storeId: string, now: Date): Promise<number> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `LOOKUPS#${storeId}`, sk: now.toISOString().slice(0, 16) },
      }),
    );
    return Number(res.Item?.failed ?? 0);
  }
}
