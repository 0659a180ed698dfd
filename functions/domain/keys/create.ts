import { validationError } from '../shared/errors';
import type { Clock, Ids } from '../shared/ports';
import type { StoreRepository } from '../stores/ports';
import { type ApiKeyRecord, type CreateKeyInput, generateKeySecret, hashKey } from './api-keys';
import type { ApiKeyRepository } from './ports';

/** A key as returned once, at creation: the only time its secret is ever shown. */
export interface CreatedKey {
  id: string;
  key: string;
  role: ApiKeyRecord['role'];
  storeId?: string;
  label?: string;
  createdAt: string;
}

export async function createApiKey(
  deps: { apiKeys: ApiKeyRepository; stores: StoreRepository; clock: Clock; ids: Ids },
  input: CreateKeyInput,
  opts: { secret?: string; checkStore?: boolean } = {},
): Promise<CreatedKey> {
  if (input.storeId && opts.checkStore !== false && !(await deps.stores.get(input.storeId))) {
    throw validationError([{ path: 'storeId', message: `Unknown store "${input.storeId}"` }]);
  }
  const secret = opts.secret ?? generateKeySecret();
  const record: ApiKeyRecord = {
    keyId: deps.ids.next('k'),
    role: input.role,
    hash: hashKey(secret),
    createdAt: deps.clock.now().toISOString(),
    ...(input.storeId ? { storeId: input.storeId } : {}),
    ...(input.label ? { label: input.label } : {}),
  };
  await deps.apiKeys.put(record);
  return { ...publicKey(record), key: secret };
}

/** A key without its hash, for listings. */
export function publicKey(rec: ApiKeyRecord) {
  return {
    id: rec.keyId,
    role: rec.role,
    ...(rec.storeId ? { storeId: rec.storeId } : {}),
    ...(rec.label ? { label: rec.label } : {}),
    createdAt: rec.createdAt,
  };
}
