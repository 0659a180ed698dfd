import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from './hashing';

/**
 * Signed tokens for public URLs (unsubscribe, view in browser, tracking,
 * printable coupon, sign-up confirmation). A token is
 * `<keyId>.<payload>.<signature>`: the payload is base64url JSON, the
 * signature an HMAC-SHA256 (128 bits kept) over the purpose and the payload,
 * so a token made for one purpose is worthless for another, and the key id
 * lets keys rotate without breaking old links. Tokens carry no time of their
 * own: a purpose that expires puts its deadline in the payload (the opt-in's `x`).
 */
export type TokenPurpose = 'unsubscribe' | 'view' | 'click' | 'open' | 'coupon' | 'optin' | 'cursor';

const SIG_BYTES = 16;

function sign(key: string, purpose: TokenPurpose, payload: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}.${payload}`).digest().subarray(0, SIG_BYTES);
}

export function signToken(
  ring: Keyring,
  purpose: TokenPurpose,
  data: Record<string, string | number>,
): string {
  const key = ring.keys[ring.current];
  if (!key) throw new Error('The keyring has no current key');
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return `${ring.current}.${payload}.${sign(key, purpose, payload).toString('base64url')}`;
}

/** The token's data, or undefined when it is malformed, signed for another purpose, or tampered with. */
export function verifyToken<T extends Record<string, string | number>>(
  ring: Keyring,
  purpose: TokenPurpose,
  token: string,
): T | undefined {
  if (token.length > 2048) return undefined;
  const [keyId, payload, sig, ...rest] = token.split('.');
  if (!keyId || !payload || !sig || rest.length > 0) return undefined;
  const key = Object.hasOwn(ring.keys, keyId) ? ring.keys[keyId] : undefined;
  if (!key) return undefined;
  const given = Buffer.from(sig, 'base64url');
  const body = Buffer.from(payload, 'base64url');
  // Only the canonical encoding is accepted: base64 has spare bits, and a token whose last
  // character was changed would otherwise decode to the same bytes and still verify.
  if (given.toString('base64url') !== sig || body.toString('base64url') !== payload) return undefined;
  const expected = sign(key, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const data = JSON.parse(body.toString('utf8'));
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as T) : undefined;
  } catch {
    return undefined;
  }
}
