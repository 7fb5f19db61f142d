/**
 * Where the store is, parsed once from `STORE_URL` by the config loader; the store factory reads this,
 * never the text. One case per kind of store: a new kind is one case here, one in `parseStoreUrl` and
 * one in `createRawStore`.
 */
export type StoreLocation =
  /** A file on this host: durable, one host (the default, under `DATA_DIR`). */
  | { readonly kind: 'sqlite'; readonly path: string }
  /** This process only: forgotten at restart. */
  | { readonly kind: 'memory' }
  /** `redis://` or `rediss://` with a host: shared by several hosts. The URL may hold a password. */
  | { readonly kind: 'redis'; readonly url: string };

/** The `STORE_URL` forms, as a refusal names them. */
const FORMS = 'sqlite:<path>, memory: or redis://[user:password@]host[:port][/db]';

/**
 * Parses a `STORE_URL`, or says what is wrong with it. A refused value may hold a password: the
 * answer repeats its scheme only.
 */
export function parseStoreUrl(value: string): StoreLocation | { readonly problem: string } {
  const colon = value.indexOf(':');
  const candidate = colon > 0 ? value.slice(0, colon) : '';
  const scheme = /^[a-z][a-z0-9+.-]*$/i.test(candidate) ? candidate.toLowerCase() : '';
  const rest = value.slice(colon + 1);
  switch (scheme) {
    case 'sqlite':
      return rest ? { kind: 'sqlite', path: rest } : { problem: 'sqlite: needs a file path, as in sqlite:data/linkbridge.sqlite' };
    case 'memory':
      return { kind: 'memory' };
    case 'redis':
    case 'rediss':
      return hasHost(value) ? { kind: 'redis', url: value } : { problem: 'expects redis://[user:password@]host[:port][/db], as in redis://127.0.0.1:6379/0' };
    default:
      return { problem: `expects ${FORMS}, got scheme "${scheme || '(none)'}"` };
  }
}

function hasHost(value: string): boolean {
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}
