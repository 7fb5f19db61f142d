/**
 * linkbridge's codes across instances and failures: a code is exchanged once with the provider,
 * survives a failure that was not its fault, and after a whole flow nothing secret is at rest in clear.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (single use), #section-10.5
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb } from '../../support/dynalite';
import { describeWithRedis } from '../../support/redis-server';
import { BASE_TEST_ENV } from '../../support/test-app';
import { alexaRefresh, alexaToken, codeGrant, linkAccount, startInstance, withRetries, type Instance } from './instances';
import { Gate, ProviderOutage, RotatingProvider } from './rotating-provider';
import { StoreFactory, type StoreKind } from './stores';

const runs: Array<[StoreKind, (name: string, body: () => void) => void]> = [
  ['sqlite', describe],
  ['redis', describeWithRedis],
  ['dynamodb', describeWithDynamoDb],
];

describe.each(runs)('codes on the %s store', (kind, describeStore) => {
  describeStore(`${kind} store`, () => {
    const cleanup = new Cleanup();
    let stores: StoreFactory;
    let provider: RotatingProvider;
    beforeAll(async () => {
      stores = cleanup.add(new StoreFactory(kind), (made) => made.close());
      provider = cleanup.add(await new RotatingProvider().start(), (started) => started.close());
    });
    afterAll(() => cleanup.run());
    afterEach(() => {
      provider.beforeAnswering = () => undefined;
      provider.beforeProcessing = () => undefined;
    });

    async function instances(count: number, env: Record<string, string> = {}): Promise<{ instances: Instance[]; storeUrl: string }> {
      const storeUrl = await stores.freshUrl();
      const started: Instance[] = [];
      for (let i = 0; i < count; i += 1) started.push(cleanup.add(await startInstance(provider, { STORE_URL: storeUrl, ...env }), (instance) => instance.close()));
      return { instances: started, storeUrl };
    }

    test('authorize on one instance, callback and redemption on the other', async () => {
      const { instances: [a, b] } = await instances(2);
      const code = await linkAccount(a.baseUrl, b.baseUrl);
      const tokens = await alexaToken(b.baseUrl, codeGrant(code));
      expect(tokens.status).toBe(200);
      expect(provider.accessTokenValid(tokens.body.access_token)).toBe(true);
      expect((await alexaRefresh(a.baseUrl, tokens.body.refresh_token)).status).toBe(200);
    });

    test('a code redeemed at once on both instances succeeds once', async () => {
      const { instances: [a, b] } = await instances(2);
      const codeCallsBefore = provider.calls.authorization_code;
      for (let round = 0; round < 3; round += 1) {
        const code = await linkAccount(a.baseUrl, a.baseUrl);
        const answers = await Promise.all([a, b, a, b].map((instance) => withRetries(() => alexaToken(instance.baseUrl, codeGrant(code)))));
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
        for (const answer of answers.filter((one) => one.status !== 200)) expect(answer.body.error).toBe('invalid_grant');
      }
      expect(provider.calls.authorization_code - codeCallsBefore).toBe(3);
      expect(provider.revocations).toBe(0);
    });

    test('a transient failure of the code exchange: Alexa\'s retry with the same code succeeds, once', async () => {
      const { instances: [instance] } = await instances(1);
      const code = await linkAccount(instance.baseUrl, instance.baseUrl);
      let failures = 1;
      provider.beforeProcessing = (grantType) => {
        if (grantType === 'authorization_code' && failures-- > 0) throw new ProviderOutage();
      };
      const failed = await alexaToken(instance.baseUrl, codeGrant(code));
      expect(failed.status).toBe(503);
      expect(failed.body.error).toBe('temporarily_unavailable');
      const retried = await alexaToken(instance.baseUrl, codeGrant(code));
      expect(retried.status).toBe(200);
      expect(provider.accessTokenValid(retried.body.access_token)).toBe(true);
      // A code that produced tokens is never accepted again.
      expect((await alexaToken(instance.baseUrl, codeGrant(code))).body.error).toBe('invalid_grant');
      expect(provider.revocations).toBe(0);
    });

    test('an exchange that outlives Alexa\'s wait: the retry gets the tokens, once, without a second exchange', async () => {
      const { instances: [a, b] } = await instances(2, { UPSTREAM_TIMEOUT_MS: '100' });
      const code = await linkAccount(a.baseUrl, a.baseUrl);
      const slow = new Gate();
      provider.beforeAnswering = (grantType) => (grantType === 'authorization_code' ? slow.pass() : undefined);
      const callsBefore = provider.calls.authorization_code;
      expect((await alexaToken(a.baseUrl, codeGrant(code))).status).toBe(503);
      await slow.reached;
      slow.open();
      const retried = await withRetries(() => alexaToken(b.baseUrl, codeGrant(code)));
      expect(retried.status).toBe(200);
      expect(provider.accessTokenValid(retried.body.access_token)).toBe(true);
      expect((await alexaToken(a.baseUrl, codeGrant(code))).body.error).toBe('invalid_grant');
      expect(provider.calls.authorization_code - callsBefore).toBe(1);
      expect(provider.revocations).toBe(0);
    });

    test('after whole flows, no code, token or client secret is at rest in clear', async () => {
      const { instances: [a, b], storeUrl } = await instances(2, { UPSTREAM_TIMEOUT_MS: '100' });
      const alexaCodes: string[] = [];
      // A flow whose code is still waiting, one redeemed, one whose tokens wait for a retry, and
      // refreshes whose answers are kept for replay.
      alexaCodes.push(await linkAccount(a.baseUrl, b.baseUrl));
      const redeemed = await linkAccount(b.baseUrl, a.baseUrl);
      alexaCodes.push(redeemed);
      const tokens = await withRetries(() => alexaToken(a.baseUrl, codeGrant(redeemed)));
      expect(tokens.status).toBe(200);
      const slow = new Gate();
      provider.beforeAnswering = (grantType) => (grantType === 'authorization_code' ? slow.pass() : undefined);
      const waiting = await linkAccount(a.baseUrl, a.baseUrl);
      alexaCodes.push(waiting);
      expect((await alexaToken(b.baseUrl, codeGrant(waiting))).status).toBe(503);
      await slow.reached;
      slow.open();
      // Two exchanges with the provider: the redeemed code's, and the waiting one's in the background.
      const exchanges = () => [...a.logs.entries, ...b.logs.entries].filter((entry) => entry.msg === 'authorization code exchanged with the provider').length;
      await waitFor(() => exchanges() === 2);
      provider.beforeAnswering = () => undefined;
      const refreshed = await withRetries(() => alexaRefresh(b.baseUrl, tokens.body.refresh_token));
      expect(refreshed.status).toBe(200);
      expect((await withRetries(() => alexaRefresh(a.baseUrl, refreshed.body.refresh_token))).status).toBe(200);

      const secrets = [...provider.secrets, ...alexaCodes, BASE_TEST_ENV.ALEXA_CLIENT_SECRET, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET];
      expect(secrets.length).toBeGreaterThan(10);
      const atRest = kind === 'sqlite' ? sqliteFiles(storeUrl) : kind === 'redis' ? await redisContents(storeUrl) : await stores.dynamoItems(storeUrl);
      expect(atRest.length).toBeGreaterThan(0);
      // The store does hold the records (sealed), so the scan looks at real data.
      expect(atRest.join('\n')).toMatch(/code-answer:|refresh-answer:|s1\./);
      for (const secret of secrets) {
        for (const blob of atRest) expect(blob.includes(secret)).toBe(false);
      }
    });
  });
});

/** The SQLite file and its write-ahead log and shared-memory file, as raw bytes (latin1 keeps them 1:1). */
function sqliteFiles(storeUrl: string): string[] {
  const path = storeUrl.slice('sqlite:'.length);
  const directory = join(path, '..');
  const base = path.slice(directory.length + 1);
  const files = readdirSync(directory).filter((name) => name.startsWith(base));
  expect(files).toEqual(expect.arrayContaining([base, `${base}-wal`]));
  return files.map((name) => readFileSync(join(directory, name)).toString('latin1'));
}

/** Every key and value in the Redis database. */
async function redisContents(storeUrl: string): Promise<string[]> {
  const client = new Redis(storeUrl);
  try {
    const keys = await client.keys('*');
    const values = await Promise.all(keys.map((key) => client.get(key)));
    return [...keys, ...values.map((value) => value ?? '')];
  } finally {
    await client.quit();
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}
