/**
 * Vault custody over real HTTP on loopback: openid-client plays Alexa, node-oidc-provider is the
 * provider (found by discovery, revocation endpoint included), linkbridge keeps the provider's grant and
 * hands Alexa its own tokens; the skill answers with the provider's, and disabling the skill revokes the
 * grant at the provider.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1, RFC 7009
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backgroundProviderCalls } from '../../linking/grants/background-calls';
import { intentRequest, skillEvent } from '../fixtures/skill/envelopes';
import { FormBrowser } from '../support/browser';
import { startLiveStack, type LiveStack } from '../support/live-stack';
import { BASE_TEST_ENV } from '../support/test-app';

type OpenIdClient = typeof import('openid-client');

describe('vault custody: Alexa ⇄ linkbridge (keeping the grant) ⇄ oidc-provider', () => {
  let oidc: OpenIdClient;
  let stack: LiveStack;
  const directory = mkdtempSync(join(tmpdir(), 'linkbridge-vault-e2e-'));
  beforeAll(async () => {
    oidc = await import('openid-client');
    stack = await startLiveStack({ TOKEN_CUSTODY: 'vault', STORE_URL: `sqlite:${join(directory, 'store.sqlite')}`, ALEXA_VERIFY_SIGNATURE: 'false' });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function ask(envelope: unknown): Promise<{ speech: string; card?: string }> {
    const response = await fetch(`${stack.baseUrl}/alexa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
    const body = (await response.json()) as { response: { outputSpeech?: { ssml?: string }; card?: { type?: string } } };
    return { speech: body.response.outputSpeech?.ssml ?? '', card: body.response.card?.type };
  }

  test("links, refreshes without the provider, answers with the provider's token, and revokes it when the skill is disabled", async () => {
    const config = new oidc.Configuration(
      { issuer: stack.baseUrl, authorization_endpoint: `${stack.baseUrl}/oauth/authorize`, token_endpoint: `${stack.baseUrl}/oauth/token` },
      BASE_TEST_ENV.ALEXA_CLIENT_ID,
      undefined,
      oidc.ClientSecretBasic(BASE_TEST_ENV.ALEXA_CLIENT_SECRET),
    );
    oidc.allowInsecureRequests(config);
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: stack.alexaRedirectUri, scope: 'profile', state });
    const landing = new URL(await new FormBrowser().signIn(authorizationUrl.toString(), stack.alexaRedirectUri));
    const tokens = await oidc.authorizationCodeGrant(config, landing, { expectedState: state });
    expect(tokens.access_token).toMatch(/^lba_/);
    expect(tokens.refresh_token).toMatch(/^lbr_/);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    expect((await ask(intentRequest('GetNameIntent', { accessToken: refreshed.access_token }))).speech).toContain('Ada Lovelace');

    await ask(skillEvent('AlexaSkillEvent.SkillDisabled', refreshed.access_token));
    await backgroundProviderCalls.drain(5000);
    const ended = stack.logs.entries.find((entry) => entry.msg === 'the link ended and was deleted');
    expect(ended).toMatchObject({ why: 'the user disabled the skill', revokedAtProvider: 'yes' });
    expect((await ask(intentRequest('GetNameIntent', { accessToken: refreshed.access_token }))).card).toBe('LinkAccount');
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
