/**
 * WeChat web authorization as documented: the authorization URL with its parameters in a fixed order
 * (appid, redirect_uri, response_type, scope, state) ending in `#wechat_redirect`, a `state` of at most
 * 128 bytes, a refusal that returns `state` without `code`, GET token and refresh calls taking
 * `appid`/`secret`, JSON sent as `text/plain`, and errors as HTTP 200 `{"errcode","errmsg"}`.
 * @see https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html
 */
import { errorPage, json, ReplicaState, startReplica, takeQueuedFailure, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

const ORDER = ['appid', 'redirect_uri', 'response_type', 'scope', 'state'];
const SCOPES = new Set(['snsapi_base', 'snsapi_userinfo']);

export function startWechatReplica(client: RegisteredClient): Promise<RunningReplica> {
  // "code … 5分钟未被使用自动过期": a code not used within 5 minutes expires.
  const state = new ReplicaState(client, { codeLifetimeSeconds: 300 });
  return startReplica(state, () => ({
    'GET /connect/oauth2/authorize': (call) => authorize(state, call),
    'GET /sns/oauth2/access_token': (call) => accessToken(state, call),
    'GET /sns/oauth2/refresh_token': (call) => refreshToken(state, call),
  }));
}

function authorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  const names = [...q.keys()];
  // WeChat matches the link against a strict pattern: the parameters in this order, nothing else.
  if (names.join(',') !== ORDER.slice(0, names.length).join(',') || names.length < 4) return errorPage('参数错误 (parameters out of order or unknown)');
  if (q.get('appid') !== state.client.clientId) return errorPage('appid参数错误 (10016)');
  if (q.get('redirect_uri') !== state.client.redirectUri) return errorPage('redirect_uri参数错误 (10003)');
  if (q.get('response_type') !== 'code') return errorPage('response_type参数错误 (10004)');
  if (!SCOPES.has(q.get('scope') ?? '')) return errorPage('scope参数错误或没有scope权限 (10005)');
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
