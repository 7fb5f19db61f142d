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

const STRING_FIELDS = ['name', 'authorizationUrl', 'tokenUrl', 'scope', 'scopeSeparator', 'clientIdParameter', 'clientSecretParameter'] as const;
const ENUM_FIELDS: Readonly<Record<string, readonly string[]>> = {
  clientAuthentication: ['client_secret_basic', 'client_secret_post'],
  tokenRequestMethod: ['POST', 'GET'],
};
const BOOLEAN_FIELDS = ['pkce', 'sendRedirectUriOnTokenRequest'] as const;
const MAP_FIELDS = ['authorizationParameters', 'tokenRequestHeaders'] as const;
const PATH_FIELDS = ['accessToken', 'refreshToken', 'expiresIn', 'scope', 'error', 'errorDescription'] as const;

/**
 * Checks a profile from the config file field by field. Returns the first problem as
 * `field: expectation`, or `undefined` when the profile is usable.
 */
export function findProfileProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'profile: must be an object';
  const known = new Set<string>([...STRING_FIELDS, ...Object.keys(ENUM_FIELDS), ...BOOLEAN_FIELDS, ...MAP_FIELDS, 'tokenResponse']);
  for (const [field, value] of Object.entries(raw)) {
    if (!known.has(field)) return `${field}: is not a profile field`;
    if ((STRING_FIELDS as readonly string[]).includes(field) && typeof value !== 'string') return `${field}: must be a string`;
    if (ENUM_FIELDS[field] && !ENUM_FIELDS[field].includes(value as string)) return `${field}: must be one of ${ENUM_FIELDS[field].join(' | ')}`;
    if ((BOOLEAN_FIELDS as readonly string[]).includes(field) && typeof value !== 'boolean') return `${field}: must be true or false`;
    if ((MAP_FIELDS as readonly string[]).includes(field) && !isStringMap(value)) return `${field}: must map names to strings`;
    if (field === 'tokenResponse') {
      if (!isStringMap(value)) return 'tokenResponse: must map field names to dotted paths';
      const unknown = Object.keys(value).find((key) => !(PATH_FIELDS as readonly string[]).includes(key));
      if (unknown) return `tokenResponse.${unknown}: is not a token response field (${PATH_FIELDS.join(', ')})`;
    }
  }
  return undefined;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}
