import { accountApiUrlOf, PRESETS, resolveProviderProfile } from '../../../linking/providers/presets';
import { requestedScope } from '../../../linking/upstream/authorization-request';
import { ConfigError } from '../../../models/config';
import { linkingScopes, refreshRequestOf } from '../../../models/provider-profile';
import { testConfig, testDeps } from '../../support/test-app';

const credentialsOnly = { UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined };

describe.each(Object.keys(PRESETS).filter((name) => name !== 'oauth2' && name !== 'oidc'))('the %s preset', (preset) => {
  test('needs only credentials, and cites the documentation it follows', async () => {
    const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: preset }).upstream, fetch);
    expect(profile.name).toBe(preset);
    expect(profile.authorization.url).toMatch(/^https:\/\//);
    expect(profile.token.url).toMatch(/^https:\/\//);
    expect(profile.documentation).toMatch(/^https:\/\//);
  });
});

test.each(['wechat', 'wechat-official'])('%s refreshes at its own endpoint with appid and no secret, as a GET', async (preset) => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: preset }).upstream, fetch);
  expect(refreshRequestOf(profile)).toMatchObject({
    url: 'https://api.weixin.qq.com/sns/oauth2/refresh_token',
    method: 'GET',
    clientAuthentication: 'none',
    parameterNames: { client_id: 'appid', client_secret: 'secret' },
  });
});

test('Slack reads the code answer under authed_user and the refresh answer at the top', async () => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'slack' }).upstream, fetch);
  expect(profile.token.answer.accessToken).toBe('authed_user.access_token');
  expect(refreshRequestOf(profile)?.answer).toMatchObject({ accessToken: 'access_token', refreshToken: 'refresh_token', identity: { teamId: 'team.id' } });
});

test.each(['facebook'])('%s has no refresh tokens', async (preset) => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: preset }).upstream, fetch);
  expect(refreshRequestOf(profile)).toBeUndefined();
});

test('the resolved profile is frozen', async () => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'x' }).upstream, fetch);
  expect(Object.isFrozen(profile.token.answer)).toBe(true);
});

test('the config file changes one field of a preset and keeps the rest', async () => {
  const config = testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'github' });
  const profile = await resolveProviderProfile({ ...config.upstream, profile: { token: { headers: { 'user-agent': 'linkbridge' } } } }, fetch);
  expect(profile.token).toMatchObject({ url: 'https://github.com/login/oauth/access_token', clientAuthentication: 'client_secret_post', headers: { accept: 'application/json', 'user-agent': 'linkbridge' } });
});

describe('defaults from discovery', () => {
  const issuerOnly = { ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
  const oidcDocument = (extra: Record<string, unknown> = {}) => ({
    issuer: 'https://idp.test',
    authorization_endpoint: 'https://idp.test/auth',
    token_endpoint: 'https://idp.test/token',
    userinfo_endpoint: 'https://idp.test/userinfo',
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    ...extra,
  });
  /** A provider that serves `document` at `path` only. */
  function serving(path: string, document: unknown): typeof fetch {
    return async (input) => (String(input) === `https://idp.test${path}` ? Response.json(document) : new Response('not found', { status: 404 }));
  }

  test.each(['oidc', 'oauth2'])('%s: with UPSTREAM_SCOPE unset, openid profile email and the userinfo endpoint', async (preset) => {
    const profile = await resolveProviderProfile(testConfig({ ...issuerOnly, UPSTREAM_PRESET: preset }).upstream, serving('/.well-known/openid-configuration', oidcDocument()));
    expect(linkingScopes(profile)).toEqual(['openid', 'profile', 'email']);
    expect(requestedScope(profile.scope, undefined)).toBe('openid profile email');
    expect(profile.userinfoUrl).toBe('https://idp.test/userinfo');
    expect(accountApiUrlOf(undefined, profile).url).toBe('https://idp.test/userinfo');
    expect(accountApiUrlOf('https://api.test/me', profile).url).toBe('https://api.test/me');
  });

  test('only the default scopes the provider lists, and Alexa\'s scope still wins when it sends one', async () => {
    const profile = await resolveProviderProfile(
      testConfig({ ...issuerOnly, UPSTREAM_PRESET: 'oidc' }).upstream,
      serving('/.well-known/openid-configuration', oidcDocument({ scopes_supported: ['openid', 'email'] })),
    );
    expect(linkingScopes(profile)).toEqual(['openid', 'email']);
    expect(requestedScope(profile.scope, undefined)).toBe('openid email');
    expect(requestedScope(profile.scope, 'profile')).toBe('profile openid');
  });

  test('UPSTREAM_SCOPE and ACCOUNT_API_URL win over discovery', async () => {
    const config = testConfig({ ...issuerOnly, UPSTREAM_PRESET: 'oidc', UPSTREAM_SCOPE: 'openid email offline_access', ACCOUNT_API_URL: 'https://api.test/me' });
    const profile = await resolveProviderProfile(config.upstream, serving('/.well-known/openid-configuration', oidcDocument()));
    expect(requestedScope(profile.scope, 'profile')).toBe('openid email offline_access');
    expect(accountApiUrlOf(config.skill.accountApiUrl, profile)).toEqual({ url: 'https://api.test/me', source: 'ACCOUNT_API_URL' });
  });

  test('endpoints set by hand with an issuer: discovery still gives the scope and userinfo', async () => {
    const fetched: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return serving('/.well-known/openid-configuration', oidcDocument())(input, init);
    };
    const config = testConfig({ UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' });
    const profile = await resolveProviderProfile(config.upstream, fetchImpl);
    expect(profile.token.url).toBe('https://provider.test/token');
    expect(linkingScopes(profile)).toEqual(['openid', 'profile', 'email']);
    expect(fetched).toContain('https://idp.test/.well-known/openid-configuration');
  });

  test('an RFC 8414 server that does not speak OpenID Connect gives no scope: refused, naming UPSTREAM_SCOPE and what to set', async () => {
    const metadata = { issuer: 'https://idp.test', authorization_endpoint: 'https://idp.test/a', token_endpoint: 'https://idp.test/t' };
    const config = testConfig({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' });
    await expect(resolveProviderProfile(config.upstream, serving('/.well-known/oauth-authorization-server', metadata))).rejects.toThrow(
      /^UPSTREAM_SCOPE: is not set, and neither the oauth2 preset nor the provider's discovery document gives a default, so linkbridge would request no scope; set UPSTREAM_SCOPE/,
    );
  });

  test('a discovery document without endpoints is one problem, naming both and the issuer', async () => {
    const config = testConfig({ ...credentialsOnly, UPSTREAM_ISSUER: 'https://idp.test' });
    const error: unknown = await resolveProviderProfile(config.upstream, serving('/.well-known/oauth-authorization-server', { issuer: 'https://idp.test' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { variable: 'UPSTREAM_AUTHORIZATION_URL', expectation: 'is required, and so is UPSTREAM_TOKEN_URL: the metadata of https://idp.test names no authorization or token endpoint' },
    ]);
  });

  test.each(['github', 'facebook', 'slack', 'x', 'wechat', 'wechat-official'])('the %s preset names a scope of its own', async (preset) => {
    const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: preset }).upstream, fetch);
    expect(linkingScopes(profile).length).toBeGreaterThan(0);
  });

  test('the service refuses to start asking for no scope', async () => {
    const env = { ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
    const rfc8414 = serving('/.well-known/oauth-authorization-server', { issuer: 'https://idp.test', authorization_endpoint: 'https://idp.test/a', token_endpoint: 'https://idp.test/t' });
    await expect(testDeps({ env, fetch: rfc8414 })).rejects.toThrow(/^UPSTREAM_SCOPE: is not set/);
    await expect(testDeps({ env, fetch: rfc8414 })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('WeChat: the website login by default, the official-account sign-in by name', () => {
  test('wechat signs in at the QR code page any browser opens, asking for snsapi_login', async () => {
    const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'wechat' }).upstream, fetch);
    expect(profile.authorization).toMatchObject({ url: 'https://open.weixin.qq.com/connect/qrconnect', clientIdParameter: 'appid', urlSuffix: '#wechat_redirect' });
    expect(linkingScopes(profile)).toEqual(['snsapi_login']);
    expect(profile.documentation).toBe('https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html');
  });

  test('wechat-official signs in at the page WeChat serves inside its own browser, asking for snsapi_userinfo', async () => {
    const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'wechat-official' }).upstream, fetch);
    expect(profile.authorization).toMatchObject({ url: 'https://open.weixin.qq.com/connect/oauth2/authorize', clientIdParameter: 'appid', urlSuffix: '#wechat_redirect' });
    expect(linkingScopes(profile)).toEqual(['snsapi_userinfo']);
  });

  test('both exchange and refresh at the same sns/oauth2 API', async () => {
    const [website, official] = await Promise.all(
      ['wechat', 'wechat-official'].map((preset) => resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: preset }).upstream, fetch)),
    );
    expect(website.token).toEqual(official.token);
    expect(website.refresh).toEqual(official.refresh);
    expect(website.errors).toEqual(official.errors);
  });
});
