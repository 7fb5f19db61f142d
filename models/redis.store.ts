import Redis from 'ioredis';
import type { Clock } from './clock';
import { storeOperation, type Store, type StorePersistence } from './store';

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

  /**
   * Whether the Redis server keeps its keys across its own restart: AOF (`aof_enabled:1` in `INFO
   * persistence`) or RDB save points (`CONFIG GET save` not empty). A managed Redis that refuses `CONFIG`
   * and has no AOF cannot say: `durable` is then undefined.
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
   */
  async persistence(): Promise<StorePersistence> {
    const info = await storeOperation('persistence', () => this.client.info('persistence'));
    if (/^aof_enabled:1\s*$/m.test(info)) return { durable: true, found: 'Redis with AOF persistence (appendonly yes)' };
    let savePoints: string | undefined;
    try {
      const reply = (await this.client.config('GET', 'save')) as unknown;
      savePoints = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
    } catch {
      savePoints = undefined;
    }
    const fix = 'turn persistence on at the Redis server (appendonly yes, or save points such as save 3600 1 300 100), or use another store';
    if (savePoints === undefined) return { durable: undefined, found: 'Redis without AOF; it refused CONFIG GET save, so its RDB save points are unknown', fix };
    if (savePoints.trim() === '') return { durable: false, found: 'Redis with neither AOF (appendonly no) nor RDB save points (save "")', fix };
    return { durable: true, found: `Redis with RDB snapshots (save ${savePoints})` };
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
