/**
 * The shared stores the refresh tests run against: an SQLite file, a real `redis-server` when one is
 * installed (see test/support/redis-server.ts for how a missing one is reported), and a DynamoDB table
 * in dynalite (test/support/dynalite.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { parseDynamoDbStoreUrl } from '../../../models/config';
import { startDynalite, type Dynalite } from '../../support/dynalite';
import { startRedisServer, type RedisPersistence, type RedisServer } from '../../support/redis-server';

export type StoreKind = 'sqlite' | 'redis' | 'dynamodb';

/** Makes fresh store URLs of one kind; `close` removes what it made. */
export class StoreFactory {
  private directory?: string;
  private redis?: RedisServer;
  private dynamo?: Dynalite;
  private databases = 0;
  private tables = 0;
  private files = 0;

  constructor(
    readonly kind: StoreKind,
    /** What the Redis server keeps across its restart (vault custody refuses one that keeps nothing). */
    private readonly redisPersistence: RedisPersistence = 'none',
  ) {}

  /** A new, empty store: a new SQLite file, the next Redis database (flushed), or a new DynamoDB table. */
  async freshUrl(): Promise<string> {
    if (this.kind === 'sqlite') {
      this.directory ??= mkdtempSync(join(tmpdir(), 'linkbridge-refresh-'));
      return `sqlite:${join(this.directory, `store-${(this.files += 1)}.sqlite`)}`;
    }
    if (this.kind === 'dynamodb') {
      this.dynamo ??= await startDynalite();
      return this.dynamo.createTable(`refresh-${(this.tables += 1)}`);
    }
    this.redis ??= await startRedisServer({ persistence: this.redisPersistence });
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

  /** Every item of the DynamoDB table `storeUrl` names, each with all its attributes (for scans of what is at rest). */
  async dynamoItems(storeUrl: string): Promise<string[]> {
    if (!this.dynamo) throw new Error('no DynamoDB store was made');
    return (await this.dynamo.scan(parseDynamoDbStoreUrl(storeUrl).table)).map((item) => JSON.stringify(item));
  }

  async close(): Promise<void> {
    await this.dynamo?.stop();
    await this.redis?.stop();
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
  }
}
