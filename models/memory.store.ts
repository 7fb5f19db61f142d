import type { Clock } from './clock';
import type { Store } from './store';

/** A store in this process's memory: for tests and single-process trials (`STORE_URL=memory:`). */
export class MemoryStore implements Store {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    this.entries.set(key, { value, expiresAt });
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value;
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value: '', expiresAt });
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(key: string): { value: string; expiresAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
