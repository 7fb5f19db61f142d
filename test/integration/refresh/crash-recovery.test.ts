/**
 * A crash between the provider's answer and Alexa's: linkbridge is killed (SIGKILL) after the provider
 * rotated the refresh token and the answer reached the store, before Alexa got it. After a restart,
 * Alexa's retry with the old token gets the new pair, and the grant is intact.
 */
import { Cleanup } from '../../support/cleanup';
import { describeWithRedis } from '../../support/redis-server';
import { startChild } from './child-instance';
import { alexaRefresh, instanceEnv, withRetries } from './instances';
import { Gate, RotatingProvider } from './rotating-provider';
import { StoreFactory, type StoreKind } from './stores';

jest.setTimeout(90_000);

const runs: Array<[StoreKind, (name: string, body: () => void) => void]> = [
  ['sqlite', describe],
  ['redis', describeWithRedis],
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

      const next = await alexaRefresh(after.baseUrl, retried.body.refresh_token);
      expect(next.status).toBe(200);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
      await after.kill('SIGTERM');
    });
  });
});
