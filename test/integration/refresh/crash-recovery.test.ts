/**
 * Crashes: linkbridge is killed (SIGKILL) after the provider rotated the refresh token and the answer
 * reached the store, before Alexa got it; after a restart, Alexa's retry with the old token gets the new
 * pair and the grant is intact. And killed during a code exchange: the code still works after a restart.
 */
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb } from '../../support/dynalite';
import { describeWithRedis } from '../../support/redis-server';
import { startChild } from './child-instance';
import { alexaRefresh, alexaToken, codeGrant, instanceEnv, linkAccount, withRetries } from './instances';
import { Gate, ProviderOutage, RotatingProvider } from './rotating-provider';
import { StoreFactory, type StoreKind } from './stores';

jest.setTimeout(90_000);

const runs: Array<[StoreKind, (name: string, body: () => void) => void]> = [
  ['sqlite', describe],
  ['redis', describeWithRedis],
  ['dynamodb', describeWithDynamoDb],
];

describe.each(runs)('crash recovery on the %s store', (kind, describeStore) => {
  describeStore(`${kind} store`, () => {
    const cleanup = new Cleanup();
    let stores: StoreFactory;
    let provider: RotatingProvider;
    beforeAll(async () => {
      stores = cleanup.add(new StoreFactory(kind), (made) => made.close());
      provider = cleanup.add(await new RotatingProvider().start(), (started) => started.close());
    });
    afterAll(() => cleanup.run());

    test('SIGKILL after the provider answered and before Alexa got the pair; after a restart the retry gets it', async () => {
      const env = instanceEnv(provider, { STORE_URL: await stores.freshUrl(), UPSTREAM_TIMEOUT_MS: '100', LOG_LEVEL: 'info' });
      const first = provider.issueGrant();
      const slow = new Gate();
      provider.beforeAnswering = slow.pass;

      const before = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      // Alexa gives up: linkbridge's budget ends while the provider, having rotated, holds its answer.
      const givenUp = await alexaRefresh(before.baseUrl, first.refreshToken);
      expect(givenUp.status).toBe(503);
      await slow.reached;
      slow.open();
      // The provider answers; linkbridge writes the answer to the store and is killed right then.
      await before.waitForLog(/answer is kept for retries/);
      await before.kill('SIGKILL');
      const rotatedTo = provider.currentRefreshToken(first.refreshToken);
      expect(rotatedTo).not.toBe(first.refreshToken);
      provider.beforeAnswering = () => undefined;
      const callsBefore = provider.calls.refresh_token;

      const after = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      const retried = await withRetries(() => alexaRefresh(after.baseUrl, first.refreshToken));
      expect(retried.status).toBe(200);
      expect(retried.body.refresh_token).toBe(rotatedTo);
      expect(provider.accessTokenValid(retried.body.access_token)).toBe(true);
      expect(provider.calls.refresh_token).toBe(callsBefore);
      expect(provider.revocations).toBe(0);

      const next = await withRetries(() => alexaRefresh(after.baseUrl, retried.body.refresh_token));
      expect(next.status).toBe(200);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
      await after.kill('SIGTERM');
    });

    test('SIGTERM while a refresh runs in the background: the instance waits for it, and the retry gets the pair', async () => {
      const env = instanceEnv(provider, { STORE_URL: await stores.freshUrl(), UPSTREAM_TIMEOUT_MS: '100', LOG_LEVEL: 'info' });
      const first = provider.issueGrant();
      const slow = new Gate();
      provider.beforeAnswering = slow.pass;
      const before = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      expect((await alexaRefresh(before.baseUrl, first.refreshToken)).status).toBe(503);
      await slow.reached;
      const stopped = before.kill('SIGTERM');
      await before.waitForLog(/shutting down/);
      slow.open();
      await stopped;
      expect(before.output.some((line) => line.includes('answer is kept for retries'))).toBe(true);
      provider.beforeAnswering = () => undefined;
      const callsBefore = provider.calls.refresh_token;

      const after = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      const retried = await withRetries(() => alexaRefresh(after.baseUrl, first.refreshToken));
      expect(retried.status).toBe(200);
      expect(retried.body.refresh_token).toBe(provider.currentRefreshToken(first.refreshToken));
      expect(provider.calls.refresh_token).toBe(callsBefore);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
      await after.kill('SIGTERM');
    });

    test('SIGKILL during a code exchange the provider never processed: after a restart the same code succeeds, once', async () => {
      const env = instanceEnv(provider, { STORE_URL: await stores.freshUrl(), UPSTREAM_TIMEOUT_MS: '100', STORE_LOCK_TTL_MS: '2000', LOG_LEVEL: 'info' });
      const before = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      const code = await linkAccount(before.baseUrl, before.baseUrl);
      // The provider holds the exchange before processing it; linkbridge dies meanwhile, and the
      // orphaned request is then dropped by the provider without consuming the code.
      const held = new Gate();
      let first = true;
      provider.beforeProcessing = async (grantType) => {
        if (grantType !== 'authorization_code' || !first) return;
        first = false;
        await held.pass();
        throw new ProviderOutage();
      };
      const callsBefore = provider.calls.authorization_code;
      expect((await alexaToken(before.baseUrl, codeGrant(code))).status).toBe(503);
      await held.reached;
      await before.kill('SIGKILL');
      held.open();

      const after = cleanup.add(await startChild(env), (child) => child.kill('SIGKILL'));
      // The dead instance's lock expires (STORE_LOCK_TTL_MS); until then Alexa's retries get 503.
      const retried = await withRetries(() => alexaToken(after.baseUrl, codeGrant(code)), 60);
      expect(retried.status).toBe(200);
      expect(provider.accessTokenValid(retried.body.access_token)).toBe(true);
      expect(provider.calls.authorization_code - callsBefore).toBe(2);
      expect((await alexaToken(after.baseUrl, codeGrant(code))).body.error).toBe('invalid_grant');
      expect(provider.revocations).toBe(0);
      provider.beforeProcessing = () => undefined;
      await after.kill('SIGTERM');
    });
  });
});
