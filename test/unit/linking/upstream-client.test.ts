import { resolveProviderProfile } from '../../../linking/providers/presets';
import { UpstreamClient, UpstreamRejectedError, UpstreamUnavailableError } from '../../../linking/upstream-client';
import { ProviderProfileSchema, type ProfileOverrides } from '../../../models/provider-profile';
import { mergeProfiles } from '../../../linking/providers/presets';
import { testConfig, testDeps } from '../../support/test-app';
import { FakeProvider, hang, json } from '../../support/fake-provider';
import { ManualTimers } from '../../support/manual-timers';

const base: ProfileOverrides = { name: 'test', authorization: { url: 'https://p.test/authorize' }, token: { url: 'https://p.test/token' } };

function client(provider: FakeProvider, changes: ProfileOverrides = {}) {
  return new UpstreamClient({
    profile: ProviderProfileSchema.parse(mergeProfiles(base, changes)),
    clientId: 'id with space',
    clientSecret: 's3cr:t',
    redirectUri: 'https://lb.test/oauth/callback',
    timeoutMs: 500,
    fetch: provider.fetch,
  });
}

describe('the token request a grant builds', () => {
  test('client_secret_post sends the credentials in the body under the profile\'s parameter names', async () => {
    const provider = new FakeProvider();
    await client(provider, { token: { clientAuthentication: 'client_secret_post', parameterNames: { client_id: 'appid', client_secret: 'secret' } } }).exchangeCode('c');
    const [request] = provider.requests;
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.body.get('appid')).toBe('id with space');
    expect(request.body.get('secret')).toBe('s3cr:t');
    expect(request.body.has('client_id')).toBe(false);
  });

  test('client_secret_basic form-encodes each part before base64 (RFC 6749 §2.3.1)', async () => {
    const provider = new FakeProvider();
    await client(provider).refresh('r');
    expect(provider.requests[0].headers.get('authorization')).toBe(`Basic ${Buffer.from('id+with+space:s3cr%3At').toString('base64')}`);
    expect(provider.requests[0].body.has('client_id')).toBe(false);
  });

  test('client_secret_basic_with_client_id sends Basic and client_id in the body at once', async () => {
    const provider = new FakeProvider();
    await client(provider, { token: { clientAuthentication: 'client_secret_basic_with_client_id' } }).exchangeCode('c', 'v'.repeat(43));
    const [request] = provider.requests;
    expect(request.headers.get('authorization')).toMatch(/^Basic /);
    expect(request.body.get('client_id')).toBe('id with space');
    expect(request.body.has('client_secret')).toBe(false);
    expect(request.body.get('code_verifier')).toBe('v'.repeat(43));
  });

  test('a GET token request carries the parameters in the query; omitted ones are absent', async () => {
    const provider = new FakeProvider();
    await client(provider, { token: { method: 'GET', clientAuthentication: 'client_secret_post', omitParameters: ['redirect_uri'] } }).exchangeCode('c');
    const url = new URL(provider.requests[0].url);
    expect(provider.requests[0].method).toBe('GET');
    expect(url.searchParams.get('code')).toBe('c');
    expect(url.searchParams.get('grant_type')).toBe('authorization_code');
    expect(url.searchParams.has('redirect_uri')).toBe(false);
  });

  test('the refresh request takes its own endpoint and authentication, the rest from the code grant', async () => {
    const provider = new FakeProvider();
    await client(provider, {
      token: { method: 'GET', clientAuthentication: 'client_secret_post', parameterNames: { client_id: 'appid', client_secret: 'secret' } },
      refresh: { url: 'https://p.test/refresh', clientAuthentication: 'none' },
    }).refresh('r1');
    const url = new URL(provider.requests[0].url);
    expect(`${url.origin}${url.pathname}`).toBe('https://p.test/refresh');
    expect(provider.requests[0].method).toBe('GET');
    expect(Object.fromEntries(url.searchParams)).toEqual({ appid: 'id with space', grant_type: 'refresh_token', refresh_token: 'r1' });
  });

  test('a profile with no refresh tokens refuses a refresh as invalid_grant without calling', async () => {
    const provider = new FakeProvider();
    await expect(client(provider, { refresh: null }).refresh('r')).rejects.toMatchObject({ meaning: 'invalid_grant' });
    expect(provider.requests).toHaveLength(0);
  });
});

describe('the answer it reads', () => {
  test('reads a form-encoded token answer', async () => {
    const provider = new FakeProvider();
    provider.respond = () => new Response('access_token=gho_abc&scope=read%3Auser&token_type=bearer', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await client(provider).exchangeCode('c')).toEqual({ accessToken: 'gho_abc', scope: 'read:user', refreshToken: undefined, expiresIn: undefined });
  });

  test('reads nested fields by dotted path, a string expires_in and the identity fields', async () => {
    const provider = new FakeProvider();
    provider.respond = () => json(200, { ok: true, team: { id: 'T1' }, authed_user: { id: 'U1', access_token: 'xoxp', refresh_token: 'xoxe', expires_in: '43200' } });
    const tokens = await client(provider, {
      token: {
        answer: {
          accessToken: 'authed_user.access_token',
          refreshToken: 'authed_user.refresh_token',
          expiresIn: 'authed_user.expires_in',
          identity: { userId: 'authed_user.id', teamId: 'team.id' },
        },
      },
    }).exchangeCode('c');
    expect(tokens).toMatchObject({ accessToken: 'xoxp', refreshToken: 'xoxe', expiresIn: 43200, identity: { userId: 'U1', teamId: 'T1' } });
  });

  test('reads an identity claim inside the ID token', async () => {
    const provider = new FakeProvider();
    const idToken = ['e30', Buffer.from(JSON.stringify({ sub: 'user-42' })).toString('base64url'), 'sig'].join('.');
    provider.respond = () => json(200, { access_token: 'a', id_token: idToken });
    const tokens = await client(provider, { token: { answer: { identity: { userId: 'id_token.sub' } } } }).exchangeCode('c');
    expect(tokens.identity).toEqual({ userId: 'user-42' });
  });

  test.each([
    ['an HTTP 200 numeric code', { codePath: 'errcode', rules: [{ code: 40029, error: 'invalid_grant' as const }] }, 200, { errcode: 40029, errmsg: 'invalid code' }, 'invalid_grant'],
    ['ok:false', { rules: [{ code: 'invalid_code', error: 'invalid_grant' as const }] }, 200, { ok: false, error: 'invalid_code' }, 'invalid_grant'],
    ['a nested object', { codePath: 'error.code', rules: [{ code: 100, error: 'invalid_grant' as const }] }, 400, { error: { type: 'OAuthException', code: 100 } }, 'invalid_grant'],
    [
      'a code made precise by its description',
      { rules: [{ code: 'invalid_request', descriptionIncludes: 'was invalid', error: 'invalid_grant' as const }] },
      400,
      { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' },
      'invalid_grant',
    ],
    ['the same code with another description', { rules: [{ code: 'invalid_request', descriptionIncludes: 'was invalid', error: 'invalid_grant' as const }] }, 400, { error: 'invalid_request', error_description: 'Missing required parameter [code_verifier].' }, 'invalid_request'],
    ['a provider code no rule knows', { codePath: 'errcode' }, 200, { errcode: 40125, errmsg: 'invalid appsecret' }, undefined],
    ['an unmapped RFC 6749 code', {}, 400, { error: 'invalid_grant' }, 'invalid_grant'],
  ])('an error as %s is read and mapped', async (_label, errors, status, body, meaning) => {
    const provider = new FakeProvider();
    provider.respond = () => json(status, body);
    const failure = client(provider, { errors }).exchangeCode('c');
    await expect(failure).rejects.toBeInstanceOf(UpstreamRejectedError);
    await expect(failure).rejects.toMatchObject({ meaning });
  });

  test.each([
    ['an HTML 503', () => new Response('<html>oops</html>', { status: 503 })],
    ['a JSON 500', () => json(500, { error: 'server_error' })],
    ['a 429', () => json(429, { error: 'invalid_grant' })],
  ])('%s is unavailable, not a rejection', async (_label, respond) => {
    const provider = new FakeProvider();
    provider.respond = respond;
    await expect(client(provider).exchangeCode('c')).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  test('a network failure names the URL without its query and the cause', async () => {
    const provider = new FakeProvider();
    provider.respond = () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    await expect(client(provider, { token: { method: 'GET' } }).exchangeCode('secret-code')).rejects.toMatchObject({
      reason: 'network',
      url: 'https://p.test/token',
      causeCode: 'ECONNREFUSED',
    });
  });
});

describe('the authorization URL', () => {
  test('carries the parameters in WeChat\'s order, the extra parameters, the scope separator and the suffix', () => {
    const url = client(new FakeProvider(), {
      authorization: { clientIdParameter: 'appid', parameters: { prompt: 'consent' }, urlSuffix: '#wechat_redirect', pkce: false },
      scope: { separator: ',' },
    }).authorizationUrl({ state: 's', scope: 'a b' });
    expect(url.endsWith('#wechat_redirect')).toBe(true);
    const parsed = new URL(url);
    expect([...parsed.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state', 'prompt']);
    expect(parsed.searchParams.get('scope')).toBe('a,b');
  });

  test.each([
    ['passes Alexa\'s scope', {}, 'profile', 'profile'],
    ['adds the scopes always needed', { always: ['openid'] }, 'profile email', 'profile email openid'],
    ['does not repeat one Alexa already asked for', { always: ['openid'] }, 'openid profile', 'openid profile'],
    ['uses the configured value when Alexa sends none', { value: 'read' }, undefined, 'read'],
    ['replaces Alexa\'s scope when told to', { alexa: 'replace' as const, value: 'snsapi_userinfo' }, 'profile', 'snsapi_userinfo'],
  ])('%s', (_label, scope, alexaScope, expected) => {
    const url = new URL(client(new FakeProvider(), { scope }).authorizationUrl({ state: 's', scope: alexaScope }));
    expect(url.searchParams.get('scope')).toBe(expected);
  });

  test('routes the scope into another parameter', () => {
    const url = new URL(client(new FakeProvider(), { scope: { parameter: 'user_scope', separator: ',' } }).authorizationUrl({ state: 's', scope: 'users:read identity.basic' }));
    expect(url.searchParams.get('user_scope')).toBe('users:read,identity.basic');
    expect(url.searchParams.has('scope')).toBe(false);
  });
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
    expect(profile).toMatchObject({ authorization: { url: 'https://idp.test/auth', pkce: false }, token: { url: 'https://idp.test/token' } });
    expect(provider.requests.map((request) => request.url)).toEqual([
      'https://idp.test/.well-known/oauth-authorization-server',
      'https://idp.test/.well-known/openid-configuration',
    ]);
  });

  test('a preset needs only credentials; its endpoints can be overridden', async () => {
    const github = await resolveProviderProfile(testConfig({ UPSTREAM_PRESET: 'github', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined }).upstream, fetch);
    expect(github.token.url).toBe('https://github.com/login/oauth/access_token');
    const local = await resolveProviderProfile(testConfig({ UPSTREAM_PRESET: 'github', UPSTREAM_TOKEN_URL: 'http://127.0.0.1:1/token' }).upstream, fetch);
    expect(local.token.url).toBe('http://127.0.0.1:1/token');
  });

  test('UPSTREAM_SCOPE replaces Alexa\'s scope but keeps the scopes the preset always adds', async () => {
    const profile = await resolveProviderProfile(testConfig({ UPSTREAM_PRESET: 'x', UPSTREAM_SCOPE: 'users.read' }).upstream, fetch);
    expect(profile.scope).toMatchObject({ value: 'users.read', alexa: 'replace', always: ['offline.access'] });
  });

  test('an unknown preset names UPSTREAM_PRESET, when the configuration loads', () => {
    expect(() => testConfig({ UPSTREAM_PRESET: 'nope' })).toThrow(/^UPSTREAM_PRESET: expects one of oauth2 \| oidc/);
  });

  test('a profile missing an endpoint names the variable and the file field, when the configuration loads', () => {
    expect(() => testConfig({ UPSTREAM_TOKEN_URL: undefined })).toThrow(/^UPSTREAM_TOKEN_URL: .*upstream\.profile\.token\.url/);
  });

  test.each([
    ['an issuer with no metadata', () => json(404, {}), /^UPSTREAM_ISSUER: .*HTTP 404/],
    ['an issuer that cannot be reached', () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } })), /^UPSTREAM_ISSUER: .*ENOTFOUND/],
  ])('%s names UPSTREAM_ISSUER and why', async (_label, respond, message) => {
    const provider = new FakeProvider();
    provider.respond = respond;
    const config = testConfig({ UPSTREAM_PRESET: 'oidc', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' });
    await expect(resolveProviderProfile(config.upstream, provider.fetch)).rejects.toThrow(message);
    expect(provider.requests.map((request) => request.url)).toEqual(['https://idp.test/.well-known/openid-configuration']);
  });

  test('the oidc preset without an issuer names UPSTREAM_ISSUER, when the configuration loads', () => {
    expect(() => testConfig({ UPSTREAM_PRESET: 'oidc' })).toThrow(/^UPSTREAM_ISSUER/);
  });

  test('a bad profile value from the file names its field', async () => {
    const config = testConfig();
    const upstream = { ...config.upstream, profile: { errors: { rules: [{ code: 1, error: 'bogus' }] } } } as unknown as typeof config.upstream;
    await expect(resolveProviderProfile(upstream, fetch)).rejects.toThrow(/^LINKBRIDGE_CONFIG: upstream\.profile\.errors\.rules\.0\.error: must be one of/);
  });
});

describe('the deadline of a provider call, over the whole exchange', () => {
  /** Resolves after pending I/O callbacks and promise jobs have run: what can happen without the deadline has. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  async function pendingCall(respond: FakeProvider['respond'], call?: { timeoutMs: number }) {
    const provider = new FakeProvider();
    provider.respond = respond;
    const timers = new ManualTimers();
    const deps = await testDeps({ fetch: provider.fetch, deadlineTimers: timers });
    const exchange = deps.upstream.exchangeCode('c', undefined, call);
    let settled = false;
    void exchange.then(
      () => (settled = true),
      () => (settled = true),
    );
    await timers.whenSet();
    await settle();
    return { exchange, timers, settled: () => settled };
  }

  test('a provider that never answers holds the call until the deadline (UPSTREAM_TIMEOUT_MS), then it is unavailable: timeout', async () => {
    const { exchange, timers, settled } = await pendingCall((_request, signal) => hang(signal));
    expect(settled()).toBe(false);
    expect(timers.pendingDelays).toEqual([testConfig().upstream.timeoutMs]);
    timers.fireAll();
    await expect(exchange).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(exchange).rejects.toMatchObject({ reason: 'timeout', url: 'https://provider.test/token' });
  });

  test('a body that starts and never ends is bounded by the same deadline', async () => {
    const endless = () => new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"access_token":"')) }), { headers: { 'content-type': 'application/json' } });
    const { exchange, timers, settled } = await pendingCall(endless);
    expect(settled()).toBe(false);
    timers.fireAll();
    await expect(exchange).rejects.toMatchObject({ reason: 'timeout' });
  });

  test('a call\'s own deadline replaces the transport\'s', async () => {
    const { exchange, timers } = await pendingCall((_request, signal) => hang(signal), { timeoutMs: 1234 });
    expect(timers.pendingDelays).toEqual([1234]);
    timers.fireAll();
    await expect(exchange).rejects.toMatchObject({ reason: 'timeout' });
  });

  test('an answer in time clears the deadline', async () => {
    const { exchange, timers } = await pendingCall(() => json(200, { access_token: 'a', token_type: 'bearer' }));
    await expect(exchange).resolves.toMatchObject({ accessToken: 'a' });
    expect(timers.pendingDelays).toEqual([]);
  });
});
