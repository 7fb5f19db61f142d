/**
 * The token endpoint toward Alexa.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 (code grant), #section-6 (refresh)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 (success, no-store), #section-5.2 (errors)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 (client authentication)
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 (PKCE), RFC 9700 §2.1.1 (PKCE downgrade)
 */
import request from 'supertest';
import { createApp } from '../../app';
import { IssuedCodes } from '../../linking/issued-code';
import { s256Challenge } from '../../linking/pkce';
import { basic, FakeProvider, hang, json, obtainAlexaCode } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, TestClock, testDeps } from '../support/test-app';

const CLIENT_ID = BASE_TEST_ENV.ALEXA_CLIENT_ID;
const CLIENT_SECRET = BASE_TEST_ENV.ALEXA_CLIENT_SECRET;
const VERIFIER = 'v'.repeat(20) + '-._~' + 'x'.repeat(30);

async function setup(env: Record<string, string> = {}) {
  const provider = new FakeProvider();
  const clock = new TestClock();
  const logs = new CapturedLogs();
  const deps = await testDeps({ env, clock, logs, fetch: provider.fetch });
  return { app: createApp(deps), provider, clock, logs, deps };
}

type App = Awaited<ReturnType<typeof setup>>['app'];

function tokenRequest(app: App, form: Record<string, string> | string, auth: string | null = basic(CLIENT_ID, CLIENT_SECRET)) {
  const call = request(app).post('/oauth/token').type('form');
  if (auth) call.set('Authorization', auth);
  return call.send(typeof form === 'string' ? form : new URLSearchParams(form).toString());
}

function codeGrant(code: string, extra: Record<string, string> = {}) {
  return { grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI, ...extra };
}

function expectOAuthError(response: request.Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/json/);
  expect(response.body.error).toBe(error);
  expect(typeof response.body.error_description).toBe('string');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers.pragma).toBe('no-cache');
}

describe('authorization_code grant (RFC 6749 §4.1.3)', () => {
  test('exchanges our code upstream with our callback and PKCE verifier, and answers Alexa normalized', async () => {
    const { app, provider } = await setup();
    const code = await obtainAlexaCode(app);
    const response = await tokenRequest(app, codeGrant(code));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ access_token: 'upstream-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'upstream-refresh-token' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');

    const [upstream] = provider.requests;
    expect(upstream.method).toBe('POST');
    expect(upstream.url).toBe('https://provider.test/token');
    expect(upstream.body.get('grant_type')).toBe('authorization_code');
    expect(upstream.body.get('code')).toBe('upstream-code');
    expect(upstream.body.get('redirect_uri')).toBe('https://linkbridge.test/oauth/callback');
    expect(upstream.body.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(upstream.headers.get('authorization')).toBe(basic('linkbridge-client', 'upstream-secret-value'));
  });

  test('a reused code is invalid_grant (§4.1.2: single use)', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app);
    expect((await tokenRequest(app, codeGrant(code))).status).toBe(200);
    expectOAuthError(await tokenRequest(app, codeGrant(code)), 400, 'invalid_grant');
  });

  test('an unknown code is invalid_grant', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, codeGrant('made-up-code')), 400, 'invalid_grant');
  });

  test('a code lives the documented 300 s (CODE_TTL_SECONDS): redeemed at 299 s, invalid_grant at 301 s (§4.1.2: short-lived)', async () => {
    const { app, clock } = await setup();
    const fresh = await obtainAlexaCode(app);
    const stale = await obtainAlexaCode(app);
    clock.advanceSeconds(299);
    expect((await tokenRequest(app, codeGrant(fresh))).status).toBe(200);
    clock.advanceSeconds(2);
    expectOAuthError(await tokenRequest(app, codeGrant(stale)), 400, 'invalid_grant');
  });

  test('a code is bound to its redirect_uri (§4.1.3)', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app);
    const response = await tokenRequest(app, codeGrant(code, { redirect_uri: 'https://pitangui.amazon.com/api/skill/link/M3BVP74N95SP1F' }));
    expectOAuthError(response, 400, 'invalid_grant');
  });

  test('a code is bound to the client it was issued to (§4.1.3)', async () => {
    const { app, deps, clock } = await setup();
    const code = await new IssuedCodes(deps.store).issue(
      { flowId: 'f', clientId: 'another-client', redirectUri: ALEXA_REDIRECT_URI, upstreamCode: 'u' },
      clock.now() + 60_000,
    );
    expectOAuthError(await tokenRequest(app, codeGrant(code)), 400, 'invalid_grant');
  });

  test('a missing code or redirect_uri is invalid_request', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, { grant_type: 'authorization_code', redirect_uri: ALEXA_REDIRECT_URI }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest(app, { grant_type: 'authorization_code', code: 'x' }), 400, 'invalid_request');
  });
});

describe('PKCE (RFC 7636 §4.6; RFC 9700 §2.1.1)', () => {
  const challenge = s256Challenge(VERIFIER);

  test('the right verifier is accepted', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app, { code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await tokenRequest(app, codeGrant(code, { code_verifier: VERIFIER }))).status).toBe(200);
  });

  test('a wrong verifier is invalid_grant', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app, { code_challenge: challenge, code_challenge_method: 'S256' });
    expectOAuthError(await tokenRequest(app, codeGrant(code, { code_verifier: 'w'.repeat(50) })), 400, 'invalid_grant');
  });

  test('a malformed verifier (too short) is invalid_grant even if it hashes right', async () => {
    const { app } = await setup();
    const short = 'abc';
    const code = await obtainAlexaCode(app, { code_challenge: s256Challenge(short).padEnd(43, 'A').slice(0, 43), code_challenge_method: 'S256' });
    expectOAuthError(await tokenRequest(app, codeGrant(code, { code_verifier: short })), 400, 'invalid_grant');
  });

  test('a missing verifier when a challenge was sent is invalid_grant', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app, { code_challenge: challenge, code_challenge_method: 'S256' });
    expectOAuthError(await tokenRequest(app, codeGrant(code)), 400, 'invalid_grant');
  });

  test('a verifier when no challenge was sent is invalid_grant (downgrade)', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app);
    expectOAuthError(await tokenRequest(app, codeGrant(code, { code_verifier: VERIFIER })), 400, 'invalid_grant');
  });

  test('a failed PKCE check burns the code', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app, { code_challenge: challenge, code_challenge_method: 'S256' });
    await tokenRequest(app, codeGrant(code, { code_verifier: 'w'.repeat(50) }));
    expectOAuthError(await tokenRequest(app, codeGrant(code, { code_verifier: VERIFIER })), 400, 'invalid_grant');
  });
});

describe('client authentication (RFC 6749 §2.3.1, §5.2)', () => {
  test('HTTP Basic is accepted', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app);
    expect((await tokenRequest(app, codeGrant(code))).status).toBe(200);
  });

  test('Basic credentials are form-urlencoded before base64 (§2.3.1)', async () => {
    const { app } = await setup({ ALEXA_CLIENT_SECRET: 'p@ss word:with/colon' });
    const code = await obtainAlexaCode(app);
    const auth = `Basic ${Buffer.from(`${CLIENT_ID}:p%40ss+word%3Awith%2Fcolon`).toString('base64')}`;
    expect((await tokenRequest(app, codeGrant(code), auth)).status).toBe(200);
  });

  test('body credentials are accepted', async () => {
    const { app } = await setup();
    const code = await obtainAlexaCode(app);
    const response = await tokenRequest(app, codeGrant(code, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }), null);
    expect(response.status).toBe(200);
  });

  test('a wrong secret over Basic is 401 invalid_client with WWW-Authenticate', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, codeGrant('x'), basic(CLIENT_ID, 'wrong'));
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
  });

  test('a wrong secret in the body is 401 invalid_client without a Basic challenge', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, codeGrant('x', { client_id: CLIENT_ID, client_secret: 'wrong' }), null);
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  test('a secret that differs only in length is refused', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, codeGrant('x'), basic(CLIENT_ID, `${CLIENT_SECRET}x`)), 401, 'invalid_client');
    expectOAuthError(await tokenRequest(app, codeGrant('x'), basic(CLIENT_ID, CLIENT_SECRET.slice(0, -1))), 401, 'invalid_client');
  });

  test('an unknown client id is 401 invalid_client', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, codeGrant('x'), basic('someone', CLIENT_SECRET)), 401, 'invalid_client');
  });

  test('no credentials at all is 401 invalid_client with a Basic challenge', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, codeGrant('x'), null);
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
  });

  test('a malformed Basic header is 401 invalid_client', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, codeGrant('x'), `Basic ${Buffer.from('no-colon').toString('base64')}`);
    expectOAuthError(response, 401, 'invalid_client');
  });

  test('Basic and body credentials together is invalid_request (§2.3)', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, codeGrant('x', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }));
    expectOAuthError(response, 400, 'invalid_request');
  });
});

describe('request format errors (RFC 6749 §5.2, §3.1, §3.2)', () => {
  test('an unknown grant_type is unsupported_grant_type', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, { grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
  });

  test('a grant_type that is an Object.prototype key is unsupported_grant_type', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, { grant_type: 'constructor' }), 400, 'unsupported_grant_type');
  });

  test('in implicit mode the token endpoint issues nothing: unauthorized_client (§5.2)', async () => {
    const { app, provider } = await setup({ LINK_MODE: 'implicit' });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 400, 'unauthorized_client');
    expect(provider.requests).toHaveLength(0);
  });

  test('a missing grant_type is invalid_request', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, { code: 'x' }), 400, 'invalid_request');
  });

  test('a repeated parameter is invalid_request (§3.1)', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, `grant_type=authorization_code&code=a&code=b&redirect_uri=${encodeURIComponent(ALEXA_REDIRECT_URI)}`);
    expectOAuthError(response, 400, 'invalid_request');
    expect(response.body.error_description).toMatch(/code/);
  });

  test('a JSON body is invalid_request (§3.2: form-encoded)', async () => {
    const { app } = await setup();
    const response = await request(app)
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'r' }));
    expectOAuthError(response, 400, 'invalid_request');
  });

  test('an oversized body is invalid_request, not a 5xx', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, `grant_type=refresh_token&refresh_token=${'r'.repeat(40_000)}`), 400, 'invalid_request');
  });

  test.each([
    ['a gzip-compressed body', { 'Content-Encoding': 'gzip' }],
    ['a body in another charset', { 'Content-Type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }],
  ])('%s is invalid_request, before the client is authenticated or a grant looked at', async (_what, headers) => {
    const { app } = await setup();
    const response = await request(app)
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, 'not-the-secret'))
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set(headers)
      .send('grant_type=refresh_token&refresh_token=r');
    expectOAuthError(response, 400, 'invalid_request');
  });

  test('malformed percent-encoding is not a 5xx', async () => {
    const { app } = await setup();
    const response = await tokenRequest(app, 'grant_type=refresh_token&refresh_token=%E0%A4%A');
    expect(response.status).toBeLessThan(500);
  });

  test('GET on the token endpoint is refused with an OAuth error, not a 5xx', async () => {
    const { app } = await setup();
    const response = await request(app).get('/oauth/token');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.body.error).toBe('invalid_request');
  });
});

describe('refresh_token grant (RFC 6749 §6) and response normalization (§5.1)', () => {
  test('refreshes upstream and keeps Alexa\'s refresh token when the provider sends none', async () => {
    const { app, provider } = await setup();
    provider.respond = () => json(200, { access_token: 'new-access', token_type: 'bearer', expires_in: 7200 });
    const response = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'alexa-held-refresh' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ access_token: 'new-access', token_type: 'Bearer', expires_in: 7200, refresh_token: 'alexa-held-refresh' });
    expect(provider.requests[0].body.get('grant_type')).toBe('refresh_token');
    expect(provider.requests[0].body.get('refresh_token')).toBe('alexa-held-refresh');
  });

  test('a rotated refresh token from the provider is passed on', async () => {
    const { app, provider } = await setup();
    provider.respond = () => json(200, { access_token: 'a2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rotated' });
    const response = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'old' });
    expect(response.body.refresh_token).toBe('rotated');
  });

  test('a rotated pair is replayed to a retry with the old token, its expires_in counted down, without a second provider call', async () => {
    const { app, provider, clock } = await setup();
    provider.respond = () => json(200, { access_token: 'a2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rotated' });
    const first = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'old' });
    clock.advanceSeconds(90);
    const retry = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'old' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...first.body, expires_in: 3600 - 90 });
    expect(provider.requests).toHaveLength(1);
  });

  test('when the provider keeps the refresh token nothing is replayed: each refresh reaches the provider', async () => {
    const { app, provider } = await setup();
    let issued = 0;
    provider.respond = () => json(200, { access_token: `a${(issued += 1)}`, token_type: 'Bearer', expires_in: 3600 });
    const first = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'kept' });
    const second = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'kept' });
    expect([first.body.access_token, second.body.access_token]).toEqual(['a1', 'a2']);
    expect(second.body.refresh_token).toBe('kept');
    expect(provider.requests).toHaveLength(2);
  });

  test('expires_in is always present: the configured default fills a provider gap', async () => {
    const { app, provider } = await setup({ DEFAULT_EXPIRES_IN: '5400' });
    provider.respond = () => json(200, { access_token: 'a', token_type: 'bearer' });
    const response = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' });
    expect(response.body.expires_in).toBe(5400);
    expect(response.body.token_type).toBe('Bearer');
  });

  test('a provider lifetime under 360 s is logged as a warning', async () => {
    const { app, provider, logs } = await setup();
    provider.respond = () => json(200, { access_token: 'a', token_type: 'bearer', expires_in: 120 });
    const response = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' });
    expect(response.body.expires_in).toBe(120);
    expect(logs.entries.some((entry) => entry.level === 40 && entry.expiresIn === 120)).toBe(true);
  });

  test('the provider\'s invalid_grant becomes invalid_grant', async () => {
    const { app, provider } = await setup();
    provider.respond = () => json(400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 400, 'invalid_grant');
  });

  test('a missing refresh_token is invalid_request', async () => {
    const { app } = await setup();
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token' }), 400, 'invalid_request');
  });
});

describe('upstream failures never hang and never leak internals', () => {
  test('an upstream that does not answer is 503 temporarily_unavailable once the budget (UPSTREAM_TIMEOUT_MS) is spent', async () => {
    const { app, provider, clock } = await setup({ UPSTREAM_TIMEOUT_MS: '150' });
    const reached = new Promise<void>((resolve) => {
      provider.respond = (_request, signal) => {
        resolve();
        return hang(signal);
      };
    });
    const answered = tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }).then((response) => response);
    await reached;
    clock.advanceMs(150);
    expectOAuthError(await answered, 503, 'temporarily_unavailable');
  });

  test('a slow provider is waited for, not abandoned: Alexa gets 503 when the budget ends, and its retry gets the answer the call went on to get', async () => {
    const { app, provider, clock } = await setup({ UPSTREAM_TIMEOUT_MS: '3000' });
    let answer: (response: Response) => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      provider.respond = () => {
        resolve();
        return new Promise<Response>((settle) => (answer = settle));
      };
    });
    const first = tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'old' }).then((response) => response);
    await reached;
    // The budget waits on the app's clock, not on real time: nothing is answered until the clock moves.
    expect(clock.waiting).toBe(1);
    clock.advanceMs(3000);
    expectOAuthError(await first, 503, 'temporarily_unavailable');

    // The provider answers after Alexa was told to retry; the call was still running and keeps its answer.
    answer(json(200, { access_token: 'late-access', token_type: 'bearer', expires_in: 3600, refresh_token: 'late-refresh' }));
    const retry = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'old' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ access_token: 'late-access', refresh_token: 'late-refresh' });
    expect(provider.requests).toHaveLength(1);
  });

  test('an upstream 5xx is 503 temporarily_unavailable, not invalid_grant (Alexa would unlink)', async () => {
    const { app, provider } = await setup();
    provider.respond = () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 503, 'temporarily_unavailable');
  });

  test('the provider\'s own server_error in an HTTP 200 is a passing fault: 503, not a final server_error', async () => {
    const { app, provider } = await setup();
    provider.respond = () => json(200, { error: 'server_error', error_description: 'try again later' });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 503, 'temporarily_unavailable');
  });

  test('a redirect from the provider\'s token endpoint is not followed and is a passing fault: 503, with the token URL to check in the log', async () => {
    const { app, provider, logs } = await setup();
    provider.respond = () => new Response('<html>Moved</html>', { status: 302, headers: { location: 'https://provider.test/maintenance', 'content-type': 'text/html' } });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 503, 'temporarily_unavailable');
    expect(provider.requests).toHaveLength(1);
    expect(logs.entries.find((entry) => entry.msg === 'the call to the provider failed')).toMatchObject({
      upstreamStatus: 302,
      outcome: 'temporarily_unavailable',
      check: expect.stringContaining('UPSTREAM_TOKEN_URL'),
    });
  });

  test('an upstream network failure is 503', async () => {
    const { app, provider } = await setup();
    provider.respond = () => {
      throw new TypeError('fetch failed');
    };
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 503, 'temporarily_unavailable');
  });

  test('the provider refusing our own client credentials is server_error without internals, and logged with a hint', async () => {
    const { app, provider, logs } = await setup();
    provider.respond = () => json(401, { error: 'invalid_client', error_description: 'secret upstream-secret-value is wrong' });
    const response = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' });
    expectOAuthError(response, 500, 'server_error');
    expect(response.text).not.toContain('upstream-secret-value');
    expect(logs.text).toContain('UPSTREAM_CLIENT_SECRET');
  });

  test('an upstream 200 without an access token is server_error', async () => {
    const { app, provider } = await setup();
    provider.respond = () => json(200, { token_type: 'bearer' });
    expectOAuthError(await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: 'r' }), 500, 'server_error');
  });
});
