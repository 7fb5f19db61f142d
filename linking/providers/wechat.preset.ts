import type { ProfileOverrides } from '../../models/provider-profile';

/**
 * WeChat web authorization. `appid`/`secret` instead of `client_id`/`client_secret`; the authorization
 * URL ends in `#wechat_redirect` and takes its parameters in a fixed order; `state` is at most 128
 * characters of `a-zA-Z0-9`; a user who refuses comes back with `state` and no `code`. The token call
 * is a GET with no `redirect_uri`; the refresh call is another endpoint that takes `appid` and no
 * secret. Answers are JSON sent as `text/plain`; errors are HTTP 200 `{"errcode":…,"errmsg":…}`
 * (`40029` invalid code, `40163` code already used, `40030`/`42002` dead refresh token, `-1` busy).
 * The user is the answer's `openid` (and `unionid` across a developer's apps).
 * @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 */
export const wechatPreset: ProfileOverrides = {
  name: 'wechat',
  documentation: 'https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html',
  authorization: {
    url: 'https://open.weixin.qq.com/connect/oauth2/authorize',
    clientIdParameter: 'appid',
    urlSuffix: '#wechat_redirect',
    maxStateLength: 128,
    pkce: false,
    missingCode: 'access_denied',
  },
  scope: { alexa: 'replace', value: 'snsapi_userinfo', separator: ',' },
  token: {
    url: 'https://api.weixin.qq.com/sns/oauth2/access_token',
    method: 'GET',
    clientAuthentication: 'client_secret_post',
    parameterNames: { client_id: 'appid', client_secret: 'secret' },
    omitParameters: ['redirect_uri', 'code_verifier'],
    answer: { identity: { userId: 'openid', unionId: 'unionid' } },
  },
  refresh: {
    url: 'https://api.weixin.qq.com/sns/oauth2/refresh_token',
    clientAuthentication: 'none',
  },
  errors: {
    codePath: 'errcode',
    descriptionPath: 'errmsg',
    rules: [
      { code: 40029, error: 'invalid_grant' },
      { code: 40163, error: 'invalid_grant' },
      { code: 40030, error: 'invalid_grant' },
      { code: 42002, error: 'invalid_grant' },
      { code: 40013, error: 'invalid_client' },
      { code: 40125, error: 'invalid_client' },
      { code: -1, error: 'temporarily_unavailable' },
      { code: 45009, error: 'temporarily_unavailable' },
      { code: 45011, error: 'temporarily_unavailable' },
    ],
  },
};
