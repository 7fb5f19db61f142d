import { linkingScopes, splitScopes, type ProviderProfile, type ScopeRule } from '../../models/provider-profile';

/** What one authorization request carries besides the profile. */
export interface AuthorizationRequestParams {
  readonly clientId: string;
  /** `PUBLIC_URL + /oauth/callback`. */
  readonly redirectUri: string;
  readonly state: string;
  /** Alexa's scope, when it sent one. */
  readonly scope?: string;
  readonly codeChallenge?: string;
}

/**
 * The provider's authorization URL: client id, callback, `response_type=code`, scope, state, PKCE (in
 * that order: WeChat refuses another), then the profile's fixed parameters and its URL suffix.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1, RFC 7636 §4.3
 */
export function buildAuthorizationUrl(profile: ProviderProfile, params: AuthorizationRequestParams): string {
  const { authorization } = profile;
  const url = new URL(authorization.url);
  url.searchParams.set(authorization.clientIdParameter, params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('response_type', 'code');
  const scope = requestedScope(profile.scope, params.scope);
  if (scope) url.searchParams.set(profile.scope.parameter, scope);
  url.searchParams.set('state', params.state);
  if (params.codeChallenge) {
    url.searchParams.set('code_challenge', params.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [name, value] of Object.entries(authorization.parameters)) url.searchParams.set(name, value);
  return `${url.toString()}${authorization.urlSuffix}`;
}

/**
 * The scope asked for: Alexa's plus the scopes the provider always needs, or, when Alexa sends none or
 * the profile replaces Alexa's, {@link linkingScopes} (the one value the skill package lists too).
 */
export function requestedScope(rule: ScopeRule, alexaScope: string | undefined): string | undefined {
  const scopes = rule.alexa === 'pass' && alexaScope !== undefined ? [...splitScopes(alexaScope), ...rule.always] : linkingScopes({ scope: rule });
  return scopes.length > 0 ? [...new Set(scopes)].join(rule.separator) : undefined;
}
