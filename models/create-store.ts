import type { Clock } from './clock';
import type { SealingKey } from './config';
import { MemoryStore } from './memory.store';
import { SealedStore } from './sealed.store';
import { SqliteStore } from './sqlite.store';
import type { Store } from './store';
import type { StoreLocation } from './store-location';

/** The bare store at `location` (parsed from `STORE_URL` by the config loader), without sealing. */
export function createRawStore(location: StoreLocation, clock: Clock): Store {
  switch (location.kind) {
    case 'sqlite':
      return new SqliteStore(location.path, clock);
    case 'memory':
      return new MemoryStore(clock);
    case 'redis': {
      // Loaded only for a Redis store: ioredis is about a sixth of the start-up time of an instance without one.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
      const { RedisStore } = require('./redis.store') as typeof import('./redis.store');
      return new RedisStore(location.url, clock);
    }
    case 'dynamodb': {
      // Loaded only for a DynamoDB store, as ioredis is for Redis: the AWS SDK takes longer to load than ioredis.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
      const { DynamoDbStore } = require('./dynamodb.store') as typeof import('./dynamodb.store');
      return new DynamoDbStore(location, clock);
    }
  }
}

/**
 * Builds the store at `location`, with keys hashed and values sealed under `SEALING_KEYS`, so no code or
 * token is ever at rest in clear whatever the store.
 */
export function createStore(location: StoreLocation, clock: Clock, sealingKeys: readonly SealingKey[]): Store {
  return new SealedStore(createRawStore(location, clock), sealingKeys);
}
