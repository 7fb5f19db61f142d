import type { ProfileOverrides } from '../provider-profile';

/**
 * What both WeChat sign-ins share: `appid`/`secret` instead of `client_id`/`client_secret`; an
 * authorization URL that ends in `#wechat_redirect` and takes its parameters in a fixed order; `state` of
 * at most 128 characters of `a-zA-Z0-9`; a user who refuses comes back with `state` and no `code`. The
 * token call is a GET to `sns/oauth2/access_token` with no `redirect_uri`; the refresh call is another
 * endpoint, `sns/oauth2/refresh_token`, that takes `appid` and no secret. Answers are JSON sent as
 * `text/plain`; errors are HTTP 200 `{"errcode":…,"errmsg":…}` (`40029` invalid code, `40163` code
 * already used, `40030`/`42002` dead refresh token, `-1` busy). The user is the answer's `openid` (and
 * `unionid` across a developer's apps).
 */
const wechatCommon: ProfileOverrides = {
  authorization: {
    clientIdParameter: 'appid',
    urlSuffix: '#wechat_redirect',
    maxStateLength: 128,
    pkce: false,
    missingCode: 'access_denied',
  },
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

/**
 * WeChat Login for a website application (`wechat`): the sign-in page at `connect/qrconnect` shows a QR
 * code the user scans with the WeChat app, so it opens in any browser, the Alexa app's included. The
 * only scope is `snsapi_login`. Needs a website application approved on the WeChat Open Platform, with
 * linkbridge's host as its authorization callback domain.
 * @see https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html
 */
export const wechatPreset: ProfileOverrides = {
  ...wechatCommon,
  name: 'wechat',
  documentation: 'https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html',
  authorization: { ...wechatCommon.authorization, url: 'https://open.weixin.qq.com/connect/qrconnect' },
  scope: { alexa: 'replace', value: 'snsapi_login', separator: ',' },
};

/**
 * WeChat web authorization for an official account (`wechat-official`): the sign-in page at
 * `connect/oauth2/authorize` opens only inside WeChat's own browser, so it suits a link the user opens
 * in WeChat, never the Alexa app. Scope `snsapi_userinfo` (the profile, with the user's consent).
 * @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 */
export const wechatOfficialPreset: ProfileOverrides = {
  ...wechatCommon,
  name: 'wechat-official',
  documentation: 'https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html',
  authorization: { ...wechatCommon.authorization, url: 'https://open.weixin.qq.com/connect/oauth2/authorize' },
  scope: { alexa: 'replace', value: 'snsapi_userinfo', separator: ',' },
};
