/**
 * An OpenID Connect provider as OpenID Connect Core and Discovery describe it: metadata at
 * /.well-known/openid-configuration, the code flow with `openid` required, PKCE S256, client
 * authentication by `client_secret_basic` only (as its metadata says), an ID token carrying `sub`,
 * userinfo, rotating refresh tokens, and RFC 6749 §5.2 errors. Where the specifications leave a choice it
 * answers as oidc-provider (8.x) does: codes live 60 s (its `ttl.AuthorizationCode` default), a repeated
 * parameter is `invalid_request` ("'code' parameter must not be provided twice"), a code verifier that is
 * not 43 to 128 unreserved characters is `invalid_request`, and an expired code `invalid_grant`.
 * @see https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#ttl
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
import { SignJWT } from 'jose';
import { epochSeconds } from '../../../models/clock';
import { json, ReplicaState, s256, startReplica, takeQueuedFailure, wellFormedVerifier, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

export function startOidcReplica(client: RegisteredClient): Promise<RunningReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 60 });
  return startReplica(state, () => ({
    'GET /.well-known/openid-configuration': () => json(200, metadata(state.origin)),
    'GET /authorize': (call) => authorize(state, call),
    'POST /token': (call) => token(state, call),
    'GET /userinfo': (call) => userinfo(state, call),
    'GET /jwks': () => json(200, { keys: [] }),
  }));
}

function metadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['HS256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
  };
}

function authorize(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const q = call.query;
  const repeated = state.repeatedParameter(call);
  if (repeated) return json(400, { error: 'invalid_request', error_description: `'${repeated}' parameter must not be provided twice` });
  // OpenID Connect Core §3.1.2.4: an invalid client or redirect URI is shown to the user, never redirected.
  if (q.get('client_id') !== state.client.clientId) return json(400, { error: 'invalid_client' });
  if (q.get('redirect_uri') !== state.client.redirectUri) return json(400, { error: 'invalid_request', error_description: 'redirect_uri mismatch' });
  const back = (params: Record<string, string | undefined>) => state.redirect(state.client.redirectUri, { ...params, state: q.get('state') ?? undefined, iss: state.origin });
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  if (!(q.get('scope') ?? '').split(' ').includes('openid')) return back({ error: 'invalid_scope', error_description: 'openid scope missing' });
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  if (state.decision === 'deny') return back({ error: 'access_denied', error_description: 'End-User aborted interaction' });
  return back({ code: state.issueCode({ redirectUri: state.client.redirectUri, scope: q.get('scope')!, codeChallenge: challenge }) });
}

async function token(state: ReplicaState, call: ReplicaCall): Promise<ReplicaAnswer> {
  const queued = takeQueuedFailure(state);
  if (queued) return queued;
  const p = (name: string) => call.body.get(name) ?? undefined;
  const repeated = state.repeatedParameter(call);
  if (repeated) return json(400, { error: 'invalid_request', error_description: `'${repeated}' parameter must not be provided twice` });
  const basic = state.basicCredentials(call);
  if (!basic || basic.id !== state.client.clientId || basic.secret !== state.client.clientSecret || p('client_secret') !== undefined) {
    return json(401, { error: 'invalid_client', error_description: 'client authentication failed' });
  }
  if (p('grant_type') === 'refresh_token') {
    const used = state.useRefreshToken(p('refresh_token'), true);
    if (!used) return json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    return json(200, { access_token: used.accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: used.refreshToken, scope: used.grant.scope, id_token: await idToken(state, used.grant.userId) });
  }
  if (p('grant_type') !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
  const verifier = p('code_verifier');
  if (verifier !== undefined && !wellFormedVerifier(verifier)) return json(400, { error: 'invalid_request', error_description: 'code_verifier must be 43 to 128 unreserved characters' });
  if (state.codeStatus(p('code')) === 'expired') return json(400, { error: 'invalid_grant', error_description: 'authorization code is expired' });
  const code = state.redeem(p('code'));
  if (!code) return json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
  if (p('redirect_uri') !== code.redirectUri) return json(400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
  if (code.codeChallenge !== undefined && (p('code_verifier') === undefined || s256(p('code_verifier')!) !== code.codeChallenge)) {
    return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
  }
  const issued = state.grant(code.scope, { refresh: true, userId: 'oidc-subject-1' });
  return json(200, { access_token: issued.accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: issued.refreshToken, scope: code.scope, id_token: await idToken(state, issued.grant.userId) });
}

function idToken(state: ReplicaState, sub: string): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(state.origin)
    .setAudience(state.client.clientId)
    .setIssuedAt(epochSeconds(state.clock))
    .setExpirationTime(epochSeconds(state.clock) + 3600)
    .sign(new TextEncoder().encode(state.client.clientSecret));
}

function userinfo(state: ReplicaState, call: ReplicaCall): ReplicaAnswer {
  const grant = state.accessTokens.get((call.headers.authorization ?? '').replace(/^Bearer /, ''));
  if (!grant) return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  return json(200, { sub: grant.userId, name: 'Replica User' });
}
