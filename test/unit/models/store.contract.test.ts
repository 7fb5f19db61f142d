/**
 * One contract for every store: memory, SQLite, Redis and DynamoDB behave the same for everything
 * linkbridge relies on (expiry, atomic take, claims, locks with expiry, purge).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../models/clock';
import { parseDynamoDbStoreUrl } from '../../../models/config';
import { DynamoDbStore } from '../../../models/dynamodb.store';
import { MemoryStore } from '../../../models/memory.store';
import { RedisStore } from '../../../models/redis.store';
import { SqliteStore } from '../../../models/sqlite.store';
import { PURGE_INTERVAL_MS, StoreUnavailableError, type Store } from '../../../models/store';
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb, DYNALITE_REGION, startDynalite, type Dynalite } from '../../support/dynalite';
import { freePort } from '../../support/free-port';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis-server';
import { startUnansweringServer } from '../../support/unanswering-server';
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

/** The test clock, moved by milliseconds: expiries come from it, never from the calendar. */
function movableClock(): Clock & { advanceMs(ms: number): void } {
  return new TestClock();
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

describeWithDynamoDb('DynamoDB store (dynalite)', () => {
  const cleanup = new Cleanup();
  let dynamo: Dynalite;
  let tables = 0;
  beforeAll(async () => {
    dynamo = cleanup.add(await startDynalite(), (started) => started.stop());
  });
  afterAll(() => cleanup.run());

  /** A new, empty table. */
  async function freshTable(): Promise<{ table: string; storeUrl: string }> {
    const table = `contract-${(tables += 1)}`;
    return { table, storeUrl: await dynamo.createTable(table) };
  }

  /** What a test opened, closed after it. */
  const opened = new Cleanup();
  afterEach(() => opened.run());

  /** A store on `storeUrl`, closed after the test. */
  function open(storeUrl: string, clock: Clock = systemClock): DynamoDbStore {
    return opened.add(new DynamoDbStore(parseDynamoDbStoreUrl(storeUrl), clock), (store) => store.close());
  }

  // Every expiry is checked against the store's clock, so time moves without waiting, as for SQLite;
  // nothing is purged by hand (TTL does it), and nothing expired is ever read meanwhile.
  storeContract(async () => {
    const clock = movableClock();
    const store = new DynamoDbStore(parseDynamoDbStoreUrl((await freshTable()).storeUrl), clock);
    return { store, now: () => clock.now(), advance: async (ms) => clock.advanceMs(ms), purgeIsManual: false };
  });

  describe('two clients on one table, as two instances', () => {
    test('concurrent takes of one value: exactly one client gets it, every round', async () => {
      const { storeUrl } = await freshTable();
      const [a, b] = [open(storeUrl), open(storeUrl)];
      for (let round = 0; round < 5; round += 1) {
        await a.put(`code:${round}`, `v${round}`, Date.now() + 60_000);
        const results = await Promise.all([a, b, a, b, a, b, a, b].map((store) => store.take(`code:${round}`)));
        expect(results.filter((value) => value === `v${round}`)).toHaveLength(1);
        expect(results.filter((value) => value !== undefined)).toHaveLength(1);
      }
    });

    test('concurrent claims of one mark: exactly one succeeds', async () => {
      const { storeUrl } = await freshTable();
      const [a, b] = [open(storeUrl), open(storeUrl)];
      for (let round = 0; round < 5; round += 1) {
        const results = await Promise.all([a, b, a, b, a, b].map((store) => store.claim(`state:${round}`, Date.now() + 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    });

    test('concurrent locks: exactly one owner wins, and only the owner releases it, from either client', async () => {
      const { storeUrl } = await freshTable();
      const [a, b] = [open(storeUrl), open(storeUrl)];
      const stores = [a, b, a, b, a, b];
      const results = await Promise.all(stores.map((store, i) => store.lock('lock:x', `owner-${i}`, Date.now() + 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      const other = stores[winner] === a ? b : a;
      await other.unlock('lock:x', `owner-${(winner + 1) % stores.length}`);
      expect(await other.lock('lock:x', 'late', Date.now() + 60_000)).toBe(false);
      await other.unlock('lock:x', `owner-${winner}`);
      expect(await other.lock('lock:x', 'late', Date.now() + 60_000)).toBe(true);
    });

    test('a value one client puts, the other reads and takes at once', async () => {
      const { storeUrl } = await freshTable();
      const [a, b] = [open(storeUrl), open(storeUrl)];
      await a.put('refresh-answer:1', 'sealed', Date.now() + 60_000);
      expect(await b.get('refresh-answer:1')).toBe('sealed');
      expect(await b.take('refresh-answer:1')).toBe('sealed');
      expect(await a.get('refresh-answer:1')).toBeUndefined();
    });
  });

  test('one item per entry: the prefixed key, the value, the expiry in ms and the TTL attribute in epoch seconds', async () => {
    const { table, storeUrl } = await freshTable();
    const store = open(storeUrl);
    await store.put('code:abc', 'sealed-value', 1_900_000_000_123);
    expect(await dynamo.scan(table)).toEqual([
      { pk: { S: 'linkbridge:code:abc' }, v: { S: 'sealed-value' }, expiresAt: { N: '1900000000123' }, ttl: { N: '1900000001' } },
    ]);
  });

  test('an item past its expiry that TTL has not deleted yet is left in the table and never read', async () => {
    const { table, storeUrl } = await freshTable();
    const clock = movableClock();
    const store = open(storeUrl, clock);
    await store.put('code:late', 'v', clock.now() + 1000);
    expect(await store.claim('state:late', clock.now() + 1000)).toBe(true);
    clock.advanceMs(5000);
    expect(await dynamo.scan(table)).toHaveLength(2);
    expect(await store.get('code:late')).toBeUndefined();
    expect(await store.take('code:late')).toBeUndefined();
    expect(await store.claim('state:late', clock.now() + 1000)).toBe(true);
    expect(await store.purgeExpired()).toBe(0);
  });

  test('reads that must see another instance\'s write are strongly consistent', async () => {
    const { storeUrl } = await freshTable();
    const proxy = opened.add(await startProxy(dynamo.endpoint), (started) => started.close());
    const store = open(viaEndpoint(storeUrl, proxy.endpoint));
    await store.put('k', 'v', Date.now() + 60_000);
    expect(await store.get('k')).toBe('v');
    const reads = proxy.requests.filter((request) => request.operation === 'GetItem');
    expect(reads).toHaveLength(1);
    expect(reads[0].body.ConsistentRead).toBe(true);
  });

  test('a claim or lock whose answer was lost on the way back, and which the SDK sent again, still holds', async () => {
    const { storeUrl } = await freshTable();
    const proxy = opened.add(await startProxy(dynamo.endpoint), (started) => started.close());
    const store = open(viaEndpoint(storeUrl, proxy.endpoint));
    proxy.loseAnswers = 1;
    expect(await store.claim('state:lost', Date.now() + 60_000)).toBe(true);
    proxy.loseAnswers = 1;
    expect(await store.lock('lock:lost', 'owner', Date.now() + 60_000)).toBe(true);
    // Each write reached DynamoDB twice; the claim and the lock are still held against anyone else.
    expect(proxy.requests.filter((request) => request.operation === 'PutItem')).toHaveLength(4);
    expect(await store.claim('state:lost', Date.now() + 60_000)).toBe(false);
    expect(await store.lock('lock:lost', 'someone-else', Date.now() + 60_000)).toBe(false);
  });

  test('a DynamoDB nothing listens for: every operation fails with StoreUnavailableError', async () => {
    const store = open(`dynamodb://linkbridge?region=${DYNALITE_REGION}&endpoint=http://127.0.0.1:${await freePort()}`);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.lock('l', 'o', Date.now() + 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  test.each(['silent', 'stall-body'] as const)('a DynamoDB that takes connections and then hangs (%s): the operation fails instead of waiting', async (mode) => {
    const hanging = opened.add(await startUnansweringServer(mode), (started) => started.close());
    const store = open(`dynamodb://linkbridge?region=${DYNALITE_REGION}&endpoint=${hanging.url}`);
    await expect(store.take('code:1')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(hanging.connections()).toBeGreaterThan(0);
  });

  test('a table that does not exist: ping fails, so /healthz says the store is unavailable', async () => {
    const store = open(dynamo.storeUrl('no-such-table'));
    await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
    await expect(store.ping()).rejects.toThrow(/ping/);
  });
});

/** `storeUrl` with its endpoint replaced by `endpoint`. */
function viaEndpoint(storeUrl: string, endpoint: string): string {
  return storeUrl.replace(/endpoint=.*$/, `endpoint=${endpoint}`);
}

interface Proxy {
  readonly endpoint: string;
  /** Every request that passed, in order: the DynamoDB operation and its JSON body. */
  readonly requests: Array<{ operation: string; body: Record<string, unknown> }>;
  /** How many of the next answers to drop after DynamoDB acted on the request (the connection is cut). */
  loseAnswers: number;
  close(): Promise<void>;
}

/** An HTTP proxy on loopback in front of dynalite that records requests and can lose answers. */
async function startProxy(target: string): Promise<Proxy> {
  const proxy: Proxy = {
    endpoint: '',
    requests: [],
    loseAnswers: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      proxy.requests.push({ operation, body: JSON.parse(body.toString('utf8')) as Record<string, unknown> });
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'connection').map(([name, value]) => [name, String(value)]));
      void fetch(target, { method: 'POST', headers, body }).then(async (answer) => {
        const text = Buffer.from(await answer.arrayBuffer());
        if (proxy.loseAnswers > 0) {
          proxy.loseAnswers -= 1;
          req.socket.destroy();
          return;
        }
        const relayed: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (name.startsWith('x-amz') || name === 'content-type') relayed[name] = value;
        });
        res.writeHead(answer.status, relayed).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
