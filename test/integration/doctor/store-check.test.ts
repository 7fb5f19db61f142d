/**
 * `npm run doctor` with a DynamoDB store: the table read as the service reads it (dynalite on loopback),
 * an unreachable endpoint or a missing table named as an error on `STORE_URL`, and a table without TTL as
 * a warning with the command that enables it. A Redis store (and in vault custody any store) is asked what it
 * keeps across a restart; other stores in relay custody get no store finding.
 */
import { loadConfig } from '../../../models/config';
import { startDemoProvider, type DemoProvider } from '../../../tools/demo/demo-provider';
import { runDoctor } from '../../../tools/doctor/run-doctor';
import { checkStore, type DynamoDbStoreProbe } from '../../../tools/doctor/store.check';
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb, DYNALITE_REGION, startDynalite, type Dynalite } from '../../support/dynalite';
import { describeWithRedis, startRedisServer } from '../../support/redis-server';
import { freePort } from '../../support/free-port';
import { BASE_TEST_ENV, TEST_SEALING_KEY, TestClock } from '../../support/test-app';

const PUBLIC_URL = 'https://linkbridge.example.com';
const clock = new TestClock();
const configWith = (storeUrl: string) => loadConfig({ ...BASE_TEST_ENV, STORE_URL: storeUrl });

test.each(['sqlite:/var/lib/linkbridge/linkbridge.sqlite', 'memory:'])('STORE_URL=%s in relay custody: no store finding', async (storeUrl) => {
  const open = jest.fn();
  expect(await checkStore(configWith(storeUrl), { clock }, open, open)).toEqual([]);
  expect(open).not.toHaveBeenCalled();
});

test('a Redis that cannot be reached: an error on STORE_URL', async () => {
  const findings = await checkStore(configWith('redis://127.0.0.1:1/0'), { clock });
  expect(findings).toEqual([expect.objectContaining({ check: 'store', severity: 'error', setting: 'STORE_URL', message: expect.stringMatching(/cannot be asked what it keeps/) })]);
});

test('vault custody on SQLite: the file keeps the links', async () => {
  const config = loadConfig({ ...BASE_TEST_ENV, STORE_URL: 'sqlite:/var/lib/linkbridge/linkbridge.sqlite', TOKEN_CUSTODY: 'vault' });
  const closed = jest.fn(async () => undefined);
  const probe = { persistence: async () => ({ durable: true, found: 'the SQLite file /var/lib/linkbridge/linkbridge.sqlite' }), close: closed };
  expect(await checkStore(config, { clock }, jest.fn(), () => probe)).toEqual([
    { check: 'store', severity: 'ok', message: 'keeps its entries across a restart: the SQLite file /var/lib/linkbridge/linkbridge.sqlite' },
  ]);
  expect(closed).toHaveBeenCalled();
});

describeWithRedis('the doctor asks Redis what it keeps', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  test.each([
    ['none', 'relay', 'ok', /neither AOF \(appendonly no\) nor RDB save points/],
    ['none', 'vault', 'error', /keeps nothing across a restart .*TOKEN_CUSTODY=vault .*refuses to start/],
    ['aof', 'vault', 'ok', /AOF persistence/],
    ['rdb', 'vault', 'ok', /RDB snapshots \(save 3600 1\)/],
  ] as const)('persistence %s, %s custody: %s', async (persistence, custody, severity, message) => {
    const redis = cleanup.add(await startRedisServer({ persistence }), (server) => server.stop());
    const findings = await checkStore(loadConfig({ ...BASE_TEST_ENV, STORE_URL: redis.url, TOKEN_CUSTODY: custody }), { clock });
    expect(findings).toEqual([expect.objectContaining({ check: 'store', severity, message: expect.stringMatching(message) })]);
    if (severity === 'error') expect(findings[0]).toMatchObject({ setting: 'STORE_URL', fix: expect.stringMatching(/appendonly yes/) });
  });
});

test('a table with TTL on the ttl attribute: one ok finding, and the store is closed', async () => {
  const closed = jest.fn(async () => undefined);
  const table: DynamoDbStoreProbe = { ping: async () => undefined, timeToLive: async () => ({ status: 'ENABLED', attribute: 'ttl' }), close: closed };
  const findings = await checkStore(configWith('dynamodb://linkbridge?region=eu-west-1'), { clock }, () => table);
  expect(findings).toEqual([{ check: 'store', severity: 'ok', message: 'the DynamoDB table linkbridge (eu-west-1) answers a read' }]);
  expect(closed).toHaveBeenCalled();
});

test('TTL on another attribute is a warning naming the attribute to use', async () => {
  const table: DynamoDbStoreProbe = { ping: async () => undefined, timeToLive: async () => ({ status: 'ENABLED', attribute: 'expires' }), close: async () => undefined };
  const findings = await checkStore(configWith('dynamodb://linkbridge?region=eu-west-1'), { clock }, () => table);
  expect(findings[1]).toMatchObject({ severity: 'warning', message: expect.stringMatching(/not enabled on the attribute ttl \(ENABLED on expires\)/) });
});

describeWithDynamoDb('the doctor against DynamoDB (dynalite)', () => {
  const cleanup = new Cleanup();
  let dynamo: Dynalite;
  let provider: DemoProvider;
  beforeAll(async () => {
    dynamo = cleanup.add(await startDynalite(), (started) => started.stop());
    provider = cleanup.add(
      await startDemoProvider({
        port: 0,
        clients: [{ clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret', redirectUris: [`${PUBLIC_URL}/oauth/callback`] }],
      }),
      (started) => started.close(),
    );
  });
  afterAll(() => cleanup.run());

  test('a table that exists: it answers; dynalite has no TTL, so a warning gives the command that enables it', async () => {
    const storeUrl = await dynamo.createTable('doctor-ok');
    const findings = await checkStore(configWith(storeUrl), { clock });
    expect(findings).toEqual([
      { check: 'store', severity: 'ok', message: `the DynamoDB table doctor-ok (${dynamo.endpoint}) answers a read` },
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(/^TTL is not enabled on the attribute ttl \(DISABLED\)/),
        fix: 'aws dynamodb update-time-to-live --table-name doctor-ok --time-to-live-specification Enabled=true,AttributeName=ttl',
      }),
    ]);
  });

  test.each([
    ['a table that does not exist', async () => dynamo.storeUrl('no-such-table')],
    ['nothing listening at the endpoint', async () => `dynamodb://linkbridge?region=${DYNALITE_REGION}&endpoint=http://127.0.0.1:${await freePort()}`],
  ])('%s: an error on STORE_URL, and the doctor exits 1', async (_case, storeUrl) => {
    const { report, exitCode } = await runDoctor(
      {
        PUBLIC_URL,
        ALEXA_CLIENT_ID: 'alexa-skill',
        ALEXA_CLIENT_SECRET: 'alexa-secret-value',
        ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
        UPSTREAM_ISSUER: provider.issuer,
        UPSTREAM_CLIENT_ID: 'linkbridge-at-provider',
        UPSTREAM_CLIENT_SECRET: 'provider-issued-secret',
        UPSTREAM_SCOPE: 'openid profile email',
        ACCOUNT_API_URL: provider.userinfoUrl,
        STORE_URL: await storeUrl(),
        SEALING_KEYS: `k1:${TEST_SEALING_KEY}`,
      },
      { fetch, clock },
    );
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([
      expect.objectContaining({ check: 'store', setting: 'STORE_URL', message: expect.stringMatching(/^the DynamoDB table \S+ \(http:\/\/127\.0\.0\.1:\d+\) cannot be read: .*503/) }),
    ]);
    expect(exitCode).toBe(1);
  });
});
