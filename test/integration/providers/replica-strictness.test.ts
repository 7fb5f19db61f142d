/**
 * The replicas are as strict as the providers they stand for: wrong parameter names, a reused code, a
 * wrong redirect_uri and missing credentials are refused, each in that provider's own error shape. A
 * preset that passes against a lenient replica would prove nothing.
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
