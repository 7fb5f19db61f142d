/**
 * Vault custody keeps each user's only link in the store: it refuses to start on a store that keeps
 * nothing across a restart, naming the setting to change, and starts on one that does.
 */
import { buildDeps } from '../../../deps';
import { ConfigError, loadConfig } from '../../../models/config';
import { Cleanup } from '../../support/cleanup';
import { describeWithRedis, startRedisServer } from '../../support/redis-server';
import { BASE_TEST_ENV, CapturedLogs, captureLogger } from '../../support/test-app';

const VAULT_ENV = { ...BASE_TEST_ENV, TOKEN_CUSTODY: 'vault' };

test('vault custody on memory: is refused at start, naming STORE_URL and what to set', () => {
  expect(() => loadConfig({ ...VAULT_ENV, STORE_URL: 'memory:' })).toThrow(ConfigError);
  expect(() => loadConfig({ ...VAULT_ENV, STORE_URL: 'memory:' })).toThrow(/STORE_URL.*memory:.*sqlite:<path>, a Redis with persistence.*TOKEN_CUSTODY=relay/);
  // Relay custody on memory stays what it was: fine for trials.
  expect(loadConfig({ ...BASE_TEST_ENV, STORE_URL: 'memory:' }).tokenCustody).toBe('relay');
});

describeWithRedis('vault custody on Redis', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  test('a Redis server with neither AOF nor RDB is refused at start, naming STORE_URL and the Redis settings that fix it', async () => {
    const redis = cleanup.add(await startRedisServer({ persistence: 'none' }), (server) => server.stop());
    const config = loadConfig({ ...VAULT_ENV, STORE_URL: redis.url });
    const started = buildDeps(config, captureLogger(new CapturedLogs()));
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/STORE_URL.*neither AOF \(appendonly no\) nor RDB save points.*appendonly yes.*TOKEN_CUSTODY=relay/);
  });

  test.each(['aof', 'rdb'] as const)('a Redis server with %s persistence is accepted, and the start says what keeps the links', async (persistence) => {
    const redis = cleanup.add(await startRedisServer({ persistence }), (server) => server.stop());
    const logs = new CapturedLogs();
    const deps = cleanup.add(await buildDeps(loadConfig({ ...VAULT_ENV, STORE_URL: redis.url }), captureLogger(logs)), (built) => built.store.close());
    expect(deps.vault).toBeDefined();
    const line = logs.entries.find((entry) => entry.msg === 'TOKEN_CUSTODY=vault: links are kept in the store');
    expect(line?.store).toMatch(persistence === 'aof' ? /AOF/ : /RDB snapshots \(save 3600 1\)/);
  });

  test('relay custody starts on a Redis without persistence, as before', async () => {
    const redis = cleanup.add(await startRedisServer({ persistence: 'none' }), (server) => server.stop());
    const deps = cleanup.add(await buildDeps(loadConfig({ ...BASE_TEST_ENV, STORE_URL: redis.url }), captureLogger(new CapturedLogs())), (built) => built.store.close());
    expect(deps.vault).toBeUndefined();
  });
});
