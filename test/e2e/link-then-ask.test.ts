/**
 * Both halves of the service together: link through linkbridge against a real provider, then ask the
 * skill (POST /alexa on the same app) with the token Alexa received; the answer comes from the
 * provider's userinfo endpoint as the account API.
 */
import { FormBrowser } from '../support/browser';
import { alexaAuthorizeUrl, alexaTokenRequest, startLiveStack, type LiveStack } from '../support/live-stack';
import { intentRequest } from '../fixtures/skill/envelopes';

let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack({ ALEXA_VERIFY_SIGNATURE: 'false' });
});
afterAll(() => stack.close());

async function ask(intent: string, accessToken?: string) {
  const response = await fetch(`${stack.baseUrl}/alexa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(intentRequest(intent, { accessToken })),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { response: { outputSpeech: { ssml: string }; card?: { type: string } } };
}

test('a freshly linked user hears their own name and email; a revoked token asks them to link again', async () => {
  const landing = new URL(await new FormBrowser().signIn(alexaAuthorizeUrl(stack), stack.alexaRedirectUri));
  const exchanged = await alexaTokenRequest(stack, { grant_type: 'authorization_code', code: landing.searchParams.get('code')!, redirect_uri: stack.alexaRedirectUri });
  const accessToken = exchanged.body.access_token;

  expect((await ask('GetNameIntent', accessToken)).response.outputSpeech.ssml).toBe('<speak>Your name is Ada Lovelace.</speak>');
  expect((await ask('GetEmailIntent', accessToken)).response.outputSpeech.ssml).toBe('<speak>Your email address is ada@example.com.</speak>');

  const rejected = await ask('GetNameIntent', 'a-token-the-provider-never-issued');
  expect(rejected.response.outputSpeech.ssml).toContain('link has expired');
  expect(rejected.response.card?.type).toBe('LinkAccount');
});
