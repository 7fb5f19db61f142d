/**
 * The shared store and idempotent token settings are checked once at boot: the STORE_URL scheme, the
 * replay window and the lock expiry, each failure naming its variable.
 */
import { ConfigError, loadConfig } from '../../../models/config';
import { createRawStore, createStore } from '../../../models/create-store';
import { MemoryStore } from '../../../models/memory.store';
import { RecordSealer, SealedStore } from '../../../models/sealed.store';
import { BASE_TEST_ENV, TestClock } from '../../support/test-app';

const load = (env: Record<string, string | undefined>) => loadConfig({ ...BASE_TEST_ENV, ...env });

test.each([
  ['redis://127.0.0.1:6379/0', { kind: 'redis', url: 'redis://127.0.0.1:6379/0' }],
  ['rediss://user:pw@cache.example:6380', { kind: 'redis', url: 'rediss://user:pw@cache.example:6380' }],
  ['memory:', { kind: 'memory' }],
  ['sqlite:/tmp/x.sqlite', { kind: 'sqlite', path: '/tmp/x.sqlite' }],
])('STORE_URL=%s is parsed once, at load', (url, location) => {
  expect(load({ STORE_URL: url }).store).toEqual(location);
});

test('DATA_DIR places the default SQLite file', () => {
  expect(load({ STORE_URL: undefined, DATA_DIR: '/var/lib/linkbridge/' }).store).toEqual({ kind: 'sqlite', path: '/var/lib/linkbridge/linkbridge.sqlite' });
});

test('the store factory builds the store the parsed location names', async () => {
  const store = createRawStore(load({ STORE_URL: 'memory:' }).store, new TestClock());
  expect(store).toBeInstanceOf(MemoryStore);
  await store.close();
});

test.each(['mongodb://x', 'redis://', 'redis:/nohost', 'sqlite:', 'memory', 'http://cache.example'])('STORE_URL=%s stops the start, naming STORE_URL', (url) => {
  expect(() => load({ STORE_URL: url })).toThrow(ConfigError);
  expect(() => load({ STORE_URL: url })).toThrow(/^STORE_URL/);
});

test('a password in a refused STORE_URL is not repeated in the message', () => {
  expect(() => load({ STORE_URL: 'memcache://user:hunter2@cache.example' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
});

test('defaults: a ten-minute replay window, a 15 s lock, the provider call ends a second before the lock', () => {
  expect(load({}).tokenReplay).toEqual({ windowSeconds: 600, lockTtlMs: 15_000, providerDeadlineMs: 14_000 });
});

test.each([
  [{ TOKEN_REPLAY_WINDOW_SECONDS: '5' }, 'TOKEN_REPLAY_WINDOW_SECONDS'],
  [{ TOKEN_REPLAY_WINDOW_SECONDS: 'ten' }, 'TOKEN_REPLAY_WINDOW_SECONDS'],
  [{ STORE_LOCK_TTL_MS: '500' }, 'STORE_LOCK_TTL_MS'],
  [{ STORE_LOCK_TTL_MS: '3000', UPSTREAM_TIMEOUT_MS: '2500' }, 'STORE_LOCK_TTL_MS'],
])('%o stops the start, naming %s', (env, variable) => {
  expect(() => load(env)).toThrow(new RegExp(`^${variable}`));
});

describe('sealed store records', () => {
  const keys = [{ kid: 'k1', secret: new Uint8Array(32).fill(7) }];

  test('values are sealed and keys hashed; the value reads back', async () => {
    const clock = new TestClock();
    const inner = new MemoryStore(clock);
    const store = new SealedStore(inner, keys);
    await store.put('refresh-answer:some-token', '{"access_token":"at-secret"}', clock.now() + 1000);
    expect(await store.get('refresh-answer:some-token')).toBe('{"access_token":"at-secret"}');
    expect(await inner.get('refresh-answer:some-token')).toBeUndefined();
    await inner.close();
  });

  test('a value moved to another key, altered, or sealed with an unknown key does not unseal', () => {
    const sealer = new RecordSealer(keys);
    const sealed = sealer.seal('secret', 'code:a');
    expect(sealer.unseal(sealed, 'code:a')).toBe('secret');
    expect(sealer.unseal(sealed, 'code:b')).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = `${parts[3][0] === 'A' ? 'B' : 'A'}${parts[3].slice(1)}`;
    expect(sealer.unseal(parts.join('.'), 'code:a')).toBeUndefined();
    expect(new RecordSealer([{ kid: 'k2', secret: new Uint8Array(32).fill(7) }]).unseal(sealed, 'code:a')).toBeUndefined();
  });

  test('after a key rotation, records sealed with the old key still unseal', () => {
    const old = new RecordSealer(keys);
    const rotated = new RecordSealer([{ kid: 'k2', secret: new Uint8Array(32).fill(9) }, ...keys]);
    expect(rotated.unseal(old.seal('v', 'code:a'), 'code:a')).toBe('v');
    expect(rotated.seal('v', 'code:a')).toMatch(/^s1\.k2\./);
  });

  test('createStore always seals', async () => {
    const store = createStore({ kind: 'memory' }, new TestClock(), keys);
    expect(store).toBeInstanceOf(SealedStore);
    await store.close();
  });
});
