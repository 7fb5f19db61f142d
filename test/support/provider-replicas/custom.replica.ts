/**
 * A made-up provider no preset knows ("Acme ID"), as far from RFC 6749 as the real ones get: its own
 * parameter names everywhere, a GET code exchange answered form-encoded, a separate POST refresh
 * endpoint answered with nested JSON, and its own error codes (`fault=E_CODE_USED`) with HTTP 200.
 * Its codes live five minutes; a repeated parameter is `fault=E_PARAM`.
 */
import { errorPage, form, json, ReplicaState, startReplica, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

export function startCustomReplica(client: RegisteredClient): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 300 });
  return startReplica(state, () => ({
    'GET /oauth/begin': (call) => begin(state, call),
    'GET /oauth/exchange': (call) => exchange(state, call),
    'POST /oauth/renew': (call) => renew(state, call),
  }));
}

function begin(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (state.repeatedParameter(call)) return errorPage('a parameter is repeated');
  if (q.get('app') !== state.client.clientId) return errorPage('unknown app');
  if (q.get('redirect_uri') !== state.client.redirectUri) return errorPage('unknown redirect_uri');
  if (q.get('display') !== 'page' || !q.get('perms')) return errorPage('display=page and perms are required');
  if (state.decision === 'deny') return state.redirect(state.client.redirectUri, { error: 'access_denied', state: q.get('state') ?? undefined });
  const code = state.issueCode({ redirectUri: q.get('redirect_uri')!, scope: q.get('perms')! });
  return state.redirect(state.client.redirectUri, { code, state: q.get('state') ?? undefined });
}

function exchange(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (state.repeatedParameter(call)) return form(200, { fault: 'E_PARAM', fault_text: 'a parameter is repeated' });
  if (q.get('app') !== state.client.clientId || q.get('key') !== state.client.clientSecret) return form(200, { fault: 'E_APP', fault_text: 'bad app or key' });
  const code = state.redeem(q.get('auth_code') ?? undefined);
  if (!code) return form(200, { fault: 'E_CODE_USED', fault_text: 'code unknown or used' });
  if (q.get('callback') !== code.redirectUri) return form(200, { fault: 'E_CALLBACK', fault_text: 'callback differs' });
  const issued = state.grant(code.scope, { refresh: true, userId: 'member-7' });
  return form(200, { token: issued.accessToken, renew: issued.refreshToken!, ttl: '3600', member: issued.grant.userId });
}

function renew(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const p = (name: string) => call.body.get(name) ?? undefined;
  if (p('app') !== state.client.clientId || p('key') !== state.client.clientSecret) return json(200, { fault: 'E_APP' });
  if (p('mode') !== 'renew') return json(200, { fault: 'E_MODE' });
  const used = state.useRefreshToken(p('renew_token'), true);
  if (!used) return json(200, { result: null, fault: 'E_RENEW_DEAD', fault_text: 'renew token unknown' });
  return json(200, { result: { token: { value: used.accessToken, ttl: 7200 }, renew: used.refreshToken } });
}
