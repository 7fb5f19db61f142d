import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../../models/create-store';
import { ConfigError } from '../../../models/config';
import { MemoryStore } from '../../../models/memory.store';
import { SqliteStore } from '../../../models/sqlite.store';
import type { Store } from '../../../models/store';
import { TestClock } from '../../support/test-app';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'linkbridge-store-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const implementations: Array<[string, (clock: TestClock) => Store]> = [
  ['sqlite', (clock) => new SqliteStore(join(directory, 'store.sqlite'), clock)],
  ['memory', (clock) => new MemoryStore(clock)],
];

describe.each(implementations)('%s store', (_name, make) => {
  test('take returns a value once', async () => {
    const clock = new TestClock();
    const store = make(clock);
    await store.put('k', 'v', clock.now() + 1000);
    expect(await store.take('k')).toBe('v');
    expect(await store.take('k')).toBeUndefined();
    await store.close();
  });

  test('an expired value is never returned', async () => {
    const clock = new TestClock();
    const store = make(clock);
    await store.put('k', 'v', clock.now() + 1000);
    clock.advanceSeconds(1);
    expect(await store.take('k')).toBeUndefined();
    await store.close();
  });

  test('claim succeeds once while live, and again after expiry', async () => {
    const clock = new TestClock();
    const store = make(clock);
    expect(await store.claim('s', clock.now() + 1000)).toBe(true);
    expect(await store.claim('s', clock.now() + 1000)).toBe(false);
    clock.advanceSeconds(2);
    expect(await store.claim('s', clock.now() + 1000)).toBe(true);
    await store.close();
  });
});

describe('sqlite store durability', () => {
  test('codes and marks survive a restart (close and reopen of the file)', async () => {
    const clock = new TestClock();
    const path = join(directory, 'nested', 'store.sqlite');
    const first = new SqliteStore(path, clock);
    await first.put('code:1', '{"a":1}', clock.now() + 60_000);
    await first.claim('state:1', clock.now() + 60_000);
    await first.close();

    const second = new SqliteStore(path, clock);
    expect(await second.claim('state:1', clock.now() + 60_000)).toBe(false);
    expect(await second.take('code:1')).toBe('{"a":1}');
    await second.close();
  });

  test('two handles on one file redeem a code once between them', async () => {
    const clock = new TestClock();
    const path = join(directory, 'shared.sqlite');
    const a = new SqliteStore(path, clock);
    const b = new SqliteStore(path, clock);
    await a.put('code:x', 'v', clock.now() + 60_000);
    const results = await Promise.all([a.take('code:x'), b.take('code:x')]);
    expect(results.filter((value) => value === 'v')).toHaveLength(1);
    await a.close();
    await b.close();
  });
});

describe('createStore', () => {
  test('STORE_URL picks the implementation', () => {
    const clock = new TestClock();
    expect(createStore('memory:', clock)).toBeInstanceOf(MemoryStore);
    const sqlite = createStore(`sqlite:${join(directory, 'a.sqlite')}`, clock);
    expect(sqlite).toBeInstanceOf(SqliteStore);
    return sqlite.close();
  });

  test('an unknown scheme names STORE_URL', () => {
    expect(() => createStore('mongodb://x', new TestClock())).toThrow(ConfigError);
    expect(() => createStore('mongodb://x', new TestClock())).toThrow(/^STORE_URL/);
  });
});
