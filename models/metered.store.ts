import type { Metrics, StoreOperation } from './metrics';
import { StoreUnavailableError, type Store, type StoredRecord, type StorePersistence } from './store';

/**
 * Counts the store's failures (`linkbridge_store_failures_total`, by operation) around any store: a
 * store that cannot answer turns token requests into `503` and readiness into unready, and the count
 * says since when and how often. Only {@link StoreUnavailableError}s count; what an operation returns is
 * passed on untouched.
 */
export class MeteredStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly metrics: Metrics,
  ) {}

  put(key: string, value: string, expiresAt: number): Promise<void> {
    return this.counted('put', this.inner.put(key, value, expiresAt));
  }

  get(key: string): Promise<string | undefined> {
    return this.counted('get', this.inner.get(key));
  }

  take(key: string): Promise<string | undefined> {
    return this.counted('take', this.inner.take(key));
  }

  delete(key: string): Promise<void> {
    return this.counted('delete', this.inner.delete(key));
  }

  claim(key: string, expiresAt: number): Promise<boolean> {
    return this.counted('claim', this.inner.claim(key, expiresAt));
  }

  lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    return this.counted('lock', this.inner.lock(key, owner, expiresAt));
  }

  unlock(key: string, owner: string): Promise<void> {
    return this.counted('unlock', this.inner.unlock(key, owner));
  }

  purgeExpired(limit?: number): Promise<number> {
    return this.counted('purgeExpired', this.inner.purgeExpired(limit));
  }

  ping(): Promise<void> {
    return this.counted('ping', this.inner.ping());
  }

  async persistence(): Promise<StorePersistence> {
    return this.inner.persistence ? this.inner.persistence() : { durable: undefined, found: 'a store that does not say what it keeps' };
  }

  /** The inner store's record (sealed stores say which key opened it), or the plain value as a current one. */
  async getRecord(key: string): Promise<StoredRecord | undefined> {
    if (this.inner.getRecord) return this.counted('get', this.inner.getRecord(key));
    const value = await this.get(key);
    return value === undefined ? undefined : { value, sealedWithOlderKey: false };
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private counted<T>(operation: StoreOperation, pending: Promise<T>): Promise<T> {
    return pending.catch((error: unknown) => {
      if (error instanceof StoreUnavailableError) this.metrics.storeFailure(operation);
      throw error;
    });
  }
}
