import { oauth2Preset } from '../../../linking/providers/oauth2.preset';
import { resolveProviderProfile } from '../../../linking/providers/presets';
import { UpstreamClient, UpstreamRejectedError, UpstreamUnavailableError } from '../../../linking/upstream-client';
import type { ProviderProfile } from '../../../models/provider-profile';
import { testConfig } from '../../support/test-app';
import { FakeProvider, json } from '../../support/fake-provider';

const baseProfile: ProviderProfile = { ...oauth2Preset, authorizationUrl: 'https://p.test/authorize', tokenUrl: 'https://p.test/token' };

function client(provider: FakeProvider, profile: Partial<ProviderProfile> = {}) {
  return new UpstreamClient({
    profile: { ...baseProfile, ...profile },
    clientId: 'id with space',
    clientSecret: 's3cr:t',
    redirectUri: 'https://lb.test/oauth/callback',
    timeoutMs: 500,
    fetch: provider.fetch,
  });
}

test('client_secret_post sends the credentials in the body under the profile\'s parameter names', async () => {
  const provider = new FakeProvider();
  await client(provider, { clientAuthentication: 'client_secret_post', clientIdParameter: 'appid', clientSecretParameter: 'secret' }).exchangeCode('c');
  const [request] = provider.requests;
  expect(request.headers.get('authorization')).toBeNull();
  expect(request.body.get('appid')).toBe('id with space');
  expect(request.body.get('secret')).toBe('s3cr:t');
});

test('client_secret_basic form-encodes each part before base64 (RFC 6749 §2.3.1)', async () => {
  const provider = new FakeProvider();
  await client(provider).refresh('r');
  expect(provider.requests[0].headers.get('authorization')).toBe(`Basic ${Buffer.from('id+with+space:s3cr%3At').toString('base64')}`);
});

test('a GET token request carries the parameters in the query', async () => {
  const provider = new FakeProvider();
  await client(provider, { tokenRequestMethod: 'GET', clientAuthentication: 'client_secret_post' }).exchangeCode('c');
  const url = new URL(provider.requests[0].url);
  expect(provider.requests[0].method).toBe('GET');
  expect(url.searchParams.get('code')).toBe('c');
  expect(url.searchParams.get('grant_type')).toBe('authorization_code');
});

test('reads a form-encoded token response', async () => {
  const provider = new FakeProvider();
  provider.respond = () => new Response('access_token=gho_abc&scope=read%3Auser&token_type=bearer', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(await client(provider).exchangeCode('c')).toEqual({ accessToken: 'gho_abc', scope: 'read:user', refreshToken: undefined, expiresIn: undefined });
});

test('reads nested fields by dotted path and a string expires_in', async () => {
  const provider = new FakeProvider();
  provider.respond = () => json(200, { ok: true, authed_user: { access_token: 'xoxp', refresh_token: 'xoxe', expires_in: '43200' } });
  const tokens = await client(provider, {
    tokenResponse: { ...baseProfile.tokenResponse, accessToken: 'authed_user.access_token', refreshToken: 'authed_user.refresh_token', expiresIn: 'authed_user.expires_in' },
  }).exchangeCode('c');
  expect(tokens).toMatchObject({ accessToken: 'xoxp', refreshToken: 'xoxe', expiresIn: 43200 });
});

test('an error field in an HTTP 200 body is a rejection', async () => {
  const provider = new FakeProvider();
  provider.respond = () => json(200, { errcode: 40029, errmsg: 'invalid code' });
  await expect(client(provider, { tokenResponse: { ...baseProfile.tokenResponse, error: 'errcode' } }).exchangeCode('c')).rejects.toBeInstanceOf(UpstreamRejectedError);
});

test('an HTML error page is unavailable, not a rejection', async () => {
  const provider = new FakeProvider();
  provider.respond = () => new Response('<html>oops</html>', { status: 503 });
  await expect(client(provider).exchangeCode('c')).rejects.toMatchObject({ reason: 'server' });
  await expect(client(provider).exchangeCode('c')).rejects.toBeInstanceOf(UpstreamUnavailableError);
});

test('the authorization URL carries the profile\'s extra parameters and scope separator', () => {
  const url = new URL(
    client(new FakeProvider(), { scopeSeparator: ',', authorizationParameters: { prompt: 'consent' } }).authorizationUrl({ state: 's', scope: 'a b' }),
  );
  expect(url.searchParams.get('scope')).toBe('a,b');
  expect(url.searchParams.get('prompt')).toBe('consent');
  expect(url.searchParams.has('code_challenge')).toBe(false);
});

describe('resolveProviderProfile', () => {
  test('discovers endpoints and PKCE support from the issuer (RFC 8414)', async () => {
    const provider = new FakeProvider();
    provider.respond = (request) =>
      request.url.endsWith('/.well-known/oauth-authorization-server')
        ? json(404, {})
        : json(200, { authorization_endpoint: 'https://idp.test/auth', token_endpoint: 'https://idp.test/token', code_challenge_methods_supported: ['plain'] });
    const config = testConfig({ UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' });
    const profile = await resolveProviderProfile(config.upstream, provider.fetch);
    expect(profile).toMatchObject({ authorizationUrl: 'https://idp.test/auth', tokenUrl: 'https://idp.test/token', pkce: false });
    expect(provider.requests.map((request) => request.url)).toEqual([
      'https://idp.test/.well-known/oauth-authorization-server',
      'https://idp.test/.well-known/openid-configuration',
    ]);
  });

  test('an unknown preset names UPSTREAM_PRESET', async () => {
    await expect(resolveProviderProfile(testConfig({ UPSTREAM_PRESET: 'nope' }).upstream, fetch)).rejects.toThrow(/^UPSTREAM_PRESET/);
  });

  test('an issuer with no metadata names UPSTREAM_ISSUER', async () => {
    const provider = new FakeProvider();
    provider.respond = () => json(404, {});
    const config = testConfig({ UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' });
    await expect(resolveProviderProfile(config.upstream, provider.fetch)).rejects.toThrow(/^UPSTREAM_ISSUER/);
  });
});
