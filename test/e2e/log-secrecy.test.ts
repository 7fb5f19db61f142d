/**
 * No code, token, secret, sealed state or Authorization value reaches the logs during a whole linking
 * flow (authorize, provider sign-in, callback, code exchange, refresh, a reused code), at trace level.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.3 and #section-10.5, RFC 9700 §4.15
 */
import { FormBrowser } from '../support/browser';
import { basic } from '../support/fake-provider';
import { alexaAuthorizeUrl, alexaTokenRequest, startLiveStack, type LiveStack } from '../support/live-stack';
import { BASE_TEST_ENV } from '../support/test-app';

let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack();
});
afterAll(() => stack.close());

const token = (form: Record<string, string>) => alexaTokenRequest(stack, form);

test('a full flow leaves no secret in the log output', async () => {
  const authorize = alexaAuthorizeUrl(stack, { state: 'alexa-state-value-1234', scope: 'profile' });
  const browser = new FormBrowser();
  const landing = new URL(await browser.signIn(authorize, stack.alexaRedirectUri));
  const alexaCode = landing.searchParams.get('code')!;
  const callback = new URL(browser.visited.find((url) => url.startsWith(`${stack.baseUrl}/oauth/callback`))!);
  const upstreamCode = callback.searchParams.get('code')!;
  const sealedState = callback.searchParams.get('state')!;

  const exchanged = await token({ grant_type: 'authorization_code', code: alexaCode, redirect_uri: stack.alexaRedirectUri });
  expect(exchanged.status).toBe(200);
  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token });
  expect(refreshed.status).toBe(200);
  const reused = await token({ grant_type: 'authorization_code', code: alexaCode, redirect_uri: stack.alexaRedirectUri });
  expect(reused.status).toBe(400);

  const secrets = {
    alexaCode,
    upstreamCode,
    sealedState,
    accessToken: exchanged.body.access_token,
    refreshToken: exchanged.body.refresh_token,
    refreshedAccessToken: refreshed.body.access_token,
    refreshedRefreshToken: refreshed.body.refresh_token,
    alexaClientSecret: BASE_TEST_ENV.ALEXA_CLIENT_SECRET,
    upstreamClientSecret: BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET,
    basicCredentials: basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET).slice('Basic '.length),
  };
  // The flow really logged something worth checking.
  expect(stack.logs.lines.length).toBeGreaterThan(8);
  expect(stack.logs.entries.some((entry) => entry.msg === 'authorization code exchanged; tokens issued to Alexa')).toBe(true);
  for (const [name, secret] of Object.entries(secrets)) {
    expect(secret.length).toBeGreaterThan(8);
    const leaked = stack.logs.lines.filter((line) => line.includes(secret));
    expect({ name, leaked }).toEqual({ name, leaked: [] });
  }
  // Each flow's lines share a correlation id.
  const flowIds = new Set(stack.logs.entries.filter((entry) => entry.route === 'callback').map((entry) => entry.flowId));
  expect(flowIds.size).toBe(1);
  expect(stack.logs.entries.some((entry) => entry.route === 'authorize' && flowIds.has(entry.flowId))).toBe(true);
});
