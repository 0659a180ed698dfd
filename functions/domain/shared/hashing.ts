import { createHmac } from 'node:crypto';

/**
 * Secret keys for HMACs, each with an id so that keys can rotate: new values
 * are made with `current`, old ones are still recognised with any key.
 */
export interface Keyring {
  current: string;
  keys: Record<string, string>;
}

export function keyringFromSecret(secret: string): Keyring {
  const trimmed = secret.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Keyring;
    if (!parsed.keys?.[parsed.current]) throw new Error('Keyring secret: "current" must name one of "keys"');
    for (const [id, key] of Object.entries(parsed.keys)) {
      if (typeof key !== 'string' || key.length < 32)
        throw new Error(`Keyring secret: key ${id} must be at least 32 characters`);
    }
    return parsed;
  }
  if (trimmed.length < 32) throw new Error('Keyring secret must be at least 32 characters');
  return { current: 'k1', keys: { k1: trimmed } };
}

/** HMAC-SHA256 of a value under one key, prefixed with the key id (`k1.3fa…`). */
export function keyedHash(ring: Keyring, value: string, keyId = ring.current): string {
  const key = ring.keys[keyId];
  if (!key) throw new Error(`Unknown key id ${keyId}`);
  return `${keyId}.${createHmac('sha256', key).update(value, 'utf8').digest('base64url')}`;
}

/** Every hash the value may have been stored under, newest key first. */
export function allKeyedHashes(ring: Keyring, value: string): string[] {
  const ids = [ring.current, ...Object.keys(ring.keys).filter((k) => k !== ring.current)];
  return ids.map((id) => keyedHash(ring, value, id));
}
