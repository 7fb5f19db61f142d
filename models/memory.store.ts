import type { Clock } from './clock';
import { PURGE_BATCH, PURGE_INTERVAL_MS, type Store, type StorePersistence } from './store';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * A store in this process's memory: for tests and single-process trials (`STORE_URL=memory:`).
 * Expired entries go on reads and in bounded passes on a timer, so abandoned flows do not pile up.
 */
export class MemoryStore implements Store {
  private readonly entries = new Map<string, Entry>();
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(private readonly clock: Clock) {
    this.purgeTimer = setInterval(() => void this.purgeAll(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    // Re-inserted at the end, so the map stays roughly in expiry order for the purge.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    return this.lock(key, '', expiresAt);
  }

  async lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value: owner, expiresAt });
    return true;
  }

  async unlock(key: string, owner: string): Promise<void> {
    if (this.live(key)?.value === owner) this.entries.delete(key);
  }

  async purgeExpired(limit = PURGE_BATCH): Promise<number> {
    const now = this.clock.now();
    let purged = 0;
    for (const [key, entry] of this.entries) {
      if (purged >= limit) break;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        purged += 1;
      }
    }
    return purged;
  }

  async ping(): Promise<void> {}

  async persistence(): Promise<StorePersistence> {
    return { durable: false, found: "memory: this process's memory, forgotten at restart", fix: 'set STORE_URL to sqlite:<path>, a Redis with persistence or dynamodb://…' };
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    this.entries.clear();
  }

  /** How many entries are held, expired or not (for tests of the purge). */
  get size(): number {
    return this.entries.size;
  }

  private async purgeAll(): Promise<void> {
    while ((await this.purgeExpired()) === PURGE_BATCH) {
      // Each pass is bounded; yield between passes so requests are served in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
