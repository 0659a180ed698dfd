import type { ApiKeyRecord } from './api-keys';

export interface ApiKeyRepository {
  put(key: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes a key; false when there was no such key. */
  delete(id: string): Promise<boolean>;
}
