/**
 * WeChat web authorization through the `wechat` preset.
 * @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 */
import { json } from '../../support/provider-replicas/replica-server';
import { startWechatReplica } from '../../support/provider-replicas/wechat.replica';
import { CLIENT, describePresetFlows } from './preset-suite';

describePresetFlows({
  preset: 'wechat',
  start: startWechatReplica,
  env: (origin) => ({ UPSTREAM_AUTHORIZATION_URL: `${origin}/connect/oauth2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/sns/oauth2/access_token` }),
  // The refresh endpoint is WeChat's own; here it is the replica's, set in the config file.
  file: (origin) => ({ upstream: { profile: { refresh: { url: `${origin}/sns/oauth2/refresh_token` } } } }),
  alexaScope: 'profile',
  expectAuthorization: (upstream, raw) => {
    expect(raw.endsWith('#wechat_redirect')).toBe(true);
    expect([...upstream.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(upstream.searchParams.get('appid')).toBe(CLIENT.clientId);
    // Alexa's scope means nothing to WeChat: the preset asks for snsapi_userinfo.
    expect(upstream.searchParams.get('scope')).toBe('snsapi_userinfo');
    // At most 128 bytes of a-zA-Z0-9.
    expect(upstream.searchParams.get('state')).toMatch(/^[a-zA-Z0-9]{1,128}$/);
  },
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
});
