/**
 * The till API, as the page calls it: same origin, the store key as a bearer token, JSON both
 * ways, no cookies, no cache, a timeout. Nothing the API answers is trusted: every field is
 * optional, and the page checks the ones it uses.
 */

const REQUEST_TIMEOUT_MS = 15000;

/** The API sits next to the page: /till -> /v1/coupons/, /prod/till -> /prod/v1/coupons/. */
const base = location.pathname.replace(/till\/?$/, '');
export const COUPONS_API = `${base}v1/coupons/`;
export const SIGNUP_API = `${base}v1/signups`;

export interface Offer {
  kind?: string;
  value?: number;
  currency?: string;
  minBasket?: number;
  text?: string;
}

export interface Redemption {
  at?: string;
  storeId?: string;
  receiptRef?: string;
  basketAmount?: number;
  currency?: string;
}

/** One entry of an error's `issues`. */
export interface Issue {
  path?: unknown;
  message?: unknown;
}

/** Whatever an answer holds: a coupon, a redemption, a sign-up or an error. */
export interface ApiData {
  valid?: boolean;
  reason?: string;
  code?: string;
  offer?: Offer;
  validFrom?: string;
  validUntil?: string;
  firstName?: string;
  redemption?: Redemption;
  voidableUntil?: string;
  email?: string;
  sms?: string;
  error?: string;
  message?: unknown;
  issues?: unknown;
}

/** An answer of the server (any status). */
export interface Reply {
  network?: undefined;
  status: number;
  data: ApiData;
  /** The `Date` header: the server's clock. */
  date: string | null;
  retryAfter: string | null;
  /** When it arrived, by the tablet's clock. */
  receivedAt: number;
}

/** The server's answer, or `{ network: true }` when there was none (network down, timeout). */
export type Answer = { network: true } | Reply;

/** One request with the given store key. */
export async function fetchApi(
  method: string,
  url: string,
  key: string,
  body?: Record<string, unknown>,
): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let res: Response;
  let data: unknown = null;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    });
    const text = await res.text();
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
  } catch {
    return { network: true };
  } finally {
    clearTimeout(timer);
  }
  return {
    status: res.status,
    data: (data || {}) as ApiData,
    date: res.headers.get('Date'),
    retryAfter: res.headers.get('Retry-After'),
    receivedAt: Date.now(),
  };
}

/** The entries of an error's `issues`, if it has any. */
export const issuesOf = (data: ApiData): Array<Issue | null | undefined> =>
  Array.isArray(data.issues) ? data.issues : [];

/** What the server said about an error, in its words: its message and its issues'. */
export function serverMessage(data: ApiData | null | undefined): string {
  if (!data || typeof data !== 'object') return '';
  const parts = typeof data.message === 'string' ? [data.message] : [];
  for (const issue of issuesOf(data)) {
    const text = issue && typeof issue.message === 'string' ? issue.message : '';
    if (text && parts.indexOf(text) < 0) parts.push(text);
  }
  return parts.join(' ');
}
