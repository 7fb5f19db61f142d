/**
 * Alexa must never be unlinked by a provider that rotates refresh tokens and revokes the grant when a
 * rotated one comes back. linkbridge makes one provider call per presented refresh token, across
 * instances, writes the answer to the store before answering, and replays it to every retry.
 * @see ../../../../shared/ALEXA-LINKING.md "Why refresh needs care"
 */
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb } from '../../support/dynalite';
import { describeWithRedis } from '../../support/redis-server';
import { ALEXA_REDIRECT_URI } from '../../support/test-app';
import { startUnansweringServer } from '../../support/unanswering-server';
import { alexaRefresh, alexaToken, startInstance, withRetries, type Instance } from './instances';
import { Gate, ProviderOutage, RotatingProvider } from './rotating-provider';
import { StoreFactory, type StoreKind } from './stores';

const runs: Array<[StoreKind, (name: string, body: () => void) => void]> = [
  ['sqlite', describe],
  ['redis', describeWithRedis],
  ['dynamodb', describeWithDynamoDb],
];

describe.each(runs)('refresh on the %s store', (kind, describeStore) => {
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

    async function instances(count: number, env: Record<string, string> = {}): Promise<Instance[]> {
      const storeUrl = await stores.freshUrl();
      const started: Instance[] = [];
      for (let i = 0; i < count; i += 1) started.push(cleanup.add(await startInstance(provider, { STORE_URL: storeUrl, ...env }), (instance) => instance.close()));
      return started;
    }

    test('Alexa gives up on a slow provider, retries with the same token and gets the new pair; the grant stays intact', async () => {
      // Alexa's 4.5 s against a provider taking 5 s, scaled down: linkbridge's budget is 100 ms and the
      // provider holds its answer (after rotating) until the test lets it go.
      const [instance] = await instances(1, { UPSTREAM_TIMEOUT_MS: '100' });
      const first = provider.issueGrant();
      const slow = new Gate();
      provider.beforeAnswering = slow.pass;

      const callsBefore = provider.calls.refresh_token;
      const givenUp = await alexaRefresh(instance.baseUrl, first.refreshToken);
      expect(givenUp.status).toBe(503);
      expect(givenUp.body.error).toBe('temporarily_unavailable');
      await slow.reached;
      // The provider has rotated: the old token is already spent there.
      expect(provider.currentRefreshToken(first.refreshToken)).not.toBe(first.refreshToken);

      // A retry while the provider is still busy does not reach the provider a second time.
      expect((await alexaRefresh(instance.baseUrl, first.refreshToken)).status).toBe(503);
      slow.open();
      const retried = await withRetries(() => alexaRefresh(instance.baseUrl, first.refreshToken));
      expect(retried.status).toBe(200);
      expect(retried.body.refresh_token).toBe(provider.currentRefreshToken(first.refreshToken));
      expect(provider.accessTokenValid(retried.body.access_token)).toBe(true);
      expect(provider.calls.refresh_token - callsBefore).toBe(1);
      expect(provider.revocations).toBe(0);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);

      // The same old token again, later: the same pair, still no provider call.
      const replayed = (await alexaRefresh(instance.baseUrl, first.refreshToken)).body;
      expect(replayed).toEqual({ ...retried.body, expires_in: expect.any(Number) });
      expect(Number(replayed.expires_in)).toBeLessThanOrEqual(Number(retried.body.expires_in));
      expect(provider.calls.refresh_token - callsBefore).toBe(1);

      // The next refresh, with the new token, works.
      const next = await withRetries(() => alexaRefresh(instance.baseUrl, retried.body.refresh_token));
      expect(next.status).toBe(200);
      expect(next.body.refresh_token).not.toBe(retried.body.refresh_token);
      expect(provider.accessTokenValid(next.body.access_token)).toBe(true);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
    });

    test('5 concurrent refreshes with one token on one instance: one provider call, one pair for all', async () => {
      const [instance] = await instances(1, { UPSTREAM_TIMEOUT_MS: '4000' });
      const first = provider.issueGrant();
      const slow = new Gate();
      provider.beforeAnswering = slow.pass;
      const callsBefore = provider.calls.refresh_token;
      const pending = Array.from({ length: 5 }, () => withRetries(() => alexaRefresh(instance.baseUrl, first.refreshToken)));
      await slow.reached;
      slow.open();
      const answers = await Promise.all(pending);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
      expect(provider.calls.refresh_token - callsBefore).toBe(1);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
      expect(answers[0].body.refresh_token).toBe(provider.currentRefreshToken(first.refreshToken));
    });

    test('5 concurrent refreshes split across two instances on one store: one provider call, one pair for all', async () => {
      const [a, b] = await instances(2, { UPSTREAM_TIMEOUT_MS: '4000' });
      const first = provider.issueGrant();
      // The provider is slow enough that every request arrives while the first call is running.
      const slow = new Gate();
      provider.beforeAnswering = slow.pass;
      const callsBefore = provider.calls.refresh_token;
      const pending = [a, b, a, b, a].map((instance) => withRetries(() => alexaRefresh(instance.baseUrl, first.refreshToken)));
      await slow.reached;
      slow.open();
      const answers = await Promise.all(pending);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
      expect(provider.calls.refresh_token - callsBefore).toBe(1);
      expect(provider.revocations).toBe(0);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
    });

    test('a provider failing before processing: 503, and the retry refreshes normally', async () => {
      const [instance] = await instances(1);
      const first = provider.issueGrant();
      let failures = 1;
      provider.beforeProcessing = () => {
        if (failures-- > 0) throw new ProviderOutage();
      };
      const failed = await alexaRefresh(instance.baseUrl, first.refreshToken);
      expect(failed.status).toBe(503);
      const retried = await alexaRefresh(instance.baseUrl, first.refreshToken);
      expect(retried.status).toBe(200);
      expect(provider.grantIntact(first.refreshToken)).toBe(true);
    });

    test('the provider\'s invalid_grant is passed on and not replayed as a success', async () => {
      const [instance] = await instances(1);
      const answer = await alexaRefresh(instance.baseUrl, 'rt-never-issued');
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
    });
  });
});

describe('a store that cannot answer', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  /** The `STORE_URL` of each store that cannot answer. */
  const unanswering: Array<[string, () => Promise<string>]> = [
    // Nothing listens on port 1: every command fails at once.
    ['Redis, unreachable', async () => 'redis://127.0.0.1:1/0'],
    ['DynamoDB, unreachable', async () => 'dynamodb://linkbridge?region=us-east-1&endpoint=http://127.0.0.1:1'],
    // Connections are taken and never answered: only the store's own deadlines end the wait.
    ['DynamoDB, never answering', async () => `dynamodb://linkbridge?region=us-east-1&endpoint=${cleanup.add(await startUnansweringServer('silent'), (server) => server.close()).url}`],
  ];

  test.each(unanswering)('%s: token requests get 503 temporarily_unavailable, never a 500 or invalid_grant, and the provider is not called', async (_store, storeUrl) => {
    const provider = cleanup.add(await new RotatingProvider().start(), (started) => started.close());
    const instance = cleanup.add(await startInstance(provider, { STORE_URL: await storeUrl() }), (started) => started.close());
    const first = provider.issueGrant();
    const refresh = await alexaRefresh(instance.baseUrl, first.refreshToken);
    expect(refresh.status).toBe(503);
    expect(refresh.body.error).toBe('temporarily_unavailable');
    const code = await alexaToken(instance.baseUrl, { grant_type: 'authorization_code', code: 'some-code', redirect_uri: ALEXA_REDIRECT_URI });
    expect(code.status).toBe(503);
    expect(provider.calls.refresh_token + provider.calls.authorization_code).toBe(0);
    expect(provider.grantIntact(first.refreshToken)).toBe(true);
  });
});
