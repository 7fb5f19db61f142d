/**
 * Against a real provider that rotates refresh tokens and revokes the grant when a rotated one comes
 * back (node-oidc-provider with `rotateRefreshToken`): Alexa refreshing five times at once with one
 * token, and presenting the old token again later, never reaches the provider twice with it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
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

async function userinfoStatus(accessToken: string): Promise<number> {
  return (await fetch(stack.provider.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

test('five concurrent refreshes and a late replay of the old token: one rotation, the grant stays alive', async () => {
  const landing = new URL(await new FormBrowser().signIn(alexaAuthorizeUrl(stack, { scope: 'profile' }), stack.alexaRedirectUri));
  const linked = await alexaTokenRequest(stack, { grant_type: 'authorization_code', code: landing.searchParams.get('code')!, redirect_uri: stack.alexaRedirectUri });
  expect(linked.status).toBe(200);
  const original = linked.body.refresh_token;

  const answers = await Promise.all(Array.from({ length: 5 }, () => alexaTokenRequest(stack, { grant_type: 'refresh_token', refresh_token: original })));
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
  expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(1);
  const [rotated] = answers;
  expect(rotated.body.refresh_token).not.toBe(original);
  expect(await userinfoStatus(rotated.body.access_token)).toBe(200);

  // Alexa lost the answer and presents the old token again: the same pair, and the grant is intact.
  const replayed = await alexaTokenRequest(stack, { grant_type: 'refresh_token', refresh_token: original });
  expect(replayed.body).toEqual({ ...rotated.body, expires_in: expect.any(Number) });
  expect(Number(replayed.body.expires_in)).toBeLessThanOrEqual(Number(rotated.body.expires_in));
  const next = await alexaTokenRequest(stack, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token });
  expect(next.status).toBe(200);
  expect(await userinfoStatus(next.body.access_token)).toBe(200);

  // What linkbridge spared the user: the provider itself, shown the rotated-out token, revokes the grant.
  const direct = await fetch(`${stack.provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(BASE_TEST_ENV.UPSTREAM_CLIENT_ID, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: original }),
  });
  expect(direct.status).toBe(400);
  expect(((await direct.json()) as { error: string }).error).toBe('invalid_grant');
  expect(await userinfoStatus(next.body.access_token)).toBe(401);
});
