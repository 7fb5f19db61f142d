/**
 * X (Twitter) OAuth 2.0 Authorization Code with PKCE, as documented: /i/oauth2/authorize requiring
 * `code_challenge`, space-separated scopes, a `state` of at most 500 characters; /2/oauth2/token for a
 * confidential client taking HTTP Basic and `client_id` in the body; a refresh token only with
 * `offline.access`, rotated on use; a dead code or refresh token is `400 invalid_request`. The code is
 * valid for 30 seconds ("This code is valid for 30 seconds"); verifiers are RFC 7636's (43 to 128
 * characters); X follows RFC 6749 for what it does not say, so a repeated parameter is `invalid_request`.
 * Tokens are revoked at /2/oauth2/revoke (`token`, `token_type_hint`, the client by HTTP Basic), answered
 * `{"revoked": true}`.
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token
 */
import { errorPage, json, ReplicaState, s256, startReplica, takeQueuedFailure, wellFormedVerifier, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

export const X_MAX_STATE_LENGTH = 500;

export function startXReplica(client: RegisteredClient): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 30 });
  return startReplica(state, () => ({
    'GET /i/oauth2/authorize': (call) => authorize(state, call),
    'POST /2/oauth2/token': (call) => token(state, call),
    'POST /2/oauth2/revoke': (call) => revoke(state, call),
  }));
}

function authorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  const repeated = state.repeatedParameter(call);
  if (repeated) return errorPage(`Something went wrong: ${repeated}`);
  if (q.get('response_type') !== 'code') return errorPage('Something went wrong: response_type');
  if (q.get('client_id') !== state.client.clientId) return errorPage('Something went wrong: client_id');
  if (q.get('redirect_uri') !== state.client.redirectUri) return errorPage('Something went wrong: redirect_uri');
  if (!q.get('scope')) return errorPage('Something went wrong: scope');
  const sentState = q.get('state');
  if (!sentState || sentState.length > X_MAX_STATE_LENGTH) return errorPage('Something went wrong: state');
  const challenge = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (!challenge || (method !== 'S256' && method !== 'plain')) return errorPage('Something went wrong: code_challenge');
  if (state.decision === 'deny') return state.redirect(state.client.redirectUri, { error: 'access_denied', state: sentState });
  const code = state.issueCode({ redirectUri: state.client.redirectUri, scope: q.get('scope')!, codeChallenge: method === 'S256' ? challenge : s256(challenge) });
  return state.redirect(state.client.redirectUri, { state: sentState, code });
}

function invalid(description: string): ReplicaAnswer {
  return json(400, { error: 'invalid_request', error_description: description });
}

function token(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  const p = (name: string) => call.body.get(name) ?? undefined;
  const repeated = state.repeatedParameter(call);
  if (repeated) return invalid(`Duplicate parameter [${repeated}].`);
  const basic = state.basicCredentials(call);
  if (!basic || basic.id !== state.client.clientId || basic.secret !== state.client.clientSecret) {
    return json(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
  }
  if (p('client_id') !== state.client.clientId) return invalid('Missing required parameter [client_id].');

  if (p('grant_type') === 'refresh_token') {
    if (!p('refresh_token')) return invalid('Missing required parameter [refresh_token].');
    const used = state.useRefreshToken(p('refresh_token'), true);
    if (!used) return invalid('Value passed for the token was invalid.');
    return json(200, { token_type: 'bearer', expires_in: 7200, access_token: used.accessToken, scope: used.grant.scope, refresh_token: used.refreshToken });
  }
  if (p('grant_type') !== 'authorization_code') return invalid('Missing required parameter [grant_type].');
  for (const name of ['code', 'redirect_uri', 'code_verifier']) if (!p(name)) return invalid(`Missing required parameter [${name}].`);
  if (!wellFormedVerifier(p('code_verifier')!)) return invalid('Value passed for the code verifier was invalid.');
  const code = state.redeem(p('code'));
  if (!code) return invalid('Value passed for the authorization code was invalid.');
  if (p('redirect_uri') !== code.redirectUri) return invalid('Value passed for the redirect uri did not match the uri of the authorization code.');
  if (s256(p('code_verifier')!) !== code.codeChallenge) return invalid('Value passed for the code verifier did not match the code challenge.');
  const offline = code.scope.split(' ').includes('offline.access');
  const issued = state.grant(code.scope, { refresh: offline });
  return json(200, { token_type: 'bearer', expires_in: 7200, access_token: issued.accessToken, scope: code.scope, ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}) });
}

/** RFC 7009 as X answers it: the client by HTTP Basic, the token dead afterwards whether it was known or not. */
function revoke(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const basic = state.basicCredentials(call);
  if (!basic || basic.id !== state.client.clientId || basic.secret !== state.client.clientSecret) {
    return json(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
  }
  const presented = call.body.get('token') ?? '';
  state.refreshTokens.delete(presented);
  state.accessTokens.delete(presented);
  return json(200, { revoked: true });
}
