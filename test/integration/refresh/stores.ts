/**
 * The shared stores the refresh tests run against: an SQLite file, and a real `redis-server` when one
 * is installed (see test/support/redis-server.ts for how a missing one is reported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startRedisServer, type RedisServer } from '../../support/redis-server';

export type StoreKind = 'sqlite' | 'redis';

/** Makes fresh store URLs of one kind; `close` removes what it made. */
export class StoreFactory {
  private directory?: string;
  private redis?: RedisServer;
  private databases = 0;
  private files = 0;

  constructor(readonly kind: StoreKind) {}

  /** A new, empty store: a new SQLite file, or the next Redis database (flushed). */
  async freshUrl(): Promise<string> {
    if (this.kind === 'sqlite') {
      this.directory ??= mkdtempSync(join(tmpdir(), 'linkbridge-refresh-'));
      return `sqlite:${join(this.directory, `store-${(this.files += 1)}.sqlite`)}`;
    }
    this.redis ??= await startRedisServer();
    const url = `redis://127.0.0.1:${this.redis.port}/${(this.databases += 1) % 16}`;
    const client = new Redis(url);
    await client.flushdb();
    await client.quit();
    return url;
  }

  /** The SQLite directory (for scans of the files). */
  get sqliteDirectory(): string | undefined {
    return this.directory;
  }

  async close(): Promise<void> {
    await this.redis?.stop();
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
  }
}
