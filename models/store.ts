/**
 * Short-lived shared state: the authorization codes linkbridge issues and the single-use marks of
 * sealed states. Every entry expires; reads never return an expired entry. Implementations must make
 * `take` and `claim` atomic across every instance that shares the store, so a code is redeemed once.
 * The operations map one to one onto Redis (`SET PX`, `GETDEL`, `SET NX PX`).
 */
export interface Store {
  /** Saves `value` under `key` until `expiresAt` (ms since the epoch), replacing any earlier value. */
  put(key: string, value: string, expiresAt: number): Promise<void>;
  /** Returns and deletes the value in one step; `undefined` when absent or expired. */
  take(key: string): Promise<string | undefined>;
  /** Records `key` until `expiresAt`; `false` when it was already recorded and has not expired. */
  claim(key: string, expiresAt: number): Promise<boolean>;
  /** Throws when the store cannot serve requests (for `/healthz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
