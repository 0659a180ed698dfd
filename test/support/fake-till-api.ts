import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assetsInMemory } from '../../functions/adapters/static-assets';
import type { ApiResponse } from '../../functions/http/api';
import { assetResponse, assetUrl } from '../../functions/http/assets';
import { htmlResponse } from '../../functions/http/html';
import { TILL_PAGE_POLICY, tillPage } from '../../functions/ui/pages/till';
import { buildBrowserAssets } from '../../infra/browser-assets';

/**
 * A stand-in for the till API, just enough for the till page's browser tests:
 * it serves the till page at `/till` and its script, bundled by the front-end
 * build, at `/assets/{name}`, with the headers the `pages` function gives them
 * (the same `htmlResponse` and `assetResponse`), and answers the three till
 * endpoints and the shop sign-up from memory, with the contract's status codes
 * and bodies. It is not the real service: no DynamoDB, no hashing, no check
 * symbol, no email.
 */

export const STORE_ID = 'paris-11';
export const STORE_KEY = 'rl_store_e2e_paris11_7Q2M';
/** A valid key whose role is not `store`: the till endpoints answer 403. */
export const MARKETER_KEY = 'rl_mkt_e2e_0000_X9ZK';
/** Failed look-ups a store may make before it has to wait. */
export const FAILED_LOOKUP_LIMIT = 3;
export const RETRY_AFTER_SECONDS = 2;

/** The coupons the fake knows, by normalised code. */
export const CODES = {
  /** 20 % off, 30 € minimum basket, for Camille. */
  percent: 'K7M2Q9XH4RTBP',
  /** A gift, for a customer whose first name is markup (it must be shown as text). */
  gift: 'W3NZ8D5KCJ2AE',
  /** Redeemed on 12 March at 13:05 UTC in store lyon-02. */
  redeemed: 'R8VD4T6YM0PQS',
  /** Expired twenty days ago. */
  expired: 'X2C5N7B9H3J4F',
} as const;

/** An address that unsubscribed before: a sign-up leaves its email consent denied. */
export const UNSUBSCRIBED_EMAIL = 'parti@example.fr';

/** `XXXX-XXXX-XXXX-X`, as printed and as the API answers. */
export const formatCode = (code: string): string =>
  `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`;

interface Offer {
  kind: 'percent' | 'amount' | 'gift';
  value?: number;
  currency?: string;
  minBasket?: number;
  text: string;
}

interface Redemption {
  at: string;
  storeId: string;
  receiptRef: string;
  basketAmount: number;
  currency: string;
  channel: 'store';
  tillId?: string;
}

interface FakeCoupon {
  code: string;
  offer: Offer;
  validFrom: string;
  validUntil: string;
  stores: 'all' | string[];
  firstName?: string;
  redemption?: Redemption;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeTillApi {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every API request, oldest first (the page itself and the favicon are not recorded). */
  requests: RecordedRequest[];
  /** Back to the initial coupons, no failed look-up, no block, no recorded request. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeTillApiOptions {
  /** How long a redemption can be voided (the real service: a few minutes). */
  voidWindowSeconds?: number;
}

const DAY = 86_400_000;

function initialCoupons(): Map<string, FakeCoupon> {
  const now = Date.now();
  const year = new Date().getUTCFullYear();
  const coupons: FakeCoupon[] = [
    {
      code: CODES.percent,
      offer: {
        kind: 'percent',
        value: 20,
        currency: 'EUR',
        minBasket: 30,
        text: '-20 % sur tout le magasin',
      },
      validFrom: new Date(now - 10 * DAY).toISOString(),
      validUntil: new Date(now + 30 * DAY).toISOString(),
      stores: 'all',
      firstName: 'Camille',
    },
    {
      code: CODES.gift,
      offer: { kind: 'gift', text: 'Un tote bag offert' },
      validFrom: new Date(now - 10 * DAY).toISOString(),
      validUntil: new Date(now + 30 * DAY).toISOString(),
      stores: [STORE_ID],
      firstName: '<img src=x onerror="document.body.dataset.pwned=1">Zoé & "Co"',
    },
    {
      code: CODES.redeemed,
      offer: {
        kind: 'amount',
        value: 10,
        currency: 'EUR',
        text: '10 € offerts dès 50 € d’achat',
        minBasket: 50,
      },
      validFrom: new Date(Date.UTC(year, 1, 1)).toISOString(),
      validUntil: new Date(now + 30 * DAY).toISOString(),
      stores: 'all',
      firstName: 'Léa',
      redemption: {
        at: new Date(Date.UTC(year, 2, 12, 13, 5)).toISOString(),
        storeId: 'lyon-02',
        receiptRef: 'T-0312-0077',
        basketAmount: 54.9,
        currency: 'EUR',
        channel: 'store',
      },
    },
    {
      code: CODES.expired,
      offer: { kind: 'percent', value: 15, text: '-15 % sur la nouvelle collection' },
      validFrom: new Date(now - 60 * DAY).toISOString(),
      validUntil: new Date(now - 20 * DAY).toISOString(),
      stores: 'all',
    },
  ];
  return new Map(coupons.map((c) => [c.code, c]));
}

type Json = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const problem = (
  error: string,
  message: string,
  issues: Array<{ path: string[]; message: string }> = [],
) => ({
  error,
  message,
  issues,
});

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for('invalid-json');
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Writes one of the pages function's responses. */
function reply(res: ServerResponse, out: ApiResponse): void {
  const text = typeof out.body === 'string';
  res.writeHead(out.status, { ...(text ? {} : { 'content-type': 'application/json' }), ...out.headers });
  res.end(text ? out.body : JSON.stringify(out.body));
}

/** Starts the fake on a random port of 127.0.0.1. */
export async function startFakeTillApi(options: FakeTillApiOptions = {}): Promise<FakeTillApi> {
  const voidWindowMs = (options.voidWindowSeconds ?? 300) * 1000;
  const assets = assetsInMemory(await buildBrowserAssets());
  const script = await assets.entry('till');
  if (!script) throw new Error('The front-end build has no till entry');
  const page = htmlResponse(200, tillPage(assetUrl(script)), TILL_PAGE_POLICY);
  let coupons = initialCoupons();
  let failedLookups = 0;
  let blockedUntil = 0;
  const requests: RecordedRequest[] = [];
  /** Addresses signed up, each with its contact id: a second sign-up finds the confirmation pending. */

  /** POST /v1/signups: the contract's answers, without a database or an email. */
  const signup = (res: ServerResponse, body: unknown) => {
    if (!isObject(body)) return send(res, 400, problem('validation_error', 'The request is not valid'));
    const { email, phone, firstName, locale, emailConsent, smsConsent } = body;
    const issues: Array<{ path: string[]; message: string }> = [];
    const text = (v: unknown) => v === undefined || typeof v === 'string';
    if (!text(email) || (typeof email === 'string' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)))
      issues.push({ path: ['email'], message: 'Invalid email address' });
    if (!text(phone) || (typeof phone === 'string' && !/^\+?[\d\s.]{8,}$/.test(phone)))
      issues.push({ path: ['phone'], message: 'Invalid phone number (default country FR)' });
    if (!text(firstName) || !text(locale)) issues.push({ path: ['firstName'], message: 'A string' });
    if (typeof emailConsent !== 'boolean') issues.push({ path: ['emailConsent'], message: 'A boolean' });
    if (typeof smsConsent !== 'boolean') issues.push({ path: ['smsConsent'], message: 'A boolean' });
    if (email === undefined && phone === undefined)
      issues.push({ path: ['email'], message: 'Give an email or a phone number' });
    if (issues.length > 0)
      return send(res, 400, problem('validation_error', 'The request is not valid', issues));
    // The contract: accepted, and the same answer whether or not the address was known.
    return send(res, 202, {
      email: emailConsent === true && typeof email === 'string' ? 'confirmation_requested' : 'not_requested',
      sms: smsConsent === true && typeof phone === 'string' ? 'granted' : 'not_requested',
    });
  };

  const view = (c: FakeCoupon, valid: boolean, reason?: string): Json => ({
    valid,
    ...(reason ? { reason } : {}),
    code: formatCode(c.code),
    offer: c.offer,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    ...(c.firstName ? { firstName: c.firstName } : {}),
    ...(c.redemption ? { redemption: c.redemption } : {}),
  });

  const refusal = (c: FakeCoupon, now: number): string | undefined => {
    if (c.redemption) return 'already_redeemed';
    if (now < Date.parse(c.validFrom)) return 'not_yet_valid';
    if (now > Date.parse(c.validUntil)) return 'expired';
    if (c.stores !== 'all' && !c.stores.includes(STORE_ID)) return 'wrong_store';
    return undefined;
  };

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readJson(req) : undefined;
    const authorization = req.headers.authorization;
    requests.push({ method, path, authorization, body });

    const key = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (key === MARKETER_KEY)
      return send(res, 403, problem('forbidden', 'Only a store key can use the till endpoints'));
    if (key !== STORE_KEY) return send(res, 401, problem('unauthorized', 'Unknown API key'));
    if (path === '/v1/signups') {
      if (method !== 'POST')
        return send(res, 405, problem('method_not_allowed', `${method} is not allowed here`));
      return signup(res, body);
    }

    const match = /^\/v1\/coupons\/([^/]+)(?:\/(redeem|void))?$/.exec(path);
    const rawCode = match?.[1];
    if (!match || rawCode === undefined) return send(res, 404, problem('not_found', 'No such route'));
    const action = match[2];
    if ((action && method !== 'POST') || (!action && method !== 'GET'))
      return send(res, 405, problem('method_not_allowed', `${method} is not allowed here`));

    const now = Date.now();
    if (!action && now < blockedUntil) {
      const wait = Math.ceil((blockedUntil - now) / 1000);
      return send(res, 429, problem('too_many_requests', 'Too many failed look-ups'), {
        'retry-after': String(wait),
      });
    }

    // The server's normalisation: any case, dashes and spaces ignored.
    const code = decodeURIComponent(rawCode).toUpperCase().replace(/[\s-]/g, '');
    const wellFormed = /^[0-9A-Z]{13}$/.test(code);
    const coupon = wellFormed ? coupons.get(code) : undefined;

    if (!action) {
      if (!coupon) {
        failedLookups += 1;
        if (failedLookups >= FAILED_LOOKUP_LIMIT) {
          failedLookups = 0;
          blockedUntil = now + RETRY_AFTER_SECONDS * 1000;
        }
      }
      if (!wellFormed)
        return send(
          res,
          400,
          problem('bad_request', 'Invalid request', [{ path: ['code'], message: 'Not a coupon code' }]),
        );
      if (!coupon) return send(res, 200, { valid: false, reason: 'unknown', code: formatCode(code) });
      const reason = refusal(coupon, now);
      return send(res, 200, view(coupon, reason === undefined, reason));
    }

    if (!coupon) return send(res, 404, problem('not_found', 'Unknown coupon'));
    if (!isObject(body) || typeof body.receiptRef !== 'string' || body.receiptRef.trim() === '')
      return send(
        res,
        400,
        problem('bad_request', 'Invalid request', [{ path: ['receiptRef'], message: 'Required' }]),
      );
    const receiptRef = body.receiptRef.trim();

    if (action === 'void') {
      const r = coupon.redemption;
      if (!r || r.storeId !== STORE_ID || r.receiptRef !== receiptRef)
        return send(res, 409, {
          ...problem('conflict', 'This coupon was not redeemed here with this receipt'),
          ...(r ? { redemption: r } : {}),
        });
      if (now > Date.parse(r.at) + voidWindowMs)
        return send(res, 409, { ...problem('conflict', 'The void window is over'), redemption: r });
      delete coupon.redemption;
      return send(res, 200, { code: formatCode(coupon.code), status: 'issued' });
    }

    const issues: Array<{ path: string[]; message: string }> = [];
    const { basketAmount, currency, channel, tillId } = body;
    if (typeof basketAmount !== 'number' || !Number.isFinite(basketAmount) || basketAmount < 0)
      issues.push({ path: ['basketAmount'], message: 'A non-negative number' });
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
      issues.push({ path: ['currency'], message: 'An ISO 4217 code' });
    if (channel !== 'store') issues.push({ path: ['channel'], message: 'Expected "store"' });
    if (tillId !== undefined && typeof tillId !== 'string')
      issues.push({ path: ['tillId'], message: 'A string' });
    if (issues.length > 0 || typeof basketAmount !== 'number' || typeof currency !== 'string')
      return send(res, 400, problem('bad_request', 'Invalid request', issues));

    const done = coupon.redemption;
    if (done) {
      if (done.storeId === STORE_ID && done.receiptRef === receiptRef)
        return send(res, 200, {
          code: formatCode(coupon.code),
          offer: coupon.offer,
          redemption: done,
          voidableUntil: new Date(Date.parse(done.at) + voidWindowMs).toISOString(),
        });
      return send(res, 409, { ...problem('conflict', 'Coupon already redeemed'), redemption: done });
    }
    const reason = refusal(coupon, now);
    if (reason) return send(res, 422, problem('not_redeemable', `The coupon cannot be redeemed: ${reason}`));
    const min = coupon.offer.minBasket;
    if (min !== undefined && basketAmount < min)
      return send(
        res,
        422,
        problem('min_basket', `The basket must be at least ${min} ${coupon.offer.currency ?? ''}`.trim(), [
          { path: ['basketAmount'], message: `At least ${min}` },
        ]),
      );
    coupon.redemption = {
      at: new Date(now).toISOString(),
      storeId: STORE_ID,
      receiptRef,
      basketAmount,
      currency,
      channel: 'store',
      ...(typeof tillId === 'string' ? { tillId } : {}),
    };
    return send(res, 200, {
      code: formatCode(coupon.code),
      offer: coupon.offer,
      redemption: coupon.redemption,
      voidableUntil: new Date(now + voidWindowMs).toISOString(),
    });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path === '/till' && req.method === 'GET') return reply(res, page);
    const asset = /^\/assets\/([^/]+)$/.exec(path)?.[1];
    if (asset !== undefined && req.method === 'GET') {
      Promise.resolve(asset)
        .then((name) => assetResponse(assets, decodeURIComponent(name)))
        .then(
          (out) => reply(res, out),
          (error: unknown) => res.destroy(error as Error),
        );
      return;
    }
    if (path.startsWith('/v1/')) {
      api(req, res, path).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, problem('internal', 'Internal error'));
        else res.destroy(error as Error);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset() {
      coupons = initialCoupons();
      failedLookups = 0;
      blockedUntil = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
