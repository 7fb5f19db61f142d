/**
 * A standard OAuth 2.0 provider (RFC 6749, RFC 7636 S256, RFC 8414 or OpenID Connect discovery, RFC 7009
 * revocation) whose refresh tokens behave one chosen way, as the providers `doctor --link` must tell apart
 * behave:
 * - rotation with reuse detection and family revocation: a rotated refresh token presented again revokes
 *   the whole grant (Auth0 with rotation, node-oidc-provider, RFC 9700 §4.14.2);
 * - rotation with reuse detection only: the rotated token is refused, the grant lives on;
 * - rotation with a grace window: the previous token keeps working for some seconds (Okta's leeway, 30 s
 *   by default; Amazon Cognito's RetryGracePeriodSeconds; Ory Hydra's grace_period), then is refused;
 * - no rotation (WeChat, Google); no refresh token at all (GitHub OAuth apps, Facebook); refresh tokens only
 *   with `offline_access` (OpenID Connect Core §11, as Auth0, Okta and Logto issue them);
 * - access tokens of any lifetime, a token endpoint that takes any time on the replica's clock, with or
 *   without a revocation endpoint.
 * The user signs in at once (the authorization endpoint redirects back with a code).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 * @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess
 * @see https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-reuse-detection
 * @see https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { epochSeconds } from '../../../models/clock';
import { json, ReplicaState, s256, startReplica, wellFormedVerifier, type RegisteredClient, type ReplicaAnswer, type ReplicaCall, type RunningReplica } from './replica-server';

/** What a refresh token the provider already rotated does when it is presented again. */
export type ReuseRule =
  | { readonly kind: 'refuse' }
  | { readonly kind: 'revoke-family' }
  | { readonly kind: 'grace'; readonly seconds: number; readonly thenRevokeFamily?: boolean };

/** How this provider's tokens behave. */
export interface TokenBehaviour {
  /** When a refresh token comes with the access token. */
  readonly refreshTokens: 'never' | 'always' | 'with-offline-access';
  /** `keep`: the same refresh token on every refresh; `rotate`: a new one each time (default `keep`). */
  readonly rotation?: 'keep' | 'rotate';
  /** For `rotate`: what a rotated refresh token does when presented again (default `refuse`). */
  readonly reuse?: ReuseRule;
  /** Access-token lifetime (default 3600). */
  readonly expiresIn?: number;
  /**
   * How long each token call takes on the replica's clock (default 0): whoever measures with that clock sees
   * it. Calls that overlap spend their time one after the other.
   */
  readonly tokenCallSeconds?: number;
  /** An RFC 7009 revocation endpoint (default true). */
  readonly revocation?: boolean;
  /** OpenID Connect discovery, `openid` scope, ID tokens' place taken by userinfo (default false: RFC 8414 metadata). */
  readonly openId?: boolean;
}

/** One grant: its refresh tokens, the current one and those it rotated away, and whether it was revoked. */
interface Family {
  readonly scope: string;
  readonly subject: string;
  revoked: boolean;
  current?: string;
  /** Rotated refresh token → when it was rotated away (replica clock, ms). */
  readonly retired: Map<string, number>;
}

/** The replica, with what a test inspects. */
export interface TokenBehaviourReplica extends RunningReplica {
  /** Every code, token and the client secret it ever issued or knows: what must never be printed. */
  readonly secrets: ReadonlySet<string>;
  /** Grants revoked, by reuse or by the revocation endpoint. */
  readonly revokedGrants: () => number;
  /** Token calls received, by grant type. */
  readonly tokenCalls: () => { readonly authorization_code: number; readonly refresh_token: number };
}

export const BEHAVIOUR_USER = { sub: 'behaviour-user-1', name: 'Grace Hopper', email: 'grace@example.com' } as const;

export async function startTokenBehaviourReplica(client: RegisteredClient, behaviour: TokenBehaviour): Promise<TokenBehaviourReplica> {
  const state = new ReplicaState(client, { codeLifetimeSeconds: 600 });
  const secrets = new Set<string>([client.clientSecret]);
  const refreshIndex = new Map<string, Family>();
  const accessIndex = new Map<string, Family>();
  const families: Family[] = [];
  const calls = { authorization_code: 0, refresh_token: 0 };

  const issue = (prefix: string): string => {
    const value = `${prefix}-${randomBytes(16).toString('hex')}`;
    secrets.add(value);
    return value;
  };
  const pair = async (family: Family, refreshToken: string | undefined): Promise<ReplicaAnswer> => {
    const accessToken = issue('access');
    accessIndex.set(accessToken, family);
    const idToken = behaviour.openId && family.scope.split(' ').includes('openid') ? await signedIdToken(family.subject) : undefined;
    if (idToken) secrets.add(idToken);
    return json(200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: behaviour.expiresIn ?? 3600,
      scope: family.scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    });
  };
  /** OpenID Connect Core §3.1.3.3: an ID token in the code answer (HS256 with the client secret, as §10.1 allows). */
  const signedIdToken = (sub: string): Promise<string> =>
    new SignJWT({ sub })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(state.origin)
      .setAudience(client.clientId)
      .setIssuedAt(epochSeconds(state.clock))
      .setExpirationTime(epochSeconds(state.clock) + 3600)
      .sign(new TextEncoder().encode(client.clientSecret));
  const revoke = (family: Family) => {
    family.revoked = true;
  };

  const metadata = () => {
    const issuer = state.origin;
    const scopes = behaviour.openId ? ['openid', 'profile', 'email'] : ['profile', 'email'];
    if (behaviour.refreshTokens === 'with-offline-access') scopes.push('offline_access');
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      ...(behaviour.revocation === false ? {} : { revocation_endpoint: `${issuer}/revoke` }),
      ...(behaviour.openId ? { jwks_uri: `${issuer}/jwks`, subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['HS256'] } : {}),
      response_types_supported: ['code'],
      scopes_supported: scopes,
      grant_types_supported: behaviour.refreshTokens === 'never' ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
    };
  };

  const authenticated = (call: ReplicaCall) => {
    const basic = state.basicCredentials(call);
    return basic?.id === client.clientId && basic.secret === client.clientSecret;
  };

  const authorize = (call: ReplicaCall): ReplicaAnswer => {
    const q = call.query;
    if (q.get('client_id') !== client.clientId) return json(400, { error: 'invalid_client' });
    if (q.get('redirect_uri') !== client.redirectUri) return json(400, { error: 'invalid_request', error_description: 'redirect_uri mismatch' });
    const back = (params: Record<string, string | undefined>) => state.redirect(client.redirectUri, { ...params, state: q.get('state') ?? undefined });
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = q.get('code_challenge') ?? undefined;
    const code = state.issueCode({ redirectUri: client.redirectUri, scope: q.get('scope') ?? '', codeChallenge: challenge });
    secrets.add(code);
    return back({ code });
  };

  const refresh = (presented: string | undefined): ReplicaAnswer | Promise<ReplicaAnswer> => {
    const family = presented === undefined ? undefined : refreshIndex.get(presented);
    if (!family || family.revoked || presented === undefined) return json(400, { error: 'invalid_grant', error_description: 'unknown or revoked refresh token' });
    if (presented === family.current) {
      if (behaviour.rotation !== 'rotate') return pair(family, presented);
      family.retired.set(presented, state.clock.now());
      family.current = issue('refresh');
      refreshIndex.set(family.current, family);
      return pair(family, family.current);
    }
    const rule = behaviour.reuse ?? { kind: 'refuse' };
    const retiredAt = family.retired.get(presented) ?? 0;
    if (rule.kind === 'grace' && state.clock.now() - retiredAt <= rule.seconds * 1000) return pair(family, family.current);
    if (rule.kind === 'revoke-family' || (rule.kind === 'grace' && rule.thenRevokeFamily)) revoke(family);
    return json(400, { error: 'invalid_grant', error_description: 'refresh token already used' });
  };

  const token = (call: ReplicaCall): ReplicaAnswer | Promise<ReplicaAnswer> => {
    const p = (name: string) => call.body.get(name) ?? undefined;
    const grantType = p('grant_type');
    if (grantType === 'authorization_code' || grantType === 'refresh_token') calls[grantType] += 1;
    // The provider is slow: the time passes on the clock the caller measures with, before it answers.
    if (behaviour.tokenCallSeconds) state.clock.advanceSeconds(behaviour.tokenCallSeconds);
    if (state.repeatedParameter(call)) return json(400, { error: 'invalid_request', error_description: 'a parameter is repeated' });
    if (!authenticated(call)) return json(401, { error: 'invalid_client' });
    if (grantType === 'refresh_token') return refresh(p('refresh_token'));
    if (grantType !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
    const code = state.redeem(p('code'));
    if (!code || p('redirect_uri') !== code.redirectUri) return json(400, { error: 'invalid_grant', error_description: 'code unknown, used, expired or for another redirect URI' });
    const verifier = p('code_verifier');
    if (code.codeChallenge !== undefined && (verifier === undefined || !wellFormedVerifier(verifier) || s256(verifier) !== code.codeChallenge)) {
      return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }
    const scopes = code.scope.split(' ');
    const family: Family = { scope: code.scope, subject: BEHAVIOUR_USER.sub, revoked: false, retired: new Map() };
    families.push(family);
    const refreshes = behaviour.refreshTokens === 'always' || (behaviour.refreshTokens === 'with-offline-access' && scopes.includes('offline_access'));
    if (refreshes) {
      family.current = issue('refresh');
      refreshIndex.set(family.current, family);
    }
    return pair(family, family.current);
  };

  const userinfo = (call: ReplicaCall): ReplicaAnswer => {
    const family = accessIndex.get((call.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!family || family.revoked) return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
    return json(200, BEHAVIOUR_USER);
  };

  /** RFC 7009 §2.2: 200 whether or not the token was known. */
  const revocation = (call: ReplicaCall): ReplicaAnswer => {
    if (!authenticated(call)) return json(401, { error: 'invalid_client' });
    const presented = call.body.get('token') ?? '';
    const family = refreshIndex.get(presented);
    if (family) revoke(family);
    accessIndex.delete(presented);
    return { status: 200 };
  };

  const replica = await startReplica(state, () => ({
    [`GET /.well-known/${behaviour.openId ? 'openid-configuration' : 'oauth-authorization-server'}`]: () => json(200, metadata()),
    'GET /authorize': authorize,
    'POST /token': token,
    'GET /userinfo': userinfo,
    ...(behaviour.revocation === false ? {} : { 'POST /revoke': revocation }),
  }));
  return {
    ...replica,
    secrets,
    revokedGrants: () => families.filter((family) => family.revoked).length,
    tokenCalls: () => ({ ...calls }),
  };
}
