import Redis from 'ioredis';
import type { Clock } from './clock';
import { storeOperation, type Store } from './store';

/** Deletes the lock only when it still holds this owner's id: an expired, re-taken lock is left alone. */
const UNLOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Every key linkbridge writes starts with this, so it can share a Redis database with other data. */
const KEY_PREFIX = 'linkbridge:';

/**
 * The store shared by several hosts (`STORE_URL=redis://…` or `rediss://…`): each operation is one
 * atomic Redis command (`SET PX`, `GET`, `GETDEL`, `SET NX PX`) or, for `unlock`, one script. Redis
 * expires entries itself, so there is nothing to purge. Commands fail fast when Redis is unreachable,
 * so a request gets `503` rather than waiting on a queue.
 */
export class RedisStore implements Store {
  private readonly client: Redis;

  constructor(
    url: string,
    private readonly clock: Clock,
  ) {
    this.client = new Redis(url, {
      keyPrefix: KEY_PREFIX,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      connectTimeout: 2000,
      enableAutoPipelining: true,
    });
    // Each failing command rejects with its own error; the connection's error events are not news.
    this.client.on('error', () => undefined);
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    await storeOperation('put', () => this.client.set(key, value, 'PX', this.ttl(expiresAt)));
  }

  async get(key: string): Promise<string | undefined> {
    return (await storeOperation('get', () => this.client.get(key))) ?? undefined;
  }

  async take(key: string): Promise<string | undefined> {
    return (await storeOperation('take', () => this.client.getdel(key))) ?? undefined;
  }

  async delete(key: string): Promise<void> {
    await storeOperation('delete', () => this.client.del(key));
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    return this.lock(key, '', expiresAt);
  }

  async lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    return (await storeOperation('lock', () => this.client.set(key, owner, 'PX', this.ttl(expiresAt), 'NX'))) === 'OK';
  }

  async unlock(key: string, owner: string): Promise<void> {
    await storeOperation('unlock', () => this.client.eval(UNLOCK_SCRIPT, 1, key, owner));
  }

  /** Redis expires keys on its own. */
  async purgeExpired(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {
    await storeOperation('ping', () => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    if (this.client.status !== 'ready') {
      // Not connected: nothing to flush, and QUIT would wait for a connection that may never come.
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Redis counts expiry from its own clock: the remaining lifetime, at least 1 ms. */
  private ttl(expiresAt: number): number {
    return Math.max(1, Math.ceil(expiresAt - this.clock.now()));
  }
}
