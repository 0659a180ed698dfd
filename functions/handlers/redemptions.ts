import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { type AppDeps, defaultDeps } from '../deps';
import type { Coupon } from '../domain/coupons/coupon';
import { applyCouponChange } from '../domain/coupons/redemptions';
import { lazyHandler } from '../memo';
import { redemptionDeps } from '../wiring/coupons';

const coupon = (image: Record<string, AttributeValue> | undefined): Coupon | undefined =>
  image ? (unmarshall(image) as Coupon) : undefined;

/**
 * The main table's stream, filtered to coupon changes: redemptions become
 * purchases and report counts, undone ones are taken back. Applying a change
 * twice changes nothing (the recipient's redemption mark guards the counts).
 */
export function makeHandler(deps: AppDeps) {
  const redemptions = redemptionDeps(deps);
  return async (event: DynamoDBStreamEvent) => {
    for (const r of event.Records) {
      const after = coupon(r.dynamodb?.NewImage as Record<string, AttributeValue> | undefined);
      if (!after?.code || !after.campaignId) continue;
      await applyCouponChange(
        redemptions,
        coupon(r.dynamodb?.OldImage as Record<string, AttributeValue> | undefined),
        after,
      );
    }
  };
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
