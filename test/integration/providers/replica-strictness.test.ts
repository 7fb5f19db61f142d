/**
 * The replicas are as strict as the providers they stand for: wrong parameter names, a reused code, a
 * wrong redirect_uri and missing credentials are refused, each in that provider's own error shape; so are
 * a code past the provider's documented lifetime (by the replica's test clock), a repeated parameter and a
 * PKCE verifier that is not RFC 7636's. A preset that passes against a lenient replica would prove nothing.
 */
import { startFacebookReplica, FACEBOOK_VERSION } from '../../support/provider-replicas/facebook.replica';
import { startGithubReplica } from '../../support/provider-replicas/github.replica';
import { startOidcReplica } from '../../support/provider-replicas/oidc.replica';
import { s256, type RunningReplica } from '../../support/provider-replicas/replica-server';
import { startSlackReplica } from '../../support/provider-replicas/slack.replica';
import { startWechatReplica, WECHAT_BROWSER_USER_AGENT } from '../../support/provider-replicas/wechat.replica';
import { startXReplica } from '../../support/provider-replicas/x.replica';
import { Cleanup } from '../../support/cleanup';
import { CLIENT } from './preset-suite';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function start(starter: () => Promise<RunningReplica>): Promise<RunningReplica> {
  return cleanup.add(await starter(), (replica) => replica.close());
}

/** Follows an authorization URL as the user's browser would; returns the code the provider gives. */
async function codeFrom(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const code = new URL(response.headers.get('location') ?? 'http://none.invalid').searchParams.get('code');
  if (!code) throw new Error(`no code from ${url}: ${response.status} ${await response.text()}`);
  return code;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  return { status: response.status, body, text };
}

function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
}

const basicHeader = { authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}` };
const verifier = 'v'.repeat(43);
/** Verifiers RFC 7636 §4.1 does not allow (too short, too long, a character outside the unreserved set), each with its own S256 challenge. */
const MALFORMED_VERIFIERS = ['v'.repeat(42), 'v'.repeat(129), `${'v'.repeat(42)}+`];

/** A form body with one parameter given twice, as URLSearchParams cannot build from an object. */
function withRepeated(form: Record<string, string>, name: string): string {
  const body = new URLSearchParams(form);
  body.append(name, form[name] ?? 'again');
  return body.toString();
}

/**
 * Moves the replica's clock to one second before a code issued now dies, redeems `redeem(first)` there,
 * then one second past, where `redeem(second)` must be refused.
 */
async function acrossTheLifetime<T>(replica: RunningReplica, lifetimeSeconds: number, codes: () => Promise<string>, redeem: (code: string) => Promise<T>): Promise<{ justInTime: T; tooLate: T }> {
  const first = await codes();
  const second = await codes();
  replica.state.clock.advanceSeconds(lifetimeSeconds - 1);
  const justInTime = await redeem(first);
  replica.state.clock.advanceSeconds(2);
  return { justInTime, tooLate: await redeem(second) };
}

/** @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors */
describe('GitHub replica', () => {
  test('refuses bad credentials, a wrong redirect_uri and a reused code with HTTP 200 errors', async () => {
    const replica = await start(() => startGithubReplica(CLIENT));
    const authorizeUrl = `${replica.origin}/login/oauth/authorize?client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&state=s`;
    const tokenUrl = `${replica.origin}/login/oauth/access_token`;
    const json = { accept: 'application/json' };
    const code = await codeFrom(authorizeUrl);
    expect(await post(tokenUrl, { client_id: CLIENT.clientId, code }, json)).toMatchObject({ status: 200, body: { error: 'incorrect_client_credentials' } });
    expect(await post(tokenUrl, { appid: CLIENT.clientId, client_secret: CLIENT.clientSecret, code }, json)).toMatchObject({ body: { error: 'incorrect_client_credentials' } });
    const creds = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
    const second = await codeFrom(authorizeUrl);
    expect(await post(tokenUrl, { ...creds, code: second, redirect_uri: 'https://elsewhere.test/cb' }, json)).toMatchObject({ body: { error: 'redirect_uri_mismatch' } });
    const third = await codeFrom(authorizeUrl);
    expect(await post(tokenUrl, { ...creds, code: third }, json)).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });
    expect(await post(tokenUrl, { ...creds, code: third }, json)).toMatchObject({ status: 200, body: { error: 'bad_verification_code' } });
    // Without Accept: application/json the answer is form-encoded.
    const fourth = await codeFrom(authorizeUrl);
    expect((await post(tokenUrl, { ...creds, code: fourth })).text).toMatch(/^access_token=/);
  });
});

/** @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps */
describe('GitHub replica: lifetime, repetition, PKCE', () => {
  test('a code lives 10 minutes; a repeated parameter and a malformed verifier are bad_verification_code', async () => {
    const replica = await start(() => startGithubReplica(CLIENT));
    const authorizeUrl = (challenge?: string) =>
      `${replica.origin}/login/oauth/authorize?client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&state=s${challenge ? `&code_challenge=${challenge}&code_challenge_method=S256` : ''}`;
    const tokenUrl = `${replica.origin}/login/oauth/access_token`;
    const json = { accept: 'application/json' };
    const creds = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 600, () => codeFrom(authorizeUrl()), (code) => post(tokenUrl, { ...creds, code }, json));
    expect(justInTime).toMatchObject({ body: { access_token: expect.any(String) } });
    expect(tooLate).toMatchObject({ status: 200, body: { error: 'bad_verification_code' } });

    expect((await call(`${authorizeUrl()}&state=again`)).status).toBe(400);
    const code = await codeFrom(authorizeUrl());
    const twice = await call(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...json }, body: withRepeated({ ...creds, code }, 'code') });
    expect(twice).toMatchObject({ body: { error: 'bad_verification_code' } });
    for (const malformed of MALFORMED_VERIFIERS) {
      const pkceCode = await codeFrom(authorizeUrl(s256(malformed)));
      expect(await post(tokenUrl, { ...creds, code: pkceCode, code_verifier: malformed }, json)).toMatchObject({ body: { error: 'bad_verification_code' } });
    }
    const wellFormed = await codeFrom(authorizeUrl(s256(verifier)));
    expect(await post(tokenUrl, { ...creds, code: wellFormed, code_verifier: verifier }, json)).toMatchObject({ body: { access_token: expect.any(String) } });
  });
});

/** @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html */
describe('WeChat replica', () => {
  test('refuses RFC names, a wrong redirect_uri, parameters out of order, the wrong scope or browser, and a reused code', async () => {
    const replica = await start(() => startWechatReplica(CLIENT));
    const redirect = encodeURIComponent(CLIENT.redirectUri);
    const inWechat = { headers: { 'user-agent': WECHAT_BROWSER_USER_AGENT } };
    const official = `${replica.origin}/connect/oauth2/authorize?appid=${CLIENT.clientId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_userinfo&state=abc`;
    expect((await call(`${replica.origin}/connect/oauth2/authorize?client_id=${CLIENT.clientId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_userinfo`, inWechat)).status).toBe(400);
    expect((await call(`${replica.origin}/connect/oauth2/authorize?redirect_uri=${redirect}&appid=${CLIENT.clientId}&response_type=code&scope=snsapi_userinfo`, inWechat)).status).toBe(400);
    expect((await call(official.replace(redirect, encodeURIComponent('https://elsewhere.test/cb')), inWechat)).text).toContain('redirect_uri');
    // The official account's page opens only in WeChat's browser; the website login's in any, with snsapi_login only.
    expect((await call(official)).text).toContain('请在微信客户端打开链接');
    const authorizeUrl = `${replica.origin}/connect/qrconnect?appid=${CLIENT.clientId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_login&state=abc`;
    expect((await call(authorizeUrl.replace('snsapi_login', 'snsapi_userinfo'))).status).toBe(400);
    expect((await call(authorizeUrl.replace(redirect, encodeURIComponent('https://elsewhere.test/cb')))).text).toContain('redirect_uri');
    const token = (query: string) => call(`${replica.origin}/sns/oauth2/access_token?${query}`);
    const code = await codeFrom(authorizeUrl);
    expect(await token(`client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}&code=${code}&grant_type=authorization_code`)).toMatchObject({ status: 200, body: { errcode: 41002 } });
    expect(await token(`appid=${CLIENT.clientId}&code=${code}&grant_type=authorization_code`)).toMatchObject({ body: { errcode: 41004 } });
    const good = `appid=${CLIENT.clientId}&secret=${CLIENT.clientSecret}&code=${code}&grant_type=authorization_code`;
    expect(await token(good)).toMatchObject({ body: { openid: expect.any(String) } });
    expect(await token(good)).toMatchObject({ status: 200, body: { errcode: 40163 } });
    expect(await token(good.replace(code, 'made-up'))).toMatchObject({ body: { errcode: 40029 } });
    // The token endpoint takes GET only, as documented.
    expect((await post(`${replica.origin}/sns/oauth2/access_token`, { appid: CLIENT.clientId })).status).toBe(404);
  });
});

describe('WeChat replica: lifetime, repetition', () => {
  test('a code lives 5 minutes (errcode 40029 after); a repeated parameter is errcode 40097, at the authorization URL an error page', async () => {
    const replica = await start(() => startWechatReplica(CLIENT));
    const authorizeUrl = `${replica.origin}/connect/qrconnect?appid=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&response_type=code&scope=snsapi_login&state=abc`;
    const token = (query: string) => call(`${replica.origin}/sns/oauth2/access_token?${query}`);
    const good = (code: string) => `appid=${CLIENT.clientId}&secret=${CLIENT.clientSecret}&code=${code}&grant_type=authorization_code`;
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 300, () => codeFrom(authorizeUrl), (code) => token(good(code)));
    expect(justInTime).toMatchObject({ body: { openid: expect.any(String) } });
    expect(tooLate).toMatchObject({ status: 200, body: { errcode: 40029 } });
    expect((await call(`${authorizeUrl}&state=again`)).status).toBe(400);
    const code = await codeFrom(authorizeUrl);
    expect(await token(`${good(code)}&code=${code}`)).toMatchObject({ status: 200, body: { errcode: 40097 } });
  });
});

/** @see https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow */
describe('Facebook replica', () => {
  test('refuses missing credentials, a different redirect_uri and a reused code with nested OAuthExceptions', async () => {
    const replica = await start(() => startFacebookReplica(CLIENT));
    const redirect = encodeURIComponent(CLIENT.redirectUri);
    const dialog = `${replica.origin}/${FACEBOOK_VERSION}/dialog/oauth?client_id=${CLIENT.clientId}&redirect_uri=${redirect}&state=s`;
    const token = (query: string) => call(`${replica.origin}/${FACEBOOK_VERSION}/oauth/access_token?${query}`);
    const code = await codeFrom(dialog);
    expect(await token(`client_id=${CLIENT.clientId}&redirect_uri=${redirect}&code=${code}`)).toMatchObject({ status: 400, body: { error: { type: 'OAuthException', code: 1 } } });
    expect(await token(`app_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}&redirect_uri=${redirect}&code=${code}`)).toMatchObject({ body: { error: { code: 101 } } });
    const good = `client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}&redirect_uri=${redirect}&code=${code}`;
    expect(await token(good.replace(redirect, encodeURIComponent(`${CLIENT.redirectUri}/`)))).toMatchObject({ body: { error: { code: 100, error_subcode: 36008 } } });
    const fresh = await codeFrom(dialog);
    expect(await token(good.replace(code, fresh))).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });
    expect(await token(good.replace(code, fresh))).toMatchObject({ status: 400, body: { error: { code: 100, error_subcode: 36009 } } });
  });
});

describe('Facebook replica: lifetime, repetition', () => {
  test('a code dies after 10 minutes ("has expired"); a repeated parameter is code 100', async () => {
    const replica = await start(() => startFacebookReplica(CLIENT));
    const redirect = encodeURIComponent(CLIENT.redirectUri);
    const dialog = `${replica.origin}/${FACEBOOK_VERSION}/dialog/oauth?client_id=${CLIENT.clientId}&redirect_uri=${redirect}&state=s`;
    const token = (query: string) => call(`${replica.origin}/${FACEBOOK_VERSION}/oauth/access_token?${query}`);
    const good = (code: string) => `client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}&redirect_uri=${redirect}&code=${code}`;
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 600, () => codeFrom(dialog), (code) => token(good(code)));
    expect(justInTime).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });
    expect(tooLate).toMatchObject({ status: 400, body: { error: { code: 100, message: 'This authorization code has expired.' } } });
    expect((await call(`${dialog}&client_id=${CLIENT.clientId}`)).status).toBe(400);
    const code = await codeFrom(dialog);
    expect(await token(`${good(code)}&client_id=${CLIENT.clientId}`)).toMatchObject({ status: 400, body: { error: { type: 'OAuthException', code: 100 } } });
  });
});

/** @see https://docs.slack.dev/reference/methods/oauth.v2.access */
describe('Slack replica', () => {
  test('refuses missing credentials, a wrong redirect_uri and a reused code with ok:false', async () => {
    const replica = await start(() => startSlackReplica(CLIENT));
    const authorizeUrl = `${replica.origin}/oauth/v2/authorize?client_id=${CLIENT.clientId}&user_scope=users:read&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&state=s`;
    const access = `${replica.origin}/api/oauth.v2.access`;
    const code = await codeFrom(authorizeUrl);
    expect(await post(access, { code, redirect_uri: CLIENT.redirectUri })).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_client_id' } });
    expect(await post(access, { code, redirect_uri: 'https://elsewhere.test/cb' }, basicHeader)).toMatchObject({ body: { ok: false, error: 'bad_redirect_uri' } });
    const fresh = await codeFrom(authorizeUrl);
    expect(await post(access, { code: fresh, redirect_uri: CLIENT.redirectUri }, basicHeader)).toMatchObject({ body: { ok: true, authed_user: { id: 'U0001' } } });
    expect(await post(access, { code: fresh, redirect_uri: CLIENT.redirectUri }, basicHeader)).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_code' } });
  });
});

describe('Slack replica: lifetime, repetition, PKCE', () => {
  test('a code lives 10 minutes (invalid_code after); a repeated parameter is invalid_arguments; a malformed verifier invalid_code_verifier', async () => {
    const replica = await start(() => startSlackReplica(CLIENT));
    const authorizeUrl = (challenge?: string) =>
      `${replica.origin}/oauth/v2/authorize?client_id=${CLIENT.clientId}&user_scope=users:read&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&state=s${challenge ? `&code_challenge=${challenge}&code_challenge_method=S256` : ''}`;
    const access = `${replica.origin}/api/oauth.v2.access`;
    const redeem = (code: string, extra: Record<string, string> = {}) => post(access, { code, redirect_uri: CLIENT.redirectUri, ...extra }, basicHeader);
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 600, () => codeFrom(authorizeUrl()), (code) => redeem(code));
    expect(justInTime).toMatchObject({ body: { ok: true } });
    expect(tooLate).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_code' } });
    expect((await call(`${authorizeUrl()}&user_scope=users:read`)).status).toBe(400);
    const code = await codeFrom(authorizeUrl());
    const twice = await call(access, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicHeader }, body: withRepeated({ code, redirect_uri: CLIENT.redirectUri }, 'code') });
    expect(twice).toMatchObject({ body: { ok: false, error: 'invalid_arguments' } });
    for (const malformed of MALFORMED_VERIFIERS) {
      expect(await redeem(await codeFrom(authorizeUrl(s256(malformed))), { code_verifier: malformed })).toMatchObject({ body: { ok: false, error: 'invalid_code_verifier' } });
    }
    expect(await redeem(await codeFrom(authorizeUrl(s256(verifier))), { code_verifier: verifier })).toMatchObject({ body: { ok: true } });
  });
});

/** @see https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code */
describe('X replica', () => {
  test('refuses a long state, Basic without client_id in the body, a wrong redirect_uri and a reused code', async () => {
    const replica = await start(() => startXReplica(CLIENT));
    const authorizeUrl = (state: string) =>
      `${replica.origin}/i/oauth2/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&scope=users.read&state=${state}&code_challenge=${s256(verifier)}&code_challenge_method=S256`;
    expect((await call(authorizeUrl('s'.repeat(501)))).status).toBe(400);
    const tokenUrl = `${replica.origin}/2/oauth2/token`;
    const form = (code: string) => ({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, code_verifier: verifier });
    const code = await codeFrom(authorizeUrl('s'));
    expect(await post(tokenUrl, { ...form(code), client_id: CLIENT.clientId })).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
    expect(await post(tokenUrl, form(code), basicHeader)).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Missing required parameter [client_id].' } });
    expect(await post(tokenUrl, { ...form(code), client_id: CLIENT.clientId, redirect_uri: 'https://elsewhere.test/cb' }, basicHeader)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const fresh = await codeFrom(authorizeUrl('s'));
    expect(await post(tokenUrl, { ...form(fresh), client_id: CLIENT.clientId }, basicHeader)).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });
    expect(await post(tokenUrl, { ...form(fresh), client_id: CLIENT.clientId }, basicHeader)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' },
    });
  });
});

describe('X replica: lifetime, repetition, PKCE', () => {
  test('a code lives 30 seconds; a repeated parameter and a malformed verifier are invalid_request', async () => {
    const replica = await start(() => startXReplica(CLIENT));
    const authorizeUrl = (challenge = s256(verifier)) =>
      `${replica.origin}/i/oauth2/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&scope=users.read&state=s&code_challenge=${challenge}&code_challenge_method=S256`;
    const tokenUrl = `${replica.origin}/2/oauth2/token`;
    const form = (code: string, codeVerifier = verifier) => ({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, code_verifier: codeVerifier, client_id: CLIENT.clientId });
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 30, () => codeFrom(authorizeUrl()), (code) => post(tokenUrl, form(code), basicHeader));
    expect(justInTime).toMatchObject({ status: 200, body: { access_token: expect.any(String) } });
    expect(tooLate).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' } });
    expect((await call(`${authorizeUrl()}&state=again`)).status).toBe(400);
    const code = await codeFrom(authorizeUrl());
    const twice = await call(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicHeader }, body: withRepeated(form(code), 'code') });
    expect(twice).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Duplicate parameter [code].' } });
    for (const malformed of MALFORMED_VERIFIERS) {
      expect(await post(tokenUrl, form(await codeFrom(authorizeUrl(s256(malformed))), malformed), basicHeader)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
  });
});

/** @see https://openid.net/specs/openid-connect-core-1_0.html#TokenErrorResponse */
describe('OpenID Connect replica', () => {
  test('refuses a request without openid, body credentials, a wrong redirect_uri and a reused code', async () => {
    const replica = await start(() => startOidcReplica(CLIENT));
    const authorizeUrl = (scope: string) =>
      `${replica.origin}/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&scope=${scope}&state=s`;
    const refused = await fetch(authorizeUrl('profile'), { redirect: 'manual' });
    expect(new URL(refused.headers.get('location')!).searchParams.get('error')).toBe('invalid_scope');
    const tokenUrl = `${replica.origin}/token`;
    const code = await codeFrom(authorizeUrl('openid'));
    expect(await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: 'https://elsewhere.test/cb' }, basicHeader)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const fresh = await codeFrom(authorizeUrl('openid'));
    expect(await post(tokenUrl, { grant_type: 'authorization_code', code: fresh, redirect_uri: CLIENT.redirectUri }, basicHeader)).toMatchObject({ status: 200, body: { id_token: expect.any(String) } });
    expect(await post(tokenUrl, { grant_type: 'authorization_code', code: fresh, redirect_uri: CLIENT.redirectUri }, basicHeader)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

/** @see https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#ttl */
describe('OpenID Connect replica: lifetime, repetition, PKCE (as oidc-provider answers)', () => {
  test('a code lives 60 s (invalid_grant after); a repeated parameter and a malformed verifier are invalid_request', async () => {
    const replica = await start(() => startOidcReplica(CLIENT));
    const authorizeUrl = (challenge?: string) =>
      `${replica.origin}/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&scope=openid&state=s${challenge ? `&code_challenge=${challenge}&code_challenge_method=S256` : ''}`;
    const tokenUrl = `${replica.origin}/token`;
    const form = (code: string, extra: Record<string, string> = {}) => ({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, ...extra });
    const { justInTime, tooLate } = await acrossTheLifetime(replica, 60, () => codeFrom(authorizeUrl()), (code) => post(tokenUrl, form(code), basicHeader));
    expect(justInTime).toMatchObject({ status: 200, body: { id_token: expect.any(String) } });
    expect(tooLate).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'authorization code is expired' } });
    expect(await call(`${authorizeUrl()}&scope=openid`)).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: "'scope' parameter must not be provided twice" } });
    const code = await codeFrom(authorizeUrl());
    const twice = await call(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicHeader }, body: withRepeated(form(code), 'code') });
    expect(twice).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: "'code' parameter must not be provided twice" } });
    for (const malformed of MALFORMED_VERIFIERS) {
      const refused = await post(tokenUrl, form(await codeFrom(authorizeUrl(s256(malformed))), { code_verifier: malformed }), basicHeader);
      expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    expect(await post(tokenUrl, form(await codeFrom(authorizeUrl(s256(verifier))), { code_verifier: verifier }), basicHeader)).toMatchObject({ status: 200 });
  });

  test('the ID token is dated by the replica\'s clock, not the calendar', async () => {
    const replica = await start(() => startOidcReplica(CLIENT));
    replica.state.clock.advanceSeconds(1000);
    const code = await codeFrom(`${replica.origin}/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&scope=openid&state=s`);
    const answer = await post(`${replica.origin}/token`, { grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri }, basicHeader);
    const claims = JSON.parse(Buffer.from(String((answer.body as { id_token: string }).id_token.split('.')[1]), 'base64url').toString()) as { iat: number; exp: number };
    expect(claims).toMatchObject({ iat: Math.floor(replica.state.clock.now() / 1000), exp: Math.floor(replica.state.clock.now() / 1000) + 3600 });
  });
});
