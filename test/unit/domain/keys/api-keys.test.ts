import { describe, expect, it } from 'vitest';
import {
  bearerSecret,
  createKeySchema,
  generateKeySecret,
  hashKey,
} from '../../../../functions/domain/keys/api-keys';
import { createApiKey, publicKey } from '../../../../functions/domain/keys/create';
import {
  FakeApiKeyRepository,
  FakeClock,
  FakeIds,
  FakeStoreRepository,
  sampleStore,
} from '../../../support/fakes';

describe('generateKeySecret', () => {
  it('has the rl_ prefix and 256 bits of base64url after it', () => {
    const secret = generateKeySecret();
    expect(secret).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice(3), 'base64url')).toHaveLength(32);
  });

  it('never repeats over many draws', () => {
    const secrets = new Set(Array.from({ length: 5000 }, generateKeySecret));
    expect(secrets.size).toBe(5000);
  });

  it('uses every base64url character over many draws (no biased alphabet)', () => {
    const chars = new Set(
      Array.from({ length: 500 }, generateKeySecret)
        .map((s) => s.slice(3))
        .join(''),
    );
    expect(chars.size).toBe(64);
  });

  it('is accepted as a bearer secret', () => {
    const secret = generateKeySecret();
    expect(bearerSecret(`Bearer ${secret}`)).toBe(secret);
  });
});

describe('hashKey', () => {
  it('is the hex SHA-256 of the secret', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is deterministic and distinguishes secrets', () => {
    const s = generateKeySecret();
    expect(hashKey(s)).toBe(hashKey(s));
    expect(hashKey(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(s)).not.toBe(hashKey(`${s}x`));
  });
});

describe('bearerSecret', () => {
  const secret = 'rl_abcdefghijklmnop';

  it.each([
    `Bearer ${secret}`,
    `bearer ${secret}`,
    `BEARER ${secret}`,
    `Bearer    ${secret}`,
    `Bearer ${secret}  `,
  ])('reads %j', (header) => {
    expect(bearerSecret(header)).toBe(secret);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without scheme', secret],
    ['another scheme', `Basic ${secret}`],
    ['no space', `Bearer${secret}`],
    ['a scheme alone', 'Bearer '],
    ['two tokens', `Bearer ${secret} other`],
    ['too short', 'Bearer short'],
    ['too long', `Bearer ${'a'.repeat(201)}`],
    ['leading text', `X Bearer ${secret}`],
  ])('is undefined when %s', (_what, header) => {
    expect(bearerSecret(header)).toBeUndefined();
  });
});

describe('createKeySchema', () => {
  it('accepts a marketer key without a store', () => {
    expect(createKeySchema.parse({ role: 'marketer', label: ' ops ' })).toEqual({
      role: 'marketer',
      label: 'ops',
    });
  });

  it('accepts a store key with its store', () => {
    expect(createKeySchema.parse({ role: 'store', storeId: 'paris-11' })).toEqual({
      role: 'store',
      storeId: 'paris-11',
    });
  });

  it('refuses a store key without a storeId', () => {
    const r = createKeySchema.safeParse({ role: 'store' });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['storeId', 'A store key needs a storeId'],
      ]);
    }
  });

  it('refuses a marketer key bound to a store', () => {
    const r = createKeySchema.safeParse({ role: 'marketer', storeId: 'paris-11' });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['storeId', 'A marketer key is not bound to a store'],
      ]);
    }
  });

  it('refuses unknown roles and unknown fields', () => {
    expect(createKeySchema.safeParse({ role: 'admin' }).success).toBe(false);
    expect(createKeySchema.safeParse({ role: 'marketer', secret: 'x' }).success).toBe(false);
  });
});

describe('createApiKey', () => {
  const deps = () => ({
    apiKeys: new FakeApiKeyRepository(),
    stores: new FakeStoreRepository(),
    clock: new FakeClock(),
    ids: new FakeIds(),
  });

  it('stores only the hash and returns the secret once', async () => {
    const d = deps();
    const created = await createApiKey(d, { role: 'marketer', label: 'ops' });
    expect(created.key).toMatch(/^rl_/);
    const stored = await d.apiKeys.findByHash(hashKey(created.key));
    expect(stored).toEqual({
      keyId: created.id,
      role: 'marketer',
      hash: hashKey(created.key),
      label: 'ops',
      createdAt: d.clock.now().toISOString(),
    });
    expect(JSON.stringify(stored)).not.toContain(created.key);
    expect(publicKey(stored as NonNullable<typeof stored>)).not.toHaveProperty('hash');
  });

  it('refuses a store key for an unknown store, with path storeId', async () => {
    await expect(createApiKey(deps(), { role: 'store', storeId: 'nowhere' })).rejects.toMatchObject({
      status: 400,
      issues: [{ path: 'storeId', message: 'Unknown store "nowhere"' }],
    });
  });

  it('binds a store key to a known store', async () => {
    const d = deps();
    d.stores.items.set('paris', sampleStore('paris'));
    const created = await createApiKey(d, { role: 'store', storeId: 'paris' });
    expect(created).toMatchObject({ role: 'store', storeId: 'paris' });
  });
});
