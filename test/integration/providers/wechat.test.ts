/**
 * WeChat through its two presets, end to end against the replica of WeChat's documented wire format:
 * `wechat`, the website application login (a QR code page any browser opens, the Alexa app's included),
 * and `wechat-official`, the official account web authorization (a page WeChat serves only inside its own
 * browser). Both exchange and refresh at the same `sns/oauth2` API.
 * @see https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html
 * @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 */
import { Cleanup } from '../../support/cleanup';
import { json } from '../../support/provider-replicas/replica-server';
import { startWechatReplica, WECHAT_BROWSER_USER_AGENT } from '../../support/provider-replicas/wechat.replica';
import { authorize, CLIENT, describePresetFlows, startLinkbridge, type PresetCase } from './preset-suite';

/** What both sign-ins share: the token and refresh API, WeChat's errors, the identity in the answer. */
const shared: Omit<PresetCase, 'preset' | 'env' | 'expectAuthorization'> = {
  start: startWechatReplica,
  alexaScope: 'profile',
  expectTokenCall: (call) => {
    expect(call.method).toBe('GET');
    expect(call.path).toBe('/sns/oauth2/access_token');
    expect(Object.fromEntries(call.query)).toEqual({ appid: CLIENT.clientId, secret: CLIENT.clientSecret, grant_type: 'authorization_code', code: expect.any(String) });
  },
  refresh: {
    kind: 'stable',
    expectCall: (call) => {
      expect(call.method).toBe('GET');
      expect(call.path).toBe('/sns/oauth2/refresh_token');
      // appid and no secret.
      expect(Object.fromEntries(call.query)).toEqual({ appid: CLIENT.clientId, grant_type: 'refresh_token', refresh_token: expect.any(String) });
    },
  },
  identity: { userId: 'oWx-openid-1', unionId: 'oUnion-1' },
  // WeChat's "system busy": HTTP 200, errcode -1.
  outage: json(200, { errcode: -1, errmsg: 'system error' }, 'text/plain'),
};

/** The authorization URL both build: WeChat's parameter order, its suffix, a short state handle. */
function expectWechatAuthorization(upstream: URL, raw: string, path: string, scope: string): void {
  expect(upstream.pathname).toBe(path);
  expect(raw.endsWith('#wechat_redirect')).toBe(true);
  expect([...upstream.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
  expect(upstream.searchParams.get('appid')).toBe(CLIENT.clientId);
  // Alexa's scope means nothing to WeChat: the preset asks for its own.
  expect(upstream.searchParams.get('scope')).toBe(scope);
  // At most 128 bytes of a-zA-Z0-9.
  expect(upstream.searchParams.get('state')).toMatch(/^[a-zA-Z0-9]{1,128}$/);
}

const website: PresetCase = {
  ...shared,
  preset: 'wechat',
  // Every endpoint is WeChat's own; here they are the replica's (the refresh one moved by UPSTREAM_REFRESH_URL).
  env: (origin) => ({
    UPSTREAM_AUTHORIZATION_URL: `${origin}/connect/qrconnect`,
    UPSTREAM_TOKEN_URL: `${origin}/sns/oauth2/access_token`,
    UPSTREAM_REFRESH_URL: `${origin}/sns/oauth2/refresh_token`,
  }),
  expectAuthorization: (upstream, raw) => expectWechatAuthorization(upstream, raw, '/connect/qrconnect', 'snsapi_login'),
};

const officialAccount: PresetCase = {
  ...shared,
  preset: 'wechat-official',
  env: (origin) => ({
    UPSTREAM_AUTHORIZATION_URL: `${origin}/connect/oauth2/authorize`,
    UPSTREAM_TOKEN_URL: `${origin}/sns/oauth2/access_token`,
    UPSTREAM_REFRESH_URL: `${origin}/sns/oauth2/refresh_token`,
  }),
  // The user opened the link inside WeChat.
  browserHeaders: { 'user-agent': WECHAT_BROWSER_USER_AGENT },
  expectAuthorization: (upstream, raw) => expectWechatAuthorization(upstream, raw, '/connect/oauth2/authorize', 'snsapi_userinfo'),
};

describe('wechat: the website application login, from any browser', () => {
  describePresetFlows(website);
});

describe('wechat-official: the official account web authorization, inside WeChat', () => {
  describePresetFlows(officialAccount);
});

describe('why the website login is the default', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  /** Opens the sign-in page in the Alexa app's browser (not WeChat's) and returns WeChat's answer. */
  async function openOutsideWechat(testCase: PresetCase): Promise<Response> {
    const replica = cleanup.add(await startWechatReplica(CLIENT), (started) => started.close());
    const bridge = await startLinkbridge(testCase, replica.origin);
    cleanup.add(bridge.deps.store, (store) => store.close());
    const upstream = await authorize(bridge, testCase);
    return fetch(upstream.split('#')[0], { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Amazon Alexa' } });
  }

  test('wechat: the QR code page opens in the Alexa app\'s browser, and the scan brings the user back with a code', async () => {
    const page = await openOutsideWechat(website);
    expect(page.status).toBe(302);
    expect(new URL(page.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  test('wechat-official: the official account\'s page refuses any browser but WeChat\'s', async () => {
    const page = await openOutsideWechat(officialAccount);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('请在微信客户端打开链接');
  });
});
