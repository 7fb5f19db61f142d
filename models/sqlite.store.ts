import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from './clock';
import { PURGE_BATCH, PURGE_INTERVAL_MS, storeOperation, type Store, type StorePersistence } from './store';

/**
 * The embedded durable store: one SQLite file (WAL journal) that survives restarts and is shared by
 * the processes of one host. Every statement runs in SQLite's own transaction, so `take`, `claim` and
 * `lock` are atomic even with several processes on the same file. Expired rows are purged in bounded
 * batches through an index on the expiry, on a timer and now and then on writes.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements: {
    put: Database.Statement<[string, string, number]>;
    get: Database.Statement<[string, number], { value: string }>;
    take: Database.Statement<[string, number], { value: string }>;
    delete: Database.Statement<[string]>;
    lock: Database.Statement<[string, string, number, number]>;
    unlock: Database.Statement<[string, string]>;
    purge: Database.Statement<[number, number]>;
  };
  private writesSincePurge = 0;
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    // Deleted rows are overwritten with zeros, not left in free pages.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`CREATE TABLE IF NOT EXISTS entries (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.db.exec('CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at)');
    this.statements = {
      put: this.db.prepare('INSERT OR REPLACE INTO entries (key, value, expires_at) VALUES (?, ?, ?)'),
      get: this.db.prepare('SELECT value FROM entries WHERE key = ? AND expires_at > ?'),
      // RETURNING makes read-and-delete one statement, so two instances cannot both redeem a code.
      take: this.db.prepare('DELETE FROM entries WHERE key = ? AND expires_at > ? RETURNING value'),
      delete: this.db.prepare('DELETE FROM entries WHERE key = ?'),
      // An expired entry may be replaced; a live one may not.
      lock: this.db.prepare(`INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE entries.expires_at <= ?`),
      unlock: this.db.prepare('DELETE FROM entries WHERE key = ? AND value = ?'),
      purge: this.db.prepare('DELETE FROM entries WHERE key IN (SELECT key FROM entries WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)'),
    };
    this.purgeTimer = setInterval(() => this.purgeAll(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    await storeOperation('put', () => this.statements.put.run(key, value, expiresAt));
    this.purgeNowAndThen();
  }

  async get(key: string): Promise<string | undefined> {
    return storeOperation('get', () => this.statements.get.get(key, this.clock.now())?.value);
  }

  async take(key: string): Promise<string | undefined> {
    return storeOperation('take', () => this.statements.take.get(key, this.clock.now())?.value);
  }

  async delete(key: string): Promise<void> {
    await storeOperation('delete', () => this.statements.delete.run(key));
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    return this.lock(key, '', expiresAt);
  }

  async lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    const taken = await storeOperation('lock', () => this.statements.lock.run(key, owner, expiresAt, this.clock.now()).changes === 1);
    if (taken) this.purgeNowAndThen();
    return taken;
  }

  async unlock(key: string, owner: string): Promise<void> {
    await storeOperation('unlock', () => this.statements.unlock.run(key, owner));
  }

  async purgeExpired(limit = PURGE_BATCH): Promise<number> {
    return this.statements.purge.run(this.clock.now(), limit).changes;
  }

  async ping(): Promise<void> {
    await storeOperation('ping', () => this.db.prepare('SELECT 1').get());
  }

  async persistence(): Promise<StorePersistence> {
    return this.db.memory
      ? { durable: false, found: 'an SQLite database in memory, forgotten at restart', fix: 'set STORE_URL to sqlite:<path to a file>' }
      : { durable: true, found: `the SQLite file ${this.db.name}` };
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }

  /** A few bounded batches: enough to keep up, never long enough to stall requests. */
  private purgeAll(): void {
    if (!this.db.open) return;
    try {
      for (let pass = 0; pass < 20; pass += 1) {
        if (this.statements.purge.run(this.clock.now(), PURGE_BATCH).changes < PURGE_BATCH) return;
      }
    } catch {
      // A busy file: the next pass will do it.
    }
  }

  /** One bounded batch every few hundred writes, between the timer's passes. */
  private purgeNowAndThen(): void {
    this.writesSincePurge += 1;
    if (this.writesSincePurge >= 256) {
      this.writesSincePurge = 0;
      try {
        this.statements.purge.run(this.clock.now(), PURGE_BATCH);
      } catch {
        // A busy file: the timer's pass will do it.
      }
    }
  }
}
