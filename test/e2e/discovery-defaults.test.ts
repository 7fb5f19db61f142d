/**
 * A deployment that sets neither UPSTREAM_SCOPE nor ACCOUNT_API_URL: the provider's OpenID Connect
 * discovery document gives both. Linking asks for `openid profile email`, and the skill reads the
 * account from the provider's userinfo endpoint, against a real provider over loopback.
 */
import { FormBrowser } from '../support/browser';
import { alexaAuthorizeUrl, alexaTokenRequest, startLiveStack, type LiveStack } from '../support/live-stack';
import { intentRequest } from '../fixtures/skill/envelopes';

let stack: LiveStack | undefined;
beforeAll(async () => {
  stack = await startLiveStack({ ALEXA_VERIFY_SIGNATURE: 'false', UPSTREAM_SCOPE: undefined, ACCOUNT_API_URL: undefined });
});
afterAll(() => stack?.close());

test('the start-up log names the scope and the account API that discovery gave', () => {
  const resolved = stack!.logs.entries.find((entry) => entry.msg === 'provider profile resolved');
  expect(resolved).toMatchObject({ scope: 'openid profile email', accountApiUrl: stack!.provider.userinfoUrl, accountApiFrom: expect.stringMatching(/userinfo/) });
});

test('linking asks the provider for the default scope, and the skill reads the account from its userinfo endpoint', async () => {
  const live = stack!;
  const browser = new FormBrowser();
  const landing = new URL(await browser.signIn(alexaAuthorizeUrl(live), live.alexaRedirectUri));
  const exchanged = await alexaTokenRequest(live, { grant_type: 'authorization_code', code: landing.searchParams.get('code')!, redirect_uri: live.alexaRedirectUri });
  expect(exchanged.status).toBe(200);

  const response = await fetch(`${live.baseUrl}/alexa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(intentRequest('GetEmailIntent', { accessToken: exchanged.body.access_token })),
  });
  const answer = (await response.json()) as { response: { outputSpeech: { ssml: string } } };
  expect(answer.response.outputSpeech.ssml).toBe('<speak>Your email address is ada@example.com.</speak>');
});
