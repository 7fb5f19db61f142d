import type { ProviderProfile } from '../models/provider-profile';
import { FetchTransport, TransportError, type HttpTransport, type IncomingResponse } from './upstream/http-transport';

/** Tokens as the provider gave them, before they are normalized for Alexa. */
export interface UpstreamTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn?: number;
  readonly scope?: string;
}

/** The provider answered with an OAuth error (RFC 6749 §5.2) or a provider-specific one. */
export class UpstreamRejectedError extends Error {
  constructor(
    readonly error: string,
    readonly httpStatus: number,
  ) {
    super(`upstream rejected the token request: ${error} (HTTP ${httpStatus})`);
  }
}

/** The provider could not be reached in time, failed (5xx) or answered with something unreadable. */
export class UpstreamUnavailableError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network' | 'server' | 'unreadable',
    readonly httpStatus?: number,
  ) {
    super(`upstream token endpoint unavailable: ${reason}${httpStatus ? ` (HTTP ${httpStatus})` : ''}`);
  }
}

/** The credentials and callback linkbridge uses as the provider's OAuth client. */
export interface UpstreamClientOptions {
  readonly profile: ProviderProfile;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `PUBLIC_URL + /oauth/callback`. */
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  /** How requests reach the provider; a `fetch` transport with `timeoutMs` when absent. */
  readonly transport?: HttpTransport;
}

/**
 * linkbridge as the upstream provider's OAuth client: builds the authorization URL and makes the
 * token requests, translated to and from the provider's wire format by its profile.
 */
export class UpstreamClient {
  private readonly transport: HttpTransport;

  constructor(private readonly options: UpstreamClientOptions) {
    this.transport = options.transport ?? new FetchTransport(options.fetch, options.timeoutMs);
  }

  get providerName(): string {
    return this.options.profile.name;
  }

  get usesPkce(): boolean {
    return this.options.profile.pkce;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
  authorizationUrl(params: { state: string; scope?: string; codeChallenge?: string }): string {
    const { profile, clientId, redirectUri } = this.options;
    const url = new URL(profile.authorizationUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set(profile.clientIdParameter, clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    const scope = profile.scope ?? params.scope;
    if (scope) url.searchParams.set('scope', scope.split(/[\s,]+/).filter(Boolean).join(profile.scopeSeparator));
    url.searchParams.set('state', params.state);
    if (params.codeChallenge) {
      url.searchParams.set('code_challenge', params.codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
    }
    for (const [name, value] of Object.entries(profile.authorizationParameters)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
  exchangeCode(code: string, codeVerifier?: string): Promise<UpstreamTokens> {
    const params: Record<string, string> = { grant_type: 'authorization_code', code };
    if (this.options.profile.sendRedirectUriOnTokenRequest) params.redirect_uri = this.options.redirectUri;
    if (codeVerifier) params.code_verifier = codeVerifier;
    return this.requestTokens(params);
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
  refresh(refreshToken: string): Promise<UpstreamTokens> {
    return this.requestTokens({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async requestTokens(grantParams: Record<string, string>): Promise<UpstreamTokens> {
    const { profile, clientId, clientSecret } = this.options;
    const params = new URLSearchParams(grantParams);
    const headers: Record<string, string> = { accept: 'application/json', ...profile.tokenRequestHeaders };
    if (profile.clientAuthentication === 'client_secret_basic') {
      // RFC 6749 §2.3.1: each part is form-urlencoded before it is joined and base64-encoded.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    } else {
      params.set(profile.clientIdParameter, clientId);
      params.set(profile.clientSecretParameter, clientSecret);
    }

    let url = profile.tokenUrl;
    let body: string | undefined;
    if (profile.tokenRequestMethod === 'GET') {
      const withQuery = new URL(url);
      params.forEach((value, name) => withQuery.searchParams.set(name, value));
      url = withQuery.toString();
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = params.toString();
    }

    let response: IncomingResponse;
    try {
      response = await this.transport.send({ method: profile.tokenRequestMethod, url, headers, body });
    } catch (error) {
      if (error instanceof TransportError) throw new UpstreamUnavailableError(error.reason === 'timeout' ? 'timeout' : 'network');
      throw error;
    }
    return this.readTokenResponse(response);
  }

  private readTokenResponse(response: IncomingResponse): UpstreamTokens {
    const paths = this.options.profile.tokenResponse;
    const body = parseBody(response.text, response.headers['content-type'] ?? null);
    const error = body === undefined ? undefined : pick(body, paths.error);
    if (error !== undefined && error !== null && error !== '' && error !== 0 && error !== false) {
      throw new UpstreamRejectedError(String(error), response.status);
    }
    if (response.status >= 500) throw new UpstreamUnavailableError('server', response.status);
    if (response.status < 200 || response.status >= 300) throw new UpstreamRejectedError('invalid_request', response.status);
    if (body === undefined) throw new UpstreamUnavailableError('unreadable', response.status);

    const accessToken = pick(body, paths.accessToken);
    if (typeof accessToken !== 'string' || accessToken === '') throw new UpstreamUnavailableError('unreadable', response.status);
    const refreshToken = pick(body, paths.refreshToken);
    const scope = pick(body, paths.scope);
    return {
      accessToken,
      refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
      expiresIn: toSeconds(pick(body, paths.expiresIn)),
      scope: typeof scope === 'string' ? scope : undefined,
    };
  }
}

/** JSON (RFC 6749 §5.1) or, from providers that answer that way, form-encoded. */
function parseBody(text: string, contentType: string | null): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded') || (trimmed.includes('=') && !trimmed.startsWith('<'))) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return undefined;
}

/** Reads a dotted path (`authed_user.access_token`). */
function pick(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function toSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : undefined;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
