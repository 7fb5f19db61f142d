import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from './clock';
import type { Store } from './store';

/**
 * The embedded durable store: one SQLite file (WAL journal) that survives restarts and is shared by
 * the processes of one host. Every statement runs in SQLite's own transaction, so `take` and `claim`
 * are atomic even with several processes on the same file.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements: {
    put: Database.Statement<[string, string, number]>;
    take: Database.Statement<[string, number], { value: string }>;
    claim: Database.Statement<[string, number, number]>;
    purge: Database.Statement<[number]>;
  };
  private writesSincePurge = 0;

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS entries (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.statements = {
      put: this.db.prepare('INSERT OR REPLACE INTO entries (key, value, expires_at) VALUES (?, ?, ?)'),
      // RETURNING makes read-and-delete one statement, so two instances cannot both redeem a code.
      take: this.db.prepare('DELETE FROM entries WHERE key = ? AND expires_at > ? RETURNING value'),
      // An expired mark may be replaced; a live one may not.
      claim: this.db.prepare(`INSERT INTO entries (key, value, expires_at) VALUES (?, '', ?)
        ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE entries.expires_at <= ?`),
      purge: this.db.prepare('DELETE FROM entries WHERE expires_at <= ?'),
    };
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    this.statements.put.run(key, value, expiresAt);
    this.purgeNowAndThen();
  }

  async take(key: string): Promise<string | undefined> {
    return this.statements.take.get(key, this.clock.now())?.value;
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    const changed = this.statements.claim.run(key, expiresAt, this.clock.now()).changes === 1;
    if (changed) this.purgeNowAndThen();
    return changed;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Expired rows are never read; deleting them every few hundred writes keeps the file small. */
  private purgeNowAndThen(): void {
    this.writesSincePurge += 1;
    if (this.writesSincePurge >= 256) {
      this.writesSincePurge = 0;
      this.statements.purge.run(this.clock.now());
    }
  }
}
