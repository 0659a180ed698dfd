import type { Logger } from '@aws-lambda-powertools/logger';
import type { CampaignRepository } from '../campaigns/ports';
import { type PurchaseDeps, recordPurchase } from '../purchases/record';
import { redemptionCounter } from '../reports/counters';
import { AppError } from '../shared/errors';
import type { MetricSink } from '../shared/ports';
import type { EngagementRepository } from '../tracking/ports';
import type { EventPublisher } from '../webhooks/ports';
import { emit } from '../webhooks/webhook';
import { type Coupon, discountGiven, type Redemption } from './coupon';

export interface RedemptionDeps extends PurchaseDeps {
  campaigns: CampaignRepository;
  engagement: EngagementRepository;
  logger: Logger;
  /** Webhooks: a redemption, once counted, is published as `redeemed`. */
  publisher?: EventPublisher;
  metrics?: MetricSink;
}

/**
 * What a coupon's change means once it is stored (read from the main table's
 * stream): a redemption is recorded as a purchase of the contact in its
 * channel (so segments see the customer came back) and counted in the
 * campaign's report, once; an undone redemption is taken back out of the counts.
 */
export async function applyCouponChange(
  deps: RedemptionDeps,
  before: Coupon | undefined,
  after: Coupon,
): Promise<void> {
  const c = after.campaignId;
  const k = after.contactId;
  /** The message that carried the coupon: its send record gets the mark, its row of the report the count. */
  const action = after.channel ?? 'email';
  const byAction = (r: Redemption, clicked: boolean, sign: 1 | -1) => ({
    [redemptionCounter.redeemed]: sign,
    [redemptionCounter.byChannel(r.channel)]: sign,
    [redemptionCounter.byStore(r.storeId)]: sign,
    [redemptionCounter.revenueCents]: sign * Math.round(r.basketAmount * 100),
    [redemptionCounter.discountCents]: sign * Math.round(discountGiven(after.offer, r.basketAmount) * 100),
    ...(clicked ? { [redemptionCounter.afterClick]: sign } : {}),
    ...(action === 'sms'
      ? {
          [redemptionCounter.bySms(r.channel)]: sign,
          ...(clicked ? { [redemptionCounter.smsAfterClick]: sign } : {}),
        }
      : {}),
  });
  if (before?.status !== 'redeemed' && after.status === 'redeemed' && after.redemption) {
    const r = after.redemption;
    try {
      await recordPurchase(deps, {
        contact: k,
        storeId: r.storeId,
        amount: r.basketAmount,
        currency: r.currency,
        at: r.at,
        channel: r.channel,
        ref: `coupon-${after.code}-${r.receiptRef}`.slice(0, 100),
      });
    } catch (err) {
      // An erased contact or a deleted store: the redemption still counts, the purchase cannot be recorded.
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      deps.logger.warn('Redemption not recorded as a purchase', { code: after.code, reason: err.message });
    }
    if (!(await deps.engagement.markFirst(c, k, 'redeemedAt', r.at, action))) return;
    const send = await deps.campaigns.getSend(c, k, action);
    await deps.engagement.count(c, byAction(r, send?.clickedAt !== undefined, 1));
    deps.metrics?.count('Redemptions', 1, { name: 'Channel', value: r.channel });
    await emit(deps.publisher, [
      {
        type: 'redeemed',
        at: r.at,
        campaignId: c,
        contactId: k,
        channel: action,
        data: { storeId: r.storeId, basketAmount: r.basketAmount, currency: r.currency, channel: r.channel },
      },
    ]);
  } else if (before?.status === 'redeemed' && after.status !== 'redeemed' && before.redemption) {
    const r = before.redemption;
    const send = await deps.campaigns.getSend(c, k, action);
    if (send?.redeemedAt !== r.at) return;
    await deps.engagement.unmarkFirst(c, k, 'redeemedAt', r.at, action);
    await deps.engagement.count(c, byAction(r, send.clickedAt !== undefined, -1));
  }
}
