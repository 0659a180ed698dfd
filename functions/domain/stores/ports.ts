import type { Store } from './store';

export interface StoreRepository {
  put(store: Store): Promise<void>;
  get(id: string): Promise<Store | undefined>;
  list(): Promise<Store[]>;
}
