/**
 * Slack OAuth v2 with token rotation, as documented: /oauth/v2/authorize with comma-separated `scope`
 * (bot) and `user_scope` (user), /api/oauth.v2.access taking the client by HTTP Basic or in the body,
 * the user token nested under `authed_user` in the code answer but flat in the refresh answer,
 * rotating refresh tokens, and every error as HTTP 200 `{"ok":false,"error":…}`. Codes expire after ten
 * minutes ("This temporary authorization code expires after ten minutes"); a PKCE verifier must be RFC 7636's;
 * a repeated parameter is the Web API's `invalid_arguments` ("The method was called with invalid arguments").
 * @see https://docs.slack.dev/authentication/installing-with-oauth
 * @see https://docs.slack.dev/reference/methods/oauth.v2.access#errors
 * @see https://docs.slack.dev/reference/methods/oauth.v2.access
 * @see https://docs.slack.dev/authentication/using-token-rotation
 */
import { errorPage, json, ReplicaState, s256, startReplica, takeQueuedFailure, wellFormedVerifier, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

const TEAM = { id: 'T0001', name: 'Replica Workspace' };

export function startSlackReplica(client: RegisteredClient): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 600 });
  return startReplica(state, () => ({
    'GET /oauth/v2/authorize': (call) => authorize(state, call),
    'POST /api/oauth.v2.access': (call) => access(state, call),
  }));
}

function authorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (state.repeatedParameter(call)) return errorPage('Invalid arguments: a parameter is repeated');
  if (q.get('client_id') !== state.client.clientId) return errorPage('Invalid client_id parameter');
  if (q.get('redirect_uri') !== null && q.get('redirect_uri') !== state.client.redirectUri) return errorPage('redirect_uri did not match any configured URIs.');
  if (!q.get('scope') && !q.get('user_scope')) return errorPage('Invalid permissions requested: no scopes');
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') return errorPage('Invalid code_challenge_method');
  const redirectUri = q.get('redirect_uri') ?? state.client.redirectUri;
  if (state.decision === 'deny') return state.redirect(redirectUri, { error: 'access_denied', state: q.get('state') ?? undefined });
  // The scope the code stands for is the user scope: the replica links a user token.
  const code = state.issueCode({ redirectUri: q.get('redirect_uri') ?? '', scope: q.get('user_scope') ?? '', codeChallenge: challenge });
  return state.redirect(redirectUri, { code, state: q.get('state') ?? undefined });
}

function slackError(error: string): ReplicaAnswer {
  return json(200, { ok: false, error });
}

function access(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  const p = (name: string) => call.body.get(name) ?? undefined;
  if (state.repeatedParameter(call)) return slackError('invalid_arguments');
  const basic = state.basicCredentials(call);
  const clientId = basic?.id ?? p('client_id');
  const clientSecret = basic?.secret ?? p('client_secret');
  if (clientId !== state.client.clientId) return slackError('invalid_client_id');
  if (clientSecret !== state.client.clientSecret) return slackError('bad_client_secret');

  if (p('grant_type') === 'refresh_token') {
    const used = state.useRefreshToken(p('refresh_token')?.replace(/^xoxe-1-/, ''), true);
    if (!used) return slackError('invalid_refresh_token');
    return json(200, {
      ok: true,
      app_id: 'A0001',
      scope: used.grant.scope,
      token_type: 'user',
      access_token: `xoxe.xoxp-${used.accessToken}`,
      refresh_token: `xoxe-1-${used.refreshToken}`,
      expires_in: 43200,
      team: TEAM,
      enterprise: null,
      is_enterprise_install: false,
    });
  }
  if (p('grant_type') !== undefined && p('grant_type') !== 'authorization_code') return slackError('invalid_grant_type');
  const code = state.redeem(p('code'));
  if (!code) return slackError('invalid_code');
  if (code.redirectUri !== '' && p('redirect_uri') !== code.redirectUri) return slackError('bad_redirect_uri');
  const verifier = p('code_verifier');
  if (code.codeChallenge !== undefined && (verifier === undefined || !wellFormedVerifier(verifier) || s256(verifier) !== code.codeChallenge)) return slackError('invalid_code_verifier');
  const issued = state.grant(code.scope, { refresh: true, userId: 'U0001' });
  return json(200, {
    ok: true,
    app_id: 'A0001',
    authed_user: {
      id: issued.grant.userId,
      scope: code.scope,
      access_token: `xoxe.xoxp-${issued.accessToken}`,
      token_type: 'user',
      refresh_token: `xoxe-1-${issued.refreshToken}`,
      expires_in: 43200,
    },
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
  });
}
