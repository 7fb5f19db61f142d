/**
 * Short-lived shared state: the authorization codes linkbridge issues, the single-use marks of sealed
 * states, the locks that keep one provider call per presented credential across instances, and the
 * provider answers replayed to Alexa's retries. Every entry expires; reads never return an expired
 * entry. Implementations make `take`, `claim` and `lock` atomic across every instance that shares the
 * store. The operations map one to one onto Redis: `SET PX`, `GET`, `GETDEL`, `SET NX PX`, and a
 * compare-and-delete script for `unlock`.
 */
export interface Store {
  /** Saves `value` under `key` until `expiresAt` (ms since the epoch), replacing any earlier value. */
  put(key: string, value: string, expiresAt: number): Promise<void>;
  /** The live value under `key`; `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Returns and deletes the value in one step; `undefined` when absent or expired. */
  take(key: string): Promise<string | undefined>;
  /** Deletes `key` whatever it holds. */
  delete(key: string): Promise<void>;
  /** Records `key` until `expiresAt`; `false` when it was already recorded and has not expired. */
  claim(key: string, expiresAt: number): Promise<boolean>;
  /**
   * Takes the lock `key` for `owner` until `expiresAt`; `false` while another owner holds it. The
   * expiry means a holder that died never blocks the next one for longer than that.
   */
  lock(key: string, owner: string, expiresAt: number): Promise<boolean>;
  /** Releases the lock if `owner` still holds it (a lock that expired and was taken over is left alone). */
  unlock(key: string, owner: string): Promise<void>;
  /** Deletes up to `limit` expired entries; returns how many went. Stores also do this on their own. */
  purgeExpired(limit?: number): Promise<number>;
  /** Throws when the store cannot serve requests (for `/healthz`). */
  ping(): Promise<void>;
  /** What the store keeps across a restart of its server, as far as it can tell (vault custody needs it to keep everything). */
  persistence?(): Promise<StorePersistence>;
  /**
   * As `get`, and whether the value was sealed under an older `SEALING_KEYS` key, so a record meant to
   * live long can be written again under the newest (key rotation). Stores that do not seal leave it out.
   */
  getRecord?(key: string): Promise<StoredRecord | undefined>;
  close(): Promise<void>;
}

/** A value as read, and whether it was sealed under a key other than the one that seals now. */
export interface StoredRecord {
  readonly value: string;
  readonly sealedWithOlderKey: boolean;
}

/**
 * What a store keeps across a restart: `durable` true (a file, a table, Redis with AOF or RDB), false
 * (memory, Redis with neither), or undefined when the store would not say (a managed Redis that refuses
 * `CONFIG`). `found` says what was seen, for the start-up refusal and the doctor; `fix` what to change.
 */
export interface StorePersistence {
  readonly durable: boolean | undefined;
  readonly found: string;
  readonly fix?: string;
}

/** How many expired entries one purge pass deletes at most, so a purge never holds the store long. */
export const PURGE_BATCH = 500;
/** How often stores without native expiry purge on their own. */
export const PURGE_INTERVAL_MS = 30_000;

/** The store could not serve an operation (unreachable, busy, closed): a passing fault, worth a retry. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`store unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Runs one store operation, turning whatever it throws into a {@link StoreUnavailableError}. */
export async function storeOperation<T>(operation: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(operation, error);
  }
}

/** A JSON record as a store gave it back: `undefined` when there was none, or when it cannot be read. */
export function parseStored<T>(stored: string | undefined): T | undefined {
  if (stored === undefined) return undefined;
  try {
    return JSON.parse(stored) as T;
  } catch {
    return undefined;
  }
}
