import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { storeIdSchema } from '../contacts/contact';

export const ROLES = ['marketer', 'store'] as const;
export type Role = (typeof ROLES)[number];

/** The identity an API key grants; the store id of a till comes from here, never from a body. */
export interface Principal {
  keyId: string;
  role: Role;
  storeId?: string;
}

/** An API key as stored: only the SHA-256 of the secret is kept. */
export interface ApiKeyRecord extends Principal {
  hash: string;
  createdAt: string;
  label?: string;
}

export const createKeySchema = z
  .strictObject({
    role: z.enum(ROLES),
    storeId: storeIdSchema.optional(),
    label: z.string().trim().max(100).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.role === 'store' && !v.storeId)
      ctx.addIssue({ code: 'custom', path: ['storeId'], message: 'A store key needs a storeId' });
    if (v.role === 'marketer' && v.storeId)
      ctx.addIssue({ code: 'custom', path: ['storeId'], message: 'A marketer key is not bound to a store' });
  });
export type CreateKeyInput = z.infer<typeof createKeySchema>;

const KEY_PREFIX = 'rl_';

/** A new secret: 256 random bits, base64url, with a prefix that secret scanners can spot. */
export function generateKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Keys are high-entropy, so an unsalted SHA-256 is enough to make the stored form useless to a thief. */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Reads the bearer secret from an Authorization header value; undefined when absent or malformed. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S{10,200})\s*$/i);
  return match?.[1];
}
