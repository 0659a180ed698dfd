import { createHmac } from 'node:crypto';
import type { Keyring } from '../shared/hashing';

/**
 * A short tracked link in an SMS: `/s/<code>` stands for one link of one
 * message, and redirects to the URL stored with it. An SMS has no room for a
 * signed token, so the code is the key of a stored record instead: long enough
 * (65 random bits) that guessing one is not practical — one of them leads to a
 * recipient's printable coupon.
 */
export interface ShortLink {
  code: string;
  campaignId: string;
  contactId: string;
  /** The link's position in the message (0 = first URL). */
  link: number;
  url: string;
  /** When the message was sent (ms since epoch): clicks too soon after it are a machine's. */
  sentAt: number;
  /** Keep the link at least until then (ISO): the end of the coupon it leads to. */
  keepUntil?: string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHORT_CODE_LENGTH = 11;
/** What a code looks like; anything else is a 404 without a read. */
export const SHORT_CODE = /^[0-9A-Za-z]{11}$/;

/**
 * The code of one link of one recipient's message, derived with an HMAC, so a
 * retried send writes the same record instead of a second one (like coupons).
 */
export function shortCode(ring: Keyring, campaignId: string, contactId: string, link: number, attempt = 0) {
  const key = ring.keys[ring.current] as string;
  const digest = createHmac('sha256', key)
    .update(`short\u0000${campaignId}\u0000${contactId}\u0000${link}\u0000${attempt}`)
    .digest();
  let n = 0n;
  for (const byte of digest.subarray(0, 9)) n = (n << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) {
    code += ALPHABET[Number(n % 62n)];
    n /= 62n;
  }
  return code;
}

/** The short link's URL, as printed in the SMS. */
export const shortUrl = (base: string, code: string) => `${base}/s/${code}`;
