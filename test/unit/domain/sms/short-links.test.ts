import { describe, expect, it } from 'vitest';
import { type Keyring, keyringFromSecret } from '../../../../functions/domain/shared/hashing';
import {
  SHORT_CODE,
  SHORT_CODE_LENGTH,
  shortCode,
  shortUrl,
} from '../../../../functions/domain/sms/short-links';

const ring = keyringFromSecret('unit-test-secret-unit-test-secret-0001');
const other = keyringFromSecret('unit-test-secret-unit-test-secret-0002');

describe('shortCode', () => {
  it('is deterministic: the same inputs give the same code', () => {
    const a = shortCode(ring, 'cmp_1', 'c_1', 0);
    expect(shortCode(ring, 'cmp_1', 'c_1', 0)).toBe(a);
    expect(shortCode(keyringFromSecret('unit-test-secret-unit-test-secret-0001'), 'cmp_1', 'c_1', 0)).toBe(a);
    // attempt defaults to 0.
    expect(shortCode(ring, 'cmp_1', 'c_1', 0, 0)).toBe(a);
  });

  it('is stable across releases for a given key (records stored with it stay reachable)', () => {
    expect(shortCode(ring, 'cmp_1', 'c_1', 0)).toBe('1wA6nlw4GJM');
    expect(shortCode(ring, 'cmp_1', 'c_1', 1)).toBe('xZoXTyebXWK');
    expect(shortCode(ring, 'cmp_1', 'c_1', 0, 1)).toBe('pvv5RTLLKV5');
  });

  it('is 11 characters of [0-9A-Za-z]', () => {
    expect(SHORT_CODE_LENGTH).toBe(11);
    for (let i = 0; i < 200; i++) {
      const code = shortCode(ring, `cmp_${i}`, `c_${i * 7}`, i % 3, i % 2);
      expect(code).toHaveLength(11);
      expect(code).toMatch(SHORT_CODE);
      expect(code).toMatch(/^[0-9A-Za-z]{11}$/);
    }
  });

  it('differs by campaign, contact, link, attempt and key', () => {
    const codes = [
      shortCode(ring, 'cmp_1', 'c_1', 0),
      shortCode(ring, 'cmp_2', 'c_1', 0),
      shortCode(ring, 'cmp_1', 'c_2', 0),
      shortCode(ring, 'cmp_1', 'c_1', 1),
      shortCode(ring, 'cmp_1', 'c_1', 0, 1),
      shortCode(other, 'cmp_1', 'c_1', 0),
    ];
    expect(new Set(codes).size).toBe(6);
  });

  it('separates fields, so moving a character from one field to the next changes the code', () => {
    expect(shortCode(ring, 'cmp_1', 'c_1', 0)).not.toBe(shortCode(ring, 'cmp_', '1c_1', 0));
  });

  it('uses the current key of the ring, whatever other keys it holds', () => {
    const rotated: Keyring = {
      current: 'k2',
      keys: { k1: 'unit-test-secret-unit-test-secret-0001', k2: 'unit-test-secret-unit-test-secret-0002' },
    };
    expect(shortCode(rotated, 'cmp_1', 'c_1', 0)).toBe(shortCode(other, 'cmp_1', 'c_1', 0));
    expect(shortCode({ ...rotated, current: 'k1' }, 'cmp_1', 'c_1', 0)).toBe(
      shortCode(ring, 'cmp_1', 'c_1', 0),
    );
  });

  it('gives codes that do not collide over many recipients', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5000; i++) codes.add(shortCode(ring, 'cmp_1', `c_${i}`, 0));
    expect(codes.size).toBe(5000);
  });
});

describe('SHORT_CODE', () => {
  it('matches only 11 alphanumeric characters', () => {
    expect(SHORT_CODE.test('Xy12Ab34Cd5')).toBe(true);
    expect(SHORT_CODE.test('Xy12Ab34Cd')).toBe(false);
    expect(SHORT_CODE.test('Xy12Ab34Cd56')).toBe(false);
    expect(SHORT_CODE.test('Xy12Ab34Cd-')).toBe(false);
    expect(SHORT_CODE.test('Xy12Ab34Cd_')).toBe(false);
  });
});

describe('shortUrl', () => {
  it('is the base, /s/ and the code', () => {
    expect(shortUrl('https://r.example', 'Xy12Ab34Cd5')).toBe('https://r.example/s/Xy12Ab34Cd5');
    const code = shortCode(ring, 'cmp_1', 'c_1', 0);
    expect(shortUrl('https://go.shop.fr', code)).toBe(`https://go.shop.fr/s/${code}`);
  });
});
