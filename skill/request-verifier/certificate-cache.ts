/**
 * Loaded certificates by URL, bounded, plus the loads in progress. Concurrent misses for one URL
 * share one load; only a successful load enters the cache, so URLs that fail (a bad path, a
 * download error) take no room from the good ones; beyond `capacity` the least recently used URL
 * is dropped.
 */
export class CertificateCache<T> {
  private readonly loaded = new Map<string, T>();
  private readonly loading = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('the certificate cache needs room for at least one entry');
  }

  /** The loaded value for `key`, marked as most recently used. */
  peek(key: string): T | undefined {
    const value = this.loaded.get(key);
    if (value !== undefined && this.loaded.size > 1) {
      // Map keeps insertion order: re-inserting makes `key` the most recently used.
      this.loaded.delete(key);
      this.loaded.set(key, value);
    }
    return value;
  }

  /** Loads `key` with `load`, or joins the load already under way for it. */
  load(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const started = load().then(
      (value) => {
        this.loading.delete(key);
        this.loaded.set(key, value);
        if (this.loaded.size > this.capacity) this.loaded.delete(this.loaded.keys().next().value!);
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, started);
    return started;
  }

  /** How many loaded certificates are kept. */
  get size(): number {
    return this.loaded.size;
  }
}
