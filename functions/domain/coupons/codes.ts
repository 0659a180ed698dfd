import { createHmac } from 'node:crypto';
import type { Keyring } from '../shared/hashing';

/**
 * Coupon codes people read aloud and type at a till: 32 symbols with no
 * look-alikes (Crockford's base 32: no I, L, O or U), 12 random symbols
 * (60 bits) and a check symbol, shown as `XXXX-XXXX-XXXX-X`.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_LENGTH = 12;

/** Reading mistakes folded to what they must have meant (Crockford): O→0, I/L→1, U→V. */
const FOLD: Record<string, string> = { O: '0', I: '1', L: '1', U: 'V' };

/**
 * The check symbol: Luhn mod N over the alphabet, which catches every single
 * wrong symbol and every swap of two neighbours, so most typing mistakes are
 * refused before any database read.
 */
export function checkSymbol(data: string): string {
  const n = CODE_ALPHABET.length;
  let factor = 2;
  let sum = 0;
  for (let i = data.length - 1; i >= 0; i--) {
    const cp = CODE_ALPHABET.indexOf(data[i] as string);
    if (cp < 0) throw new Error(`Not a code symbol: ${data[i]}`);
    let addend = factor * cp;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return CODE_ALPHABET[(n - (sum % n)) % n] as string;
}

/**
 * The code of one recipient's coupon: derived with an HMAC from the campaign
 * and the contact, so a retried send finds the same code without a lookup,
 * while nobody without the key can compute anyone's code.
 */
export function couponCode(ring: Keyring, campaignId: string, contactId: string, attempt = 0): string {
  const key = ring.keys[ring.current] as string;
  const digest = createHmac('sha256', key)
    .update(`coupon\u0000${campaignId}\u0000${contactId}\u0000${attempt}`)
    .digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(byte);
  let data = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    data += CODE_ALPHABET[Number((bits >> BigInt(59 - i * 5)) & 31n)];
  }
  return data + checkSymbol(data);
}

/** The code as printed: `XXXX-XXXX-XXXX-X`. */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`;
}

/**
 * Reads a code as typed or scanned: any case, with or without dashes or
 * spaces, look-alikes folded. Undefined when it cannot be a code — wrong
 * length, a foreign symbol, or a wrong check symbol — so the caller can refuse
 * it without reading the database.
 */
export function parseCode(input: string): string | undefined {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[OILU]/g, (c) => FOLD[c] as string);
  if (cleaned.length !== DATA_LENGTH + 1) return undefined;
  for (const c of cleaned) if (!CODE_ALPHABET.includes(c)) return undefined;
  const data = cleaned.slice(0, DATA_LENGTH);
  return checkSymbol(data) === cleaned.slice(DATA_LENGTH) ? cleaned : undefined;
}
