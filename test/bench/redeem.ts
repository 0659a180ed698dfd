import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoCouponRepository, redeemUpdate } from '../../functions/adapters/dynamo/coupons';
import { couponCode, formatCode } from '../../functions/domain/coupons/codes';
import { type Coupon, offerSchema } from '../../functions/domain/coupons/coupon';
import { makeHandler } from '../../functions/handlers/coupons';
import { apiEvent, type BenchResult, timeInterleaved } from './lib';

const redeem = (code: string, n: number) =>
  apiEvent('POST /v1/coupons/{code}/redeem', {
    params: { code },
    n,
    body: { receiptRef: `T-${n}`, basketAmount: 42, currency: 'EUR', channel: 'store' },
    principal: { keyId: 'k_bench', role: 'store', storeId: 'paris' },
  });

import { withBenchStack } from './pipeline';

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/**
 * The till's redeem handler, called as Lambda would, against one raw
 * conditional UpdateItem on the same dynalite (in its own process).
 */
export async function benchRedeem(): Promise<BenchResult[]> {
  return withBenchStack({}, async (stack) => {
    const { deps, doc } = stack;
    const ring = await deps.keyring();
    // As deployed: the handler's store is the DynamoDB one (not the local stack's stream emulation).
    const coupons = new DynamoCouponRepository(doc, deps.config.TABLE_NAME);
    const offer = offerSchema.parse({
      kind: 'percent',
      value: 15,
      currency: 'EUR',
      minBasket: 20,
      validDays: 30,
      stores: ['paris', 'lyon'],
      description: { fr: '-15 %' },
    });
    const now = new Date();
    const seed = async (campaignId: string) => {
      const codes: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const code = couponCode(ring, campaignId, `c_${i}`);
        await coupons.issue({
          code,
          campaignId,
          contactId: `c_${i}`,
          status: 'issued',
          offer,
          validFrom: new Date(now.getTime() - 3_600_000).toISOString(),
          validUntil: new Date(now.getTime() + 86_400_000).toISOString(),
          stores: offer.stores,
          issuedAt: now.toISOString(),
          history: [{ action: 'issued', at: now.toISOString() }],
        } satisfies Coupon);
        codes.push(code);
      }
      return codes;
    };
    const forHandler = await seed('cmp_handler');
    const forRaw = await seed('cmp_raw');
    const handler = makeHandler({ ...deps, coupons });
    let n = 0;
    let m = 0;
    // The baseline: the same conditional update on a coupon of the same shape, sent straight to DynamoDB.
    // Both are timed in alternating rounds, so the machine's load weighs on both alike.
    const [redeemMs, rawMs] = await timeInterleaved(
      async () => {
        const res = await handler(
          redeem(formatCode(forHandler[n % forHandler.length] as string), n++),
          context,
        );
        if (typeof res === 'string' || res.statusCode !== 200)
          throw new Error(`redeem failed: ${JSON.stringify(res)}`);
      },
      async () => {
        const now = new Date();
        const r = {
          at: now.toISOString(),
          storeId: 'paris',
          receiptRef: `R-${m}`,
          basketAmount: 42,
          currency: 'EUR',
          channel: 'store' as const,
        };
        // Exactly the request the coupon store sends for a redemption, without the handler around it.
        const code = forRaw[m++ % forRaw.length] as string;
        const res = await doc.send(
          new UpdateCommand(redeemUpdate(deps.config.TABLE_NAME, code, r, now, deps.config.COST_CURRENCY)),
        );
        if (!res.Attributes) throw new Error('raw update failed');
      },
      { rounds: 40, perRound: 25 },
    );
    if (n > forHandler.length || m > forRaw.length) throw new Error('not enough coupons for a clean run');
    return [
      {
        name: 'redeem handler (parse, one conditional update, answer)',
        unit: 'ms',
        value: redeemMs,
        baseline: 'the same conditional UpdateItem, raw, on the same dynalite',
        baselineValue: rawMs,
        ratio: redeemMs / rawMs,
        ratioMeaning: 'times one conditional UpdateItem',
        target: '≤ 1.5×',
        met: redeemMs / rawMs <= 1.5,
      },
    ];
  });
}
