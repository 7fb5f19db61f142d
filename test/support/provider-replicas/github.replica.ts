/**
 * GitHub's OAuth web application flow as documented: GET /login/oauth/authorize, POST
 * /login/oauth/access_token answering form-encoded unless `Accept: application/json`, errors with HTTP
 * 200, codes that expire after 10 minutes ("The code will expire after 10 minutes", authorizing OAuth
 * apps), optional PKCE (S256, RFC 7636 verifiers only), and, for GitHub apps with expiring user tokens,
 * rotating refresh tokens. GitHub's documentation says nothing of repeated parameters; the replica
 * refuses them as RFC 6749 §3.1 does, with the error GitHub gives a code it cannot use.
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 */
import { errorPage, form, json, ReplicaState, s256, startReplica, takeQueuedFailure, wellFormedVerifier, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

export interface GithubReplicaOptions {
  /** A GitHub app with expiring user tokens (8 hours, with a refresh token); an OAuth app otherwise. */
  readonly expiringTokens?: boolean;
}

export function startGithubReplica(client: RegisteredClient, options: GithubReplicaOptions = {}): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 600 });
  return startReplica(state, () => ({
    'GET /login/oauth/authorize': (call) => authorize(state, call),
    'POST /login/oauth/access_token': (call) => accessToken(state, call, options),
  }));
}

function authorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  if (state.repeatedParameter(call)) return errorPage('Parameters must not be repeated');
  if (q.get('client_id') !== state.client.clientId) return { status: 404, body: 'Not Found' };
  const redirectUri = q.get('redirect_uri') ?? state.client.redirectUri;
  if (redirectUri !== state.client.redirectUri) {
    return state.redirect(state.client.redirectUri, {
      error: 'redirect_uri_mismatch',
      error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
      state: q.get('state') ?? undefined,
    });
  }
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') return errorPage('code_challenge_method must be S256');
  if (state.decision === 'deny') {
    return state.redirect(redirectUri, {
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
      error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
      state: q.get('state') ?? undefined,
    });
  }
  const code = state.issueCode({ redirectUri, scope: q.get('scope') ?? '', codeChallenge: challenge });
  return state.redirect(redirectUri, { code, state: q.get('state') ?? undefined });
}

function accessToken(state: ReplicaState, call: ReplicaCall, options: GithubReplicaOptions): ReplicaAnswer {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  // GitHub reads the parameters from the body or the query string.
  const p = (name: string) => call.body.get(name) ?? call.query.get(name) ?? undefined;
  const answer = (body: Record<string, string | number>) =>
    (call.headers.accept ?? '').includes('application/json') ? json(200, body) : form(200, Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])));
  const fail = (error: string, description: string) => answer({ error, error_description: description, error_uri: `${DOCS}#${error.replace(/_/g, '-')}` });

  if (state.repeatedParameter(call)) return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  if (p('client_id') !== state.client.clientId || p('client_secret') !== state.client.clientSecret) {
    return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  }
  if (p('grant_type') === 'refresh_token') {
    if (!options.expiringTokens) return fail('unsupported_grant_type', 'Refresh tokens are not enabled for this application.');
    const used = state.useRefreshToken(p('refresh_token'), true);
    if (!used) return fail('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
    return answer(tokenBody(used.accessToken, used.grant.scope, used.refreshToken));
  }
  if (p('grant_type') !== undefined && p('grant_type') !== 'authorization_code') return fail('unsupported_grant_type', 'Unsupported grant type.');
  const code = state.redeem(p('code'));
  if (!code) return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  if (p('redirect_uri') !== undefined && p('redirect_uri') !== code.redirectUri) {
    return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
  }
  const verifier = p('code_verifier');
  if (code.codeChallenge !== undefined && (verifier === undefined || !wellFormedVerifier(verifier) || s256(verifier) !== code.codeChallenge)) {
    return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  }
  const issued = state.grant(code.scope, { refresh: Boolean(options.expiringTokens) });
  return answer(tokenBody(issued.accessToken, code.scope, issued.refreshToken));
}

function tokenBody(accessToken: string, scope: string, refreshToken: string | undefined): Record<string, string | number> {
  const body: Record<string, string | number> = { access_token: accessToken, scope: scope.split(/[\s,]+/).filter(Boolean).join(','), token_type: 'bearer' };
  if (refreshToken) Object.assign(body, { expires_in: 28800, refresh_token: refreshToken, refresh_token_expires_in: 15897600 });
  return body;
}
