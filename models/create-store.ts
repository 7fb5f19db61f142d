import type { Clock } from './clock';
import { ConfigError, parseDynamoDbStoreUrl, type SealingKey } from './config';
import { MemoryStore } from './memory.store';
import { SealedStore } from './sealed.store';
import { SqliteStore } from './sqlite.store';
import type { Store } from './store';

/** The `STORE_URL` schemes linkbridge knows. */
export type StoreScheme = 'sqlite' | 'memory' | 'redis' | 'dynamodb';

/**
 * The scheme of a `STORE_URL`, or a {@link ConfigError} naming the variable: `sqlite:<file path>`
 * (the durable default, one host), `memory:` (one process), `redis://` or `rediss://` (several hosts),
 * `dynamodb://<table>?region=<region>` (several hosts or AWS Lambda).
 */
export function storeScheme(storeUrl: string): StoreScheme {
  const colon = storeUrl.indexOf(':');
  const scheme = colon > 0 ? storeUrl.slice(0, colon) : '';
  const rest = storeUrl.slice(colon + 1);
  switch (scheme) {
    case 'sqlite':
      if (!rest) throw new ConfigError('STORE_URL', 'sqlite: needs a file path, as in sqlite:data/linkbridge.sqlite');
      return 'sqlite';
    case 'memory':
      return 'memory';
    case 'redis':
    case 'rediss': {
      let host = '';
      try {
        host = new URL(storeUrl).hostname;
      } catch {
        // reported below
      }
      if (!host) throw new ConfigError('STORE_URL', 'expects redis://[user:password@]host[:port][/db], as in redis://127.0.0.1:6379/0');
      return 'redis';
    }
    case 'dynamodb':
      parseDynamoDbStoreUrl(storeUrl);
      return 'dynamodb';
    default:
      throw new ConfigError('STORE_URL', `expects sqlite:<path>, memory:, redis://host:port or dynamodb://<table>?region=<region>, got "${scheme || storeUrl.slice(0, 20)}:…"`);
  }
}

/** The bare store `STORE_URL` names, without sealing (for tests of the store contract). */
export function createRawStore(storeUrl: string, clock: Clock): Store {
  switch (storeScheme(storeUrl)) {
    case 'sqlite':
      return new SqliteStore(storeUrl.slice('sqlite:'.length), clock);
    case 'memory':
      return new MemoryStore(clock);
    case 'redis': {
      // Loaded only for a Redis store: ioredis is about a sixth of the start-up time of an instance without one.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
      const { RedisStore } = require('./redis.store') as typeof import('./redis.store');
      return new RedisStore(storeUrl, clock);
    }
    case 'dynamodb': {
      // Loaded only for a DynamoDB store, as ioredis is for Redis: the AWS SDK takes longer to load than ioredis.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
      const { DynamoDbStore } = require('./dynamodb.store') as typeof import('./dynamodb.store');
      return new DynamoDbStore(parseDynamoDbStoreUrl(storeUrl), clock);
    }
  }
}

/**
 * Builds the store `STORE_URL` names, with keys hashed and values sealed under `SEALING_KEYS`, so no
 * code or token is ever at rest in clear whatever the store.
 */
export function createStore(storeUrl: string, clock: Clock, sealingKeys: readonly SealingKey[]): Store {
  return new SealedStore(createRawStore(storeUrl, clock), sealingKeys);
}
