/**
 * The token endpoint check reads every answer a provider may give to a made-up code, through the same
 * request building and response reading the service uses. The provider is a fake behind `fetch`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
import { loadConfig, type Config } from '../../../../models/config';
import type { DoctorDeps } from '../../../../tools/doctor/http-probe';
import { resolveProvider } from '../../../../tools/doctor/provider-adapter';
import type { Finding } from '../../../../tools/doctor/report';
import { checkTokenEndpoint } from '../../../../tools/doctor/token-endpoint.check';
import { checkTokenLifetime } from '../../../../tools/doctor/token-lifetime.check';
import { FakeProvider, json } from '../../../support/fake-provider';
import { BASE_TEST_ENV, TestClock, testConfig } from '../../../support/test-app';

const config = testConfig();

async function check(provider: FakeProvider, configuration: Config = config) {
  const deps: DoctorDeps = { fetch: provider.fetch, clock: new TestClock() };
  const { view } = await resolveProvider(configuration, deps, 5000);
  if (!view) throw new Error('the test configuration resolves');
  const answer = await view.sendInvalidCode();
  return { answer, findings: checkTokenEndpoint(view, answer) };
}

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findings[0];
}

test('sends the token request the service sends: form POST, HTTP Basic, redirect_uri, a PKCE verifier', async () => {
  const provider = new FakeProvider();
  provider.respond = () => json(400, { error: 'invalid_grant' });
  await check(provider);
  const [sent] = provider.requests;
  expect(sent.url).toBe('https://provider.test/token');
  expect(sent.method).toBe('POST');
  expect(sent.headers.get('authorization')).toBe(`Basic ${Buffer.from('linkbridge-client:upstream-secret-value').toString('base64')}`);
  expect(sent.body.get('grant_type')).toBe('authorization_code');
  expect(sent.body.get('redirect_uri')).toBe('https://linkbridge.test/oauth/callback');
  expect(sent.body.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

test.each([
  ['invalid_grant (RFC 6749)', () => json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }), /HTTP 400 invalid_grant \("grant request is invalid"\)/],
  ['an error in a 200 answer (GitHub style)', () => json(200, { error: 'bad_verification_code' }), /HTTP 200 bad_verification_code/],
])('a made-up code refused with %s is a pass', async (_name, respond, message) => {
  const provider = new FakeProvider();
  provider.respond = respond;
  expect(only((await check(provider)).findings)).toMatchObject({ severity: 'ok', message: expect.stringMatching(message) });
});

test.each([
  ['401 invalid_client', () => json(401, { error: 'invalid_client' }), 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET', /refused linkbridge's client credentials/],
  ['400 invalid_client', () => json(400, { error: 'invalid_client' }), 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET', /refused linkbridge's client credentials/],
  ['a bare 401', () => new Response('Unauthorized', { status: 401 }), 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET', /HTTP 401: the provider refused/],
  ['unauthorized_client', () => json(400, { error: 'unauthorized_client' }), 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET', /may not use the authorization code grant/],
  ['unsupported_grant_type', () => json(400, { error: 'unsupported_grant_type' }), 'UPSTREAM_TOKEN_URL', /does not support the authorization code grant/],
  ['404 with an HTML page', () => new Response('<h1>Not found</h1>', { status: 404, headers: { 'content-type': 'text/html' } }), 'UPSTREAM_TOKEN_URL', /HTTP 404: there is no token endpoint/],
  ['404 with an OAuth error body', () => json(404, { error: 'invalid_request' }), 'UPSTREAM_TOKEN_URL', /HTTP 404 invalid_request: there is no token endpoint/],
  ['405', () => new Response('', { status: 405 }), 'UPSTREAM_TOKEN_URL', /HTTP 405: there is no token endpoint/],
  ['a redirect', () => new Response(null, { status: 301, headers: { location: 'https://provider.test/oauth/token' } }), 'UPSTREAM_TOKEN_URL', /a redirect to https:\/\/provider\.test\/oauth\/token/],
  ['503', () => new Response('down', { status: 503 }), 'UPSTREAM_TOKEN_URL', /HTTP 503: the provider failed/],
  ['200 with a web page', () => new Response('<html>welcome</html>', { status: 200, headers: { 'content-type': 'text/html' } }), 'UPSTREAM_TOKEN_URL', /without an OAuth error: this is not a token endpoint/],
])('%s is an error naming the setting to change', async (_name, respond, setting, message) => {
  const provider = new FakeProvider();
  provider.respond = respond;
  expect(only((await check(provider)).findings)).toMatchObject({ severity: 'error', setting, message: expect.stringMatching(message), fix: expect.any(String) });
});

test('invalid_request is a warning: the endpoint is there, the request may lack something the provider wants', async () => {
  const provider = new FakeProvider();
  provider.respond = () => json(400, { error: 'invalid_request', error_description: 'missing parameter: resource' });
  expect(only((await check(provider)).findings)).toMatchObject({ severity: 'warning', message: expect.stringMatching(/missing parameter: resource/) });
});

test.each([
  ['ENOTFOUND', /the host name provider\.test does not resolve \(ENOTFOUND\): a typo in the host/],
  ['ECONNREFUSED', /nothing accepts connections at provider\.test:443 \(ECONNREFUSED\): a wrong port/],
  ['CERT_HAS_EXPIRED', /the TLS handshake with provider\.test:443 failed \(CERT_HAS_EXPIRED\)/],
])('no answer (%s) is an error that says which part of the URL to check', async (code, message) => {
  const provider = new FakeProvider();
  provider.respond = () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
  };
  expect(only((await check(provider)).findings)).toMatchObject({ severity: 'error', setting: 'UPSTREAM_TOKEN_URL', message: expect.stringMatching(message) });
});

test('a token URL from the config file names the config file entry as the setting to change', async () => {
  const provider = new FakeProvider();
  provider.respond = () => new Response('', { status: 404 });
  const file = JSON.stringify({ upstream: { profile: { token: { url: 'https://provider.test/v2/token' } } } });
  const fromFile = loadConfig({ ...BASE_TEST_ENV, UPSTREAM_TOKEN_URL: undefined, LINKBRIDGE_CONFIG: 'profile.json' }, () => file);
  expect(only((await check(provider, fromFile)).findings)).toMatchObject({ severity: 'error', setting: 'LINKBRIDGE_CONFIG (upstream.profile.token.url)' });
  expect(provider.requests[0].url).toBe('https://provider.test/v2/token');
});

test('tokens issued for a made-up code are a warning, and a lifetime under 360 s they state is an error', async () => {
  const provider = new FakeProvider();
  provider.respond = () => json(200, { access_token: 'issued-anyway', token_type: 'bearer', expires_in: 300 });
  const { answer, findings } = await check(provider);
  expect(only(findings)).toMatchObject({ severity: 'warning', message: expect.stringMatching(/issued tokens for a made-up code/) });
  expect(answer.statedLifetime).toBe(300);
  expect(checkTokenLifetime(config, answer.statedLifetime)).toMatchObject([{ severity: 'error', message: expect.stringMatching(/live 300 s; Alexa needs at least 360 s/) }]);
  expect(checkTokenLifetime(config, 3600)).toMatchObject([{ severity: 'ok' }]);
});

describe('presets', () => {
  const presetOnly = { UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined };

  test("GitHub: the preset's token endpoint, its request, and an error in a 200 answer read as GitHub writes it", async () => {
    const provider = new FakeProvider();
    provider.respond = () => json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
    const { findings } = await check(provider, testConfig({ ...presetOnly, UPSTREAM_PRESET: 'github' }));
    const [sent] = provider.requests;
    expect(sent.url).toBe('https://github.com/login/oauth/access_token');
    expect(sent.body.get('client_secret')).toBe('upstream-secret-value');
    expect(sent.body.has('grant_type')).toBe(false);
    expect(only(findings)).toMatchObject({ severity: 'ok', message: expect.stringMatching(/HTTP 200 bad_verification_code \("The code passed is incorrect or expired\."\)/) });
  });

  test("GitHub: a 404 at the preset's URL names the preset and the variable that overrides it", async () => {
    const provider = new FakeProvider();
    provider.respond = () => new Response('Not Found', { status: 404 });
    const { findings } = await check(provider, testConfig({ ...presetOnly, UPSTREAM_PRESET: 'github' }));
    expect(only(findings)).toMatchObject({ severity: 'error', setting: expect.stringMatching(/^UPSTREAM_PRESET \(the github preset's URL; set UPSTREAM_TOKEN_URL to override\)/) });
  });

  test("WeChat: a GET with appid and secret, and errcode 40029 read through the preset's error map", async () => {
    const provider = new FakeProvider();
    provider.respond = () => json(200, { errcode: 40029, errmsg: 'invalid code' });
    const { findings } = await check(provider, testConfig({ ...presetOnly, UPSTREAM_PRESET: 'wechat' }));
    const [sent] = provider.requests;
    expect(sent.method).toBe('GET');
    expect(new URL(sent.url).searchParams.get('appid')).toBe('linkbridge-client');
    expect(only(findings)).toMatchObject({ severity: 'ok', message: expect.stringMatching(/^https:\/\/api\.weixin\.qq\.com\/sns\/oauth2\/access_token answered HTTP 200 40029 \("invalid code"\)/) });
  });

  test("oidc: the endpoints come from the OpenID Connect discovery document, and are named as discovery's", async () => {
    const provider = new FakeProvider();
    provider.respond = (request) =>
      request.url.endsWith('/.well-known/openid-configuration')
        ? json(200, { issuer: 'https://id.test', authorization_endpoint: 'https://id.test/auth', token_endpoint: 'https://id.test/token', userinfo_endpoint: 'https://id.test/me' })
        : json(400, { error: 'invalid_grant' });
    const { findings } = await check(provider, testConfig({ ...presetOnly, UPSTREAM_PRESET: 'oidc', UPSTREAM_ISSUER: 'https://id.test' }));
    expect(provider.requests.map((request) => request.url)).toEqual(['https://id.test/.well-known/openid-configuration', 'https://id.test/token']);
    expect(only(findings)).toMatchObject({ severity: 'ok' });
  });
});
