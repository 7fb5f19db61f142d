/**
 * The whole linking flow over real HTTP on loopback: openid-client plays Alexa (authorization code
 * with PKCE, token exchange, refresh), node-oidc-provider is the upstream, linkbridge sits between.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 and #section-4.2, RFC 7636
 */
import { FormBrowser } from '../support/browser';
import { startLiveStack, type LiveStack } from '../support/live-stack';
import { BASE_TEST_ENV } from '../support/test-app';

type OpenIdClient = typeof import('openid-client');

let oidc: OpenIdClient;
beforeAll(async () => {
  oidc = await import('openid-client');
});

/** openid-client configured the way the Alexa skill's account-linking settings configure Alexa. */
function alexaClient(stack: LiveStack, scheme: 'basic' | 'body') {
  const secret = BASE_TEST_ENV.ALEXA_CLIENT_SECRET;
  const config = new oidc.Configuration(
    { issuer: stack.baseUrl, authorization_endpoint: `${stack.baseUrl}/oauth/authorize`, token_endpoint: `${stack.baseUrl}/oauth/token` },
    BASE_TEST_ENV.ALEXA_CLIENT_ID,
    undefined,
    scheme === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret),
  );
  oidc.allowInsecureRequests(config);
  return config;
}

async function userinfo(stack: LiveStack, accessToken: string): Promise<Record<string, unknown>> {
  const response = await fetch(stack.provider.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('auth-code mode: Alexa ⇄ linkbridge ⇄ oidc-provider', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack();
  });
  afterAll(() => stack.close());

  test.each(['basic', 'body'] as const)('links with PKCE, exchanges the code and refreshes (client auth: %s)', async (scheme) => {
    const config = alexaClient(stack, scheme);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: stack.alexaRedirectUri,
      scope: 'profile',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });

    const browser = new FormBrowser();
    const alexaLanding = new URL(await browser.signIn(authorizationUrl.toString(), stack.alexaRedirectUri));
    expect(alexaLanding.searchParams.get('state')).toBe(state);
    expect(alexaLanding.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The user really went through the provider's sign-in.
    expect(browser.visited.some((url) => url.startsWith(stack.provider.issuer))).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, alexaLanding, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.token_type).toBe('bearer'); // openid-client lower-cases it; the wire value is checked in compliance tests
    expect(tokens.expires_in).toBeGreaterThanOrEqual(360);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(await userinfo(stack, tokens.access_token)).toMatchObject({ sub: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(await userinfo(stack, refreshed.access_token)).toMatchObject({ sub: 'ada' });

    // The code is single use: Alexa presenting it again gets invalid_grant.
    await expect(oidc.authorizationCodeGrant(config, alexaLanding, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  test('a user who refuses consent lands back at Alexa with access_denied and Alexa\'s state', async () => {
    const config = alexaClient(stack, 'basic');
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: stack.alexaRedirectUri, scope: 'profile', state });
    const browser = new FormBrowser();
    // Start at linkbridge, then abort at the provider's sign-in page as a user pressing "cancel" would.
    const first = await browser.request(authorizationUrl.toString());
    const toProvider = new URL(first.headers.get('location')!);
    const interaction = await browser.request(toProvider.toString());
    const interactionUrl = new URL(interaction.headers.get('location')!, toProvider);
    const abort = await browser.request(`${interactionUrl.toString()}/abort`);
    const landing = new URL(await browser.signIn(new URL(abort.headers.get('location')!, interactionUrl).toString(), stack.alexaRedirectUri));
    expect(landing.searchParams.get('error')).toBe('access_denied');
    expect(landing.searchParams.get('state')).toBe(state);
    expect(landing.searchParams.has('code')).toBe(false);
  });
});

describe('implicit mode: the token reaches Alexa in the fragment', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    stack = await startLiveStack({ LINK_MODE: 'implicit' });
  });
  afterAll(() => stack.close());

  test('links and hands Alexa a working access token in the URL fragment only', async () => {
    const config = alexaClient(stack, 'basic');
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: stack.alexaRedirectUri, response_type: 'token', scope: 'profile', state });

    const landing = new URL(await new FormBrowser().signIn(authorizationUrl.toString(), stack.alexaRedirectUri));
    expect(landing.search).toBe('');
    const fragment = new URLSearchParams(landing.hash.slice(1));
    expect(fragment.get('state')).toBe(state);
    expect(fragment.get('token_type')).toBe('Bearer');
    const accessToken = fragment.get('access_token')!;
    expect(await userinfo(stack, accessToken)).toMatchObject({ sub: 'ada', name: 'Ada Lovelace' });
  });
});
