/**
 * A provider profile says, declaratively, how one upstream OAuth 2.0 provider differs from RFC 6749:
 * parameter names, client authentication, how the token request is sent and where the token response
 * keeps its fields. Built-in presets are profiles; the `LINKBRIDGE_CONFIG` file can change any field.
 */
export interface ProviderProfile {
  readonly name: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  /** Scope requested upstream when `UPSTREAM_SCOPE` is not set. */
  readonly scope?: string;
  /** How the provider separates scopes (RFC 6749 §3.3 says a space; some providers use a comma). */
  readonly scopeSeparator: string;
  /** PKCE S256 toward the provider (RFC 7636). */
  readonly pkce: boolean;
  /** RFC 6749 §2.3.1: HTTP Basic (`client_secret_basic`) or body parameters (`client_secret_post`). */
  readonly clientAuthentication: 'client_secret_basic' | 'client_secret_post';
  /** Name of the client id parameter (`client_id` in RFC 6749). */
  readonly clientIdParameter: string;
  /** Name of the client secret parameter when sent in the body (`client_secret` in RFC 6749). */
  readonly clientSecretParameter: string;
  /** Extra parameters on the authorization request. */
  readonly authorizationParameters: Readonly<Record<string, string>>;
  /** `POST` form body (RFC 6749 §4.1.3) or `GET` with a query string (some providers). */
  readonly tokenRequestMethod: 'POST' | 'GET';
  readonly tokenRequestHeaders: Readonly<Record<string, string>>;
  /** Whether the token request carries `redirect_uri` (RFC 6749 §4.1.3 requires it when it was sent). */
  readonly sendRedirectUriOnTokenRequest: boolean;
  /** Dotted paths of the token response fields. */
  readonly tokenResponse: TokenResponsePaths;
}

/** Dotted paths into the provider's token response (JSON or form-encoded). */
export interface TokenResponsePaths {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: string;
  readonly scope: string;
  /** A field whose presence (and truthiness) marks an error, even with HTTP 200. */
  readonly error: string;
  readonly errorDescription: string;
}

/** What the `LINKBRIDGE_CONFIG` file may change in a preset. */
export type ProviderProfileOverrides = Partial<Omit<ProviderProfile, 'tokenResponse'>> & {
  readonly tokenResponse?: Partial<TokenResponsePaths>;
};
