/**
 * WeChat's two web sign-ins as documented, sharing one token API:
 * - Website application login (`/connect/qrconnect`): a page any browser opens, showing a QR code the
 *   user scans with the WeChat app; `appid`, `redirect_uri`, `response_type=code`, `scope=snsapi_login`
 *   (a website application's only scope; otherwise "该链接无法访问", this link cannot be opened), `state`,
 *   then `#wechat_redirect`. The replica's `decision` stands for the user's scan and confirmation.
 *   https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html
 * - Official account web authorization (`/connect/oauth2/authorize`): served only inside WeChat's own
 *   browser (its user agent says `MicroMessenger`; elsewhere the page says "请在微信客户端打开链接", open
 *   the link in the WeChat client), its parameters in a fixed order (appid, redirect_uri, response_type,
 *   scope, state), scope `snsapi_base` or `snsapi_userinfo`.
 *   https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 * Both: a `state` of at most 128 bytes of a-zA-Z0-9, a refusal that returns `state` without `code`, GET
 * token (`sns/oauth2/access_token`) and refresh (`sns/oauth2/refresh_token`) calls taking
 * `appid`/`secret`, JSON sent as `text/plain`, and errors as HTTP 200 `{"errcode","errmsg"}`.
 */
import { errorPage, json, ReplicaState, startReplica, takeQueuedFailure, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

const ORDER = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'];
const OFFICIAL_ACCOUNT_SCOPES = new Set(['snsapi_base', 'snsapi_userinfo']);

/** The user agent of WeChat's in-app browser carries this. */
export const WECHAT_BROWSER_USER_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49';

export function startWechatReplica(client: RegisteredClient): Promise<RunningReplica> {
  // "code … 5分钟未被使用自动过期": a code not used within 5 minutes expires.
  const state = new ReplicaState(client, { codeLifetimeSeconds: 300 });
  return startReplica(state, () => ({
    'GET /connect/qrconnect': (call) => websiteLogin(state, call),
    'GET /connect/oauth2/authorize': (call) => officialAccountAuthorize(state, call),
    'GET /sns/oauth2/access_token': (call) => accessToken(state, call),
    'GET /sns/oauth2/refresh_token': (call) => refreshToken(state, call),
  }));
}

/** The website application's QR code page: any browser; the only scope is snsapi_login. */
function websiteLogin(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (q.get('scope') !== 'snsapi_login') return errorPage('该链接无法访问 (scope must be snsapi_login)');
  return signIn(state, q);
}

/** The official account's page: only inside WeChat, its parameters in WeChat's order. */
function officialAccountAuthorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  if (!String(call.headers['user-agent'] ?? '').includes('MicroMessenger')) return errorPage('请在微信客户端打开链接 (open the link in the WeChat client)');
  const q = call.query;
  const names = [...q.keys()];
  // WeChat matches the link against a strict pattern: the parameters in this order, nothing else.
  if (names.join(',') !== ORDER.slice(0, names.length).join(',') || names.length < 4) return errorPage('参数错误 (parameters out of order or unknown)');
  if (!OFFICIAL_ACCOUNT_SCOPES.has(q.get('scope') ?? '')) return errorPage('scope参数错误或没有scope权限 (10005)');
  return signIn(state, q);
}

/** What both pages check, then the user's decision: back to the redirect URI with a code, or with the state alone. */
function signIn(state: ReplicaState, q: URLSearchParams): ReplicaAnswer {
  // Both pages take each parameter once; a link with one repeated is a link WeChat does not recognise.
  if (new Set(q.keys()).size !== [...q.keys()].length) return errorPage('参数错误 (a parameter appears more than once)');
  if (q.get('appid') !== state.client.clientId) return errorPage('appid参数错误 (10016)');
  if (q.get('redirect_uri') !== state.client.redirectUri) return errorPage('redirect_uri参数错误 (10003)');
  if (q.get('response_type') !== 'code') return errorPage('response_type参数错误 (10004)');
  // At most 128 bytes of a-zA-Z0-9: anything longer does not come back intact.
  const sentState = q.get('state') ?? undefined;
  const returnedState = sentState === undefined ? undefined : sentState.slice(0, 128);
  if (returnedState !== undefined && !/^[a-zA-Z0-9]*$/.test(returnedState)) return errorPage('state参数错误');
  if (state.decision === 'deny') return state.redirect(state.client.redirectUri, { state: returnedState });
  const code = state.issueCode({ redirectUri: state.client.redirectUri, scope: q.get('scope')! });
  return state.redirect(state.client.redirectUri, { code, state: returnedState });
}

/** WeChat answers JSON as `text/plain`, errors included. */
function wechat(body: unknown): ReplicaAnswer {
  return json(200, body, 'text/plain');
}

function checkApp(state: ReplicaState, call: ReplicaCall, needSecret: boolean): ReplicaAnswer | undefined {
  const q = call.query;
  if (q.get('appid') === null) return wechat({ errcode: 41002, errmsg: 'appid missing' });
  if (q.get('appid') !== state.client.clientId) return wechat({ errcode: 40013, errmsg: 'invalid appid' });
  if (!needSecret) return undefined;
  if (q.get('secret') === null) return wechat({ errcode: 41004, errmsg: 'appsecret missing' });
  if (q.get('secret') !== state.client.clientSecret) return wechat({ errcode: 40125, errmsg: 'invalid appsecret' });
  return undefined;
}

function accessToken(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  if (state.repeatedParameter(call)) return wechat({ errcode: 40097, errmsg: 'invalid args' });
  const appProblem = checkApp(state, call, true);
  if (appProblem) return appProblem;
  const q = call.query;
  if (q.get('grant_type') !== 'authorization_code') return wechat({ errcode: 40002, errmsg: 'invalid grant_type' });
  const value = q.get('code');
  if (value === null) return wechat({ errcode: 41008, errmsg: 'missing code' });
  const known = state.codes.get(value);
  if (known?.used) return wechat({ errcode: 40163, errmsg: 'code been used' });
  const code = state.redeem(value);
  if (!code) return wechat({ errcode: 40029, errmsg: 'invalid code' });
  const issued = state.grant(code.scope, { refresh: true, userId: 'oWx-openid-1' });
  return wechat({
    access_token: issued.accessToken,
    expires_in: 7200,
    refresh_token: issued.refreshToken,
    openid: issued.grant.userId,
    scope: code.scope,
    is_snapshotuser: 0,
    unionid: 'oUnion-1',
  });
}

function refreshToken(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const appProblem = checkApp(state, call, false);
  if (appProblem) return appProblem;
  const q = call.query;
  if (q.get('grant_type') !== 'refresh_token') return wechat({ errcode: 40002, errmsg: 'invalid grant_type' });
  // The refresh token lives 30 days and is not rotated.
  const used = state.useRefreshToken(q.get('refresh_token') ?? undefined, false);
  if (!used) return wechat({ errcode: 40030, errmsg: 'invalid refresh_token' });
  return wechat({ access_token: used.accessToken, expires_in: 7200, refresh_token: used.refreshToken, openid: used.grant.userId, scope: used.grant.scope });
}
