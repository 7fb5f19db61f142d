/**
 * One contract for every store: memory, SQLite and Redis behave the same for everything linkbridge
 * relies on (expiry, atomic take, claims, locks with expiry, purge).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../models/clock';
import { MemoryStore } from '../../../models/memory.store';
import { RedisStore } from '../../../models/redis.store';
import { SqliteStore } from '../../../models/sqlite.store';
import { PURGE_INTERVAL_MS, type Store } from '../../../models/store';
import { Cleanup } from '../../support/cleanup';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis-server';
import { TestClock } from '../../support/test-app';

/** A store under test and how to move time for it. */
interface Subject {
  readonly store: Store;
  /** The store's notion of time. */
  now(): number;
  /** Moves the store's notion of time forward by `ms`. */
  advance(ms: number): Promise<void>;
  /** Whether expired entries are kept until a purge (false for Redis, which expires on its own). */
  readonly purgeIsManual: boolean;
}

function storeContract(make: () => Promise<Subject>): void {
  let subject: Subject;
  let store: Store;
  let now: () => number;
  beforeEach(async () => {
    subject = await make();
    store = subject.store;
    now = () => subject.now();
  });
  afterEach(() => store.close());

  // TTLs are a few tens of milliseconds: the stores with an injected clock move it; Redis keeps its own
  // time, so for Redis `advance` waits that long for real.
  const TTL = 60;

  test('put and get; get does not consume', async () => {
    await store.put('k', 'v', now() + 10_000);
    expect(await store.get('k')).toBe('v');
    expect(await store.get('k')).toBe('v');
    expect(await store.get('missing')).toBeUndefined();
  });

  test('put replaces the value and its expiry', async () => {
    await store.put('k', 'old', now() + TTL);
    await store.put('k', 'new', now() + 10_000);
    await subject.advance(TTL * 2);
    expect(await store.get('k')).toBe('new');
  });

  test('take returns a value once', async () => {
    await store.put('k', 'v', now() + 10_000);
    expect(await store.take('k')).toBe('v');
    expect(await store.take('k')).toBeUndefined();
    expect(await store.get('k')).toBeUndefined();
  });

  test('concurrent takes of one value: exactly one gets it', async () => {
    await store.put('code', 'v', now() + 10_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.take('code')));
    expect(results.filter((value) => value === 'v')).toHaveLength(1);
  });

  test('an expired value is never returned, by get or take', async () => {
    await store.put('k', 'v', now() + TTL);
    await subject.advance(TTL * 2);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.take('k')).toBeUndefined();
  });

  test('delete removes a value', async () => {
    await store.put('k', 'v', now() + 10_000);
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  test('claim succeeds once while live, and again after expiry', async () => {
    expect(await store.claim('s', now() + TTL)).toBe(true);
    expect(await store.claim('s', now() + TTL)).toBe(false);
    await subject.advance(TTL * 2);
    expect(await store.claim('s', now() + TTL)).toBe(true);
  });

  test('a lock has one holder; another owner gets it only after release', async () => {
    expect(await store.lock('l', 'a', now() + 10_000)).toBe(true);
    expect(await store.lock('l', 'b', now() + 10_000)).toBe(false);
    await store.unlock('l', 'b'); // not b's to release
    expect(await store.lock('l', 'b', now() + 10_000)).toBe(false);
    await store.unlock('l', 'a');
    expect(await store.lock('l', 'b', now() + 10_000)).toBe(true);
  });

  test('a lock whose holder died expires, and the late holder cannot release the new one', async () => {
    expect(await store.lock('l', 'crashed', now() + TTL)).toBe(true);
    await subject.advance(TTL * 2);
    expect(await store.lock('l', 'next', now() + 10_000)).toBe(true);
    await store.unlock('l', 'crashed');
    expect(await store.lock('l', 'third', now() + 10_000)).toBe(false);
  });

  test('concurrent lock attempts: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.lock('l', `owner-${i}`, now() + 10_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('purge deletes expired entries in bounded batches and keeps live ones', async () => {
    for (let i = 0; i < 30; i += 1) await store.put(`old:${i}`, 'v', now() + TTL);
    await store.put('live', 'v', now() + 60_000);
    await subject.advance(TTL * 2);
    if (subject.purgeIsManual) {
      expect(await store.purgeExpired(10)).toBe(10);
      expect(await store.purgeExpired(100)).toBe(20);
      expect(await store.purgeExpired(100)).toBe(0);
    } else {
      expect(await store.purgeExpired(100)).toBe(0);
    }
    expect(await store.get('live')).toBe('v');
    expect(await store.get('old:3')).toBeUndefined();
  });

  test('ping answers while open', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'linkbridge-store-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A clock that starts now and that tests move by hand. */
function movableClock(): Clock & { advanceMs(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    after: systemClock.after,
    advanceMs: (ms: number) => {
      offset += ms;
    },
  };
}

describe('memory store', () => {
  storeContract(async () => {
    const clock = movableClock();
    const store = new MemoryStore(clock);
    return { store, now: () => clock.now(), advance: async (ms) => clock.advanceMs(ms), purgeIsManual: true };
  });

  test('expired entries are purged without anyone reading them', async () => {
    const clock = movableClock();
    const store = new MemoryStore(clock);
    for (let i = 0; i < 1200; i += 1) await store.put(`abandoned:${i}`, 'x'.repeat(100), clock.now() + 1000);
    clock.advanceMs(2000);
    expect(store.size).toBe(1200);
    expect(await store.purgeExpired()).toBe(500);
    expect(await store.purgeExpired()).toBe(500);
    expect(await store.purgeExpired()).toBe(200);
    expect(store.size).toBe(0);
    await store.close();
  });

  test('the purge runs on its own, with nobody reading or writing', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const clock = movableClock();
      const store = new MemoryStore(clock);
      for (let i = 0; i < 1200; i += 1) await store.put(`abandoned:${i}`, 'x', clock.now() + 1000);
      await store.put('live', 'x', clock.now() + 3_600_000);
      clock.advanceMs(2000);
      jest.advanceTimersByTime(PURGE_INTERVAL_MS);
      for (let pass = 0; pass < 10 && store.size > 1; pass += 1) await new Promise((resolve) => setImmediate(resolve));
      expect(store.size).toBe(1);
      await store.close();
    } finally {
      jest.useRealTimers();
    }
  });
});

let sqliteFiles = 0;
describe('sqlite store', () => {
  storeContract(async () => {
    const clock = movableClock();
    const store = new SqliteStore(join(directory, `contract-${(sqliteFiles += 1)}.sqlite`), clock);
    return { store, now: () => clock.now(), advance: async (ms) => clock.advanceMs(ms), purgeIsManual: true };
  });

  test('codes and marks survive a restart (close and reopen of the file)', async () => {
    const clock = new TestClock();
    const path = join(directory, 'nested', 'store.sqlite');
    const first = new SqliteStore(path, clock);
    await first.put('code:1', '{"a":1}', clock.now() + 60_000);
    await first.claim('state:1', clock.now() + 60_000);
    await first.lock('lock:1', 'holder', clock.now() + 60_000);
    await first.close();

    const second = new SqliteStore(path, clock);
    expect(await second.claim('state:1', clock.now() + 60_000)).toBe(false);
    expect(await second.lock('lock:1', 'other', clock.now() + 60_000)).toBe(false);
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

describeWithRedis('redis store (real redis-server)', () => {
  const cleanup = new Cleanup();
  let server: RedisServer;
  beforeAll(async () => {
    server = cleanup.add(await startRedisServer(), (started) => started.stop());
  });
  afterAll(() => cleanup.run());

  storeContract(async () => {
    const store = new RedisStore(server.url, systemClock);
    await store.ping();
    await flush(store);
    return { store, now: () => Date.now(), advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), purgeIsManual: false };
  });

  test('two connections redeem a code once between them and share locks', async () => {
    const clock = systemClock;
    const a = new RedisStore(server.url, clock);
    const b = new RedisStore(server.url, clock);
    try {
      await a.put('code:y', 'v', clock.now() + 60_000);
      const results = await Promise.all([a.take('code:y'), b.take('code:y')]);
      expect(results.filter((value) => value === 'v')).toHaveLength(1);
      expect(await a.lock('lock:y', 'a', clock.now() + 60_000)).toBe(true);
      expect(await b.lock('lock:y', 'b', clock.now() + 60_000)).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('an unreachable Redis fails the command quickly instead of queueing it', async () => {
    const store = new RedisStore('redis://127.0.0.1:1/0', systemClock);
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(Error);
      await expect(store.get('k')).rejects.toBeInstanceOf(Error);
    } finally {
      await store.close();
    }
  });
});

/** The contract's keys are reused by every test: start each Redis test from an empty database. */
async function flush(store: RedisStore): Promise<void> {
  for (const key of ['k', 'missing', 'code', 's', 'l', 'live', ...Array.from({ length: 30 }, (_, i) => `old:${i}`)]) await store.delete(key);
}
