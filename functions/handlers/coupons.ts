import * as z from 'zod';
import { type AppDeps, defaultDeps } from '../deps';
import { lookupCoupon, redeemCoupon, voidCoupon } from '../domain/coupons/till';
import { forbidden } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { type ApiRequest, httpHandler, json, lazyHandler } from '../http/api';
import { httpOptions } from '../http/options';
import { tillDeps } from '../wiring/coupons';

const codeParam = z.string().trim().min(1).max(40);
const redeemSchema = z.strictObject({
  receiptRef: z.string().trim().min(1).max(100),
  basketAmount: z.number().finite().nonnegative().max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as "EUR"'),
  tillId: z.string().trim().min(1).max(50).optional(),
  channel: z.enum(['store', 'web', 'phone']).default('store'),
});
const voidSchema = z.strictObject({ receiptRef: z.string().trim().min(1).max(100) });

/** The till API: validate, redeem and undo coupons, for the store the key belongs to. */
export function makeHandler(deps: AppDeps) {
  const till = tillDeps(deps);
  /** The store comes from the key, never from the request. */
  const store = (req: ApiRequest) => {
    const id = req.principal?.storeId;
    if (!id) throw forbidden('Only a store key can use the till');
    return id;
  };
  return httpHandler(
    'coupons',
    {
      'GET /v1/coupons/{code}': async (req) =>
        json(200, await lookupCoupon(till, store(req), parseInput(codeParam, req.params.code, 'code'))),
      'POST /v1/coupons/{code}/redeem': async (req) =>
        json(
          200,
          await redeemCoupon(
            till,
            store(req),
            parseInput(codeParam, req.params.code, 'code'),
            parseInput(redeemSchema, req.body),
          ),
        ),
      'POST /v1/coupons/{code}/void': async (req) =>
        json(
          200,
          await voidCoupon(
            till,
            store(req),
            parseInput(codeParam, req.params.code, 'code'),
            parseInput(voidSchema, req.body).receiptRef,
          ),
        ),
    },
    httpOptions(deps),
  );
}

export const handler = lazyHandler(async () => makeHandler(await defaultDeps()));
