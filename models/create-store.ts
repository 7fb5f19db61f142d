import type { Clock } from './clock';
import { ConfigError } from './config';
import { MemoryStore } from './memory.store';
import { SqliteStore } from './sqlite.store';
import type { Store } from './store';

/**
 * Builds the store `STORE_URL` names: `sqlite:<file path>` (the durable default) or `memory:`.
 * Other schemes (a Redis store for several hosts) plug in here.
 */
export function createStore(storeUrl: string, clock: Clock): Store {
  const colon = storeUrl.indexOf(':');
  const scheme = colon > 0 ? storeUrl.slice(0, colon) : '';
  const rest = storeUrl.slice(colon + 1);
  switch (scheme) {
    case 'sqlite':
      if (!rest) throw new ConfigError('STORE_URL', 'sqlite: needs a file path, as in sqlite:data/linkbridge.sqlite');
      return new SqliteStore(rest, clock);
    case 'memory':
      return new MemoryStore(clock);
    default:
      throw new ConfigError('STORE_URL', `expects sqlite:<path> or memory:, got "${storeUrl}"`);
  }
}
