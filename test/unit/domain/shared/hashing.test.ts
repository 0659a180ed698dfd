import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allKeyedHashes, keyedHash, keyringFromSecret } from '../../../../functions/domain/shared/hashing';

const SECRET_A = 'a'.repeat(16) + 'b'.repeat(16);
const SECRET_B = 'the-second-secret-is-long-enough-too';

describe('keyringFromSecret', () => {
  it('turns a plain secret of 32 characters or more into a one-key ring named k1', () => {
    expect(keyringFromSecret(`  ${SECRET_A}\n`)).toEqual({ current: 'k1', keys: { k1: SECRET_A } });
  });

  it('refuses a plain secret shorter than 32 characters', () => {
    expect(() => keyringFromSecret('x'.repeat(31))).toThrow(/at least 32 characters/);
    expect(() => keyringFromSecret(`   ${'x'.repeat(31)}   `)).toThrow(/at least 32 characters/);
  });

  it('reads a JSON keyring', () => {
    const ring = { current: 'k2', keys: { k1: SECRET_A, k2: SECRET_B } };
    expect(keyringFromSecret(JSON.stringify(ring))).toEqual(ring);
  });

  it('refuses a JSON keyring whose current key is missing', () => {
    expect(() => keyringFromSecret(JSON.stringify({ current: 'k3', keys: { k1: SECRET_A } }))).toThrow(
      /"current" must name one of "keys"/,
    );
    expect(() => keyringFromSecret(JSON.stringify({ current: 'k1' }))).toThrow(/"current"/);
  });

  it('refuses malformed JSON', () => {
    expect(() => keyringFromSecret('{"current": "k1", ')).toThrow();
  });
});

describe('keyedHash', () => {
  const ring = { current: 'k2', keys: { k1: SECRET_A, k2: SECRET_B } };

  it('is an HMAC-SHA256 in base64url, prefixed with the key id', () => {
    const expected = createHmac('sha256', SECRET_B).update('alice@example.com').digest('base64url');
    expect(keyedHash(ring, 'alice@example.com')).toBe(`k2.${expected}`);
  });

  it('is deterministic', () => {
    expect(keyedHash(ring, 'x')).toBe(keyedHash(ring, 'x'));
  });

  it('uses the named key when asked', () => {
    expect(keyedHash(ring, 'x', 'k1').startsWith('k1.')).toBe(true);
  });

  it('gives different hashes under different keys and for different values', () => {
    const [, underK1] = keyedHash(ring, 'x', 'k1').split('.');
    const [, underK2] = keyedHash(ring, 'x', 'k2').split('.');
    expect(underK1).not.toBe(underK2);
    expect(keyedHash(ring, 'x')).not.toBe(keyedHash(ring, 'y'));
  });

  it('throws for an unknown key id', () => {
    expect(() => keyedHash(ring, 'x', 'k9')).toThrow(/Unknown key id k9/);
  });
});

describe('allKeyedHashes', () => {
  it('lists the current key first, then every other key', () => {
    const ring = { current: 'k2', keys: { k1: SECRET_A, k2: SECRET_B, k3: `${SECRET_A}3` } };
    const hashes = allKeyedHashes(ring, 'x');
    expect(hashes).toEqual([
      keyedHash(ring, 'x', 'k2'),
      keyedHash(ring, 'x', 'k1'),
      keyedHash(ring, 'x', 'k3'),
    ]);
  });

  it('has one hash for a one-key ring', () => {
    const ring = keyringFromSecret(SECRET_A);
    expect(allKeyedHashes(ring, 'x')).toEqual([keyedHash(ring, 'x')]);
  });
});
