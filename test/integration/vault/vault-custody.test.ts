/**
 * Vault custody against a provider that rotates refresh tokens, revokes the whole grant on reuse and
 * issues access tokens that live ten minutes. Time jumps (the provider and linkbridge share the clock):
 * the skill keeps answering across many provider token lifetimes while Alexa never refreshes, with one
 * provider refresh per expiry however many requests arrive at once on two instances; Alexa's refreshes
 * never reach the provider; nothing secret is at rest.
 */
import { BASE_TEST_ENV } from '../../support/test-app';
import { describeWithRedis } from '../../support/redis-server';
import { alexaRefresh } from '../refresh/instances';
import { ProviderOutage } from '../refresh/rotating-provider';
import type { StoreKind } from '../refresh/stores';
import { askName, linkImplicitly, PROVIDER_TOKEN_SECONDS, VaultStack } from './vault-stack';

jest.setTimeout(60_000);

const runs: Array<[StoreKind, (name: string, body: () => void) => void]> = [
  ['sqlite', describe],
  ['redis', describeWithRedis],
];

describe.each(runs)('vault custody on the %s store', (kind, describeStore) => {
  describeStore(`${kind} store (with persistence)`, () => {
    const stack = new VaultStack(kind);
    beforeAll(() => stack.start());
    afterAll(() => stack.close());

    test('the skill answers across many provider token lifetimes with Alexa never refreshing: one provider refresh per expiry, with 20 requests at once on two instances', async () => {
      const { provider, clock } = stack;
      const {
        instances: [a, b],
      } = await stack.instances(2, { VAULT_ACCESS_TOKEN_SECONDS: '86400' });
      const alexa = await stack.link(a, b);
      // Alexa holds linkbridge's tokens, never the provider's.
      expect(alexa.accessToken).toMatch(/^lba_[A-Za-z0-9_-]{43}$/);
      expect(alexa.refreshToken).toMatch(/^lbr_[A-Za-z0-9_-]{43}$/);
      expect(provider.secrets.has(alexa.accessToken)).toBe(false);

      const refreshesAtLink = provider.calls.refresh_token;
      expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Your name is Ada Lovelace.');
      expect(provider.calls.refresh_token).toBe(refreshesAtLink);

      const expiries = 8;
      for (let expiry = 1; expiry <= expiries; expiry += 1) {
        clock.jumpSeconds(PROVIDER_TOKEN_SECONDS);
        const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => askName((i % 2 === 0 ? a : b).baseUrl, alexa.accessToken)));
        for (const answer of answers) expect(answer.speech).toContain('Your name is Ada Lovelace.');
        expect(provider.calls.refresh_token - refreshesAtLink).toBe(expiry);
      }
      expect(provider.revocations).toBe(0);
      expect(provider.calls.authorization_code).toBeGreaterThan(0);
    });

    test("Alexa's refresh storms (concurrent, repeated, with an old refresh token, on two instances) make no provider call and never unlink", async () => {
      const { provider } = stack;
      const {
        instances: [a, b],
      } = await stack.instances(2);
      const alexa = await stack.link(a);
      const callsBefore = { ...provider.calls };

      const storm = await Promise.all(Array.from({ length: 30 }, (_, i) => alexaRefresh((i % 2 === 0 ? a : b).baseUrl, alexa.refreshToken)));
      for (const answer of storm) {
        expect(answer.status).toBe(200);
        // The same refresh token back: it stays valid, as Amazon asks.
        expect(answer.body.refresh_token).toBe(alexa.refreshToken);
        expect(answer.body.access_token).toMatch(/^lba_/);
        expect(Number(answer.body.expires_in)).toBe(3600);
      }
      expect(new Set(storm.map((answer) => answer.body.access_token)).size).toBe(30);
      let latest = storm[0].body.access_token;
      for (let again = 0; again < 5; again += 1) {
        const answer = await alexaRefresh(b.baseUrl, alexa.refreshToken);
        expect(answer.status).toBe(200);
        latest = answer.body.access_token;
      }

      expect(provider.calls).toEqual(callsBefore);
      expect(provider.revocations).toBe(0);
      // Every token Alexa was given still works, the first one included.
      expect((await askName(a.baseUrl, latest)).speech).toContain('Ada Lovelace');
      expect((await askName(b.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');
    });

    test('after whole flows, no provider token, linkbridge token, code or client secret is at rest in clear', async () => {
      const { provider, clock } = stack;
      const {
        instances: [a, b],
        storeUrl,
      } = await stack.instances(2, { VAULT_ACCESS_TOKEN_SECONDS: '86400' });
      const first = await stack.link(a, b);
      const second = await stack.link(b, a);
      const refreshed = await alexaRefresh(a.baseUrl, first.refreshToken);
      expect(refreshed.status).toBe(200);
      // The provider's grant is refreshed (and rotated) in the vault twice.
      for (let expiry = 0; expiry < 2; expiry += 1) {
        clock.jumpSeconds(PROVIDER_TOKEN_SECONDS);
        expect((await askName(b.baseUrl, first.accessToken)).speech).toContain('Ada Lovelace');
      }
      expect((await askName(a.baseUrl, second.accessToken)).speech).toContain('Ada Lovelace');

      const linkbridgeTokens = [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken, refreshed.body.access_token];
      const secrets = [...provider.secrets, ...linkbridgeTokens, first.code, second.code, BASE_TEST_ENV.ALEXA_CLIENT_SECRET, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET];
      expect(secrets.length).toBeGreaterThan(15);
      const atRest = await stack.atRest(storeUrl);
      // The store does hold the links and the tokens' records (sealed), so the scan looks at real data.
      expect(atRest.join('\n')).toMatch(/link:/);
      expect(atRest.join('\n')).toMatch(/link-access:/);
      for (const secret of secrets) {
        for (const blob of atRest) expect(blob.includes(secret)).toBe(false);
      }
    });
  });
});

describe('vault custody: dead links, outages, skill events, implicit mode (SQLite store)', () => {
  const stack = new VaultStack('sqlite');
  beforeAll(() => stack.start());
  afterAll(() => stack.close());
  afterEach(() => {
    stack.provider.beforeProcessing = () => undefined;
  });

  test("the provider revokes the grant: the skill sends a LinkAccount card, and Alexa's next refresh gets invalid_grant", async () => {
    const { provider, clock } = stack;
    const {
      instances: [a],
    } = await stack.instances(1);
    const alexa = await stack.link(a);
    expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');

    provider.revokeAll();
    clock.jumpSeconds(PROVIDER_TOKEN_SECONDS);
    const answer = await askName(a.baseUrl, alexa.accessToken);
    expect(answer.speech).toContain('Your account link has expired or was revoked');
    expect(answer.card).toBe('LinkAccount');
    const refresh = await alexaRefresh(a.baseUrl, alexa.refreshToken);
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    // Told, not hidden: the log says the link died and why.
    expect(a.logs.entries.some((entry) => String(entry.msg).startsWith('the link is dead'))).toBe(true);
  });

  test('a provider outage during a skill request: an apology, and the link stays alive', async () => {
    const { provider, clock } = stack;
    const {
      instances: [a],
    } = await stack.instances(1);
    const alexa = await stack.link(a);
    const revocationsBefore = provider.revocations;
    clock.jumpSeconds(PROVIDER_TOKEN_SECONDS);
    provider.beforeProcessing = (grantType) => {
      if (grantType === 'refresh_token') throw new ProviderOutage();
    };
    const during = await askName(a.baseUrl, alexa.accessToken);
    expect(during.speech).toContain('Sorry, I could not reach your account just now.');
    expect(during.card).toBeUndefined();
    expect((await alexaRefresh(a.baseUrl, alexa.refreshToken)).status).toBe(200);

    provider.beforeProcessing = () => undefined;
    expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');
    expect(provider.revocations).toBe(revocationsBefore);
  });

  test('implicit mode: a link made through the implicit flow still answers after the provider\'s first access token expired', async () => {
    const { provider, clock } = stack;
    const {
      instances: [a],
    } = await stack.instances(1, { LINK_MODE: 'implicit' });
    const accessToken = await linkImplicitly(a.baseUrl);
    expect(accessToken).toMatch(/^lba_/);
    expect(provider.secrets.has(accessToken)).toBe(false);
    const refreshesBefore = provider.calls.refresh_token;
    for (let expiry = 1; expiry <= 3; expiry += 1) {
      clock.jumpSeconds(PROVIDER_TOKEN_SECONDS + 1);
      expect((await askName(a.baseUrl, accessToken)).speech).toContain('Your name is Ada Lovelace.');
    }
    expect(provider.calls.refresh_token - refreshesBefore).toBe(3);
  });
});
