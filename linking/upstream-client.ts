import type { Clock } from '../models/clock';
import { refreshRequestOf, type ErrorMap, type GrantRequest, type ProviderProfile, type TokenParameter } from '../models/provider-profile';
import { buildAuthorizationUrl } from './upstream/authorization-request';
import { FetchTransport, TransportError, type CallOptions, type HttpTransport, type IncomingResponse } from './upstream/http-transport';
import { findProviderError, type ProviderError } from './upstream/error-map';
import { readTokenAnswer, type UpstreamTokens } from './upstream/token-answer';
import { buildTokenRequest } from './upstream/token-request';
import { REFRESH_URL_SETTING, REVOCATION_URL_SETTING, TOKEN_URL_SETTING, urlForLogs, UpstreamRejectedError, UpstreamUnavailableError, type UpstreamCall } from './upstream/upstream-failures';

export type { UpstreamTokens } from './upstream/token-answer';
export type { UpstreamCall } from './upstream/upstream-failures';
export { UpstreamRejectedError, UpstreamUnavailableError } from './upstream/upstream-failures';

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
  /** Measures how long each call takes, for the logs; the system clock when absent. */
  readonly clock?: Clock;
}

/** Told of a token call that got tokens (URL without query, status, duration), for the flow log. */
export type CallObserver = (call: UpstreamCall) => void;

/** How one token call runs: its deadline (see {@link CallOptions}) and who hears of its success. */
export interface TokenCallOptions extends CallOptions {
  readonly observe?: CallObserver;
}

/**
 * linkbridge as the upstream provider's OAuth client. A facade: the profile says what to send and how
 * to read the answer (`upstream/authorization-request.ts`, `upstream/token-request.ts`,
 * `upstream/token-answer.ts`); the transport sends it.
 */
export class UpstreamClient {
  private readonly transport: HttpTransport;
  private readonly refreshRequest: GrantRequest | undefined;

  constructor(private readonly options: UpstreamClientOptions) {
    this.transport = options.transport ?? new FetchTransport(options.fetch, options.timeoutMs);
    this.refreshRequest = refreshRequestOf(options.profile);
  }

  get providerName(): string {
    return this.options.profile.name;
  }

  get usesPkce(): boolean {
    return this.options.profile.authorization.pkce;
  }

  get profile(): ProviderProfile {
    return this.options.profile;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
  authorizationUrl(params: { state: string; scope?: string; codeChallenge?: string }): string {
    return buildAuthorizationUrl(this.options.profile, { ...params, clientId: this.options.clientId, redirectUri: this.options.redirectUri });
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
  exchangeCode(code: string, codeVerifier?: string, call?: TokenCallOptions): Promise<UpstreamTokens> {
    return this.requestTokens(
      this.options.profile.token,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.options.redirectUri,
        code_verifier: codeVerifier,
      },
      call,
    );
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
  refresh(refreshToken: string, call?: TokenCallOptions): Promise<UpstreamTokens> {
    if (!this.refreshRequest) {
      // Only reachable with a refresh token linkbridge never handed out.
      return Promise.reject(new UpstreamRejectedError('no refresh tokens at this provider', 400, 'invalid_grant', urlForLogs(this.options.profile.token.url)));
    }
    return this.requestTokens(this.refreshRequest, { grant_type: 'refresh_token', refresh_token: refreshToken }, call);
  }

  /**
   * Revokes `token` at the provider's revocation endpoint, with the code grant's client authentication:
   * `true` once the provider answered 200 (which RFC 7009 also gives for a token already invalid), `false`
   * when the provider has no such endpoint. A provider that is down or busy is an
   * {@link UpstreamUnavailableError}, any other answer an {@link UpstreamRejectedError}.
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 and #section-2.2
   */
  async revoke(token: string, tokenTypeHint: 'refresh_token' | 'access_token', call?: CallOptions): Promise<boolean> {
    const { profile } = this.options;
    if (!profile.revocationUrl) return false;
    const endpoint: GrantRequest = { ...profile.token, url: profile.revocationUrl, method: 'POST', parameters: { ...profile.token.parameters, token, token_type_hint: tokenTypeHint } };
    const request = buildTokenRequest(endpoint, this.options, {});
    const url = urlForLogs(request.url);
    const started = this.now();
    const failed = <E extends UpstreamRejectedError | UpstreamUnavailableError>(error: E): E => {
      error.durationMs = this.now() - started;
      error.urlSetting = REVOCATION_URL_SETTING;
      return error;
    };
    let response: IncomingResponse;
    try {
      response = await this.transport.send(request, call);
    } catch (error) {
      if (error instanceof TransportError) throw failed(new UpstreamUnavailableError(error.reason, error.url, undefined, error.causeCode));
      throw error;
    }
    if (response.status === 200) return true;
    // RFC 7009 §2.2.1: 503 means try again later; any 5xx or 429 is a passing fault as for token calls.
    if (response.status >= 500 || response.status === 429) throw failed(new UpstreamUnavailableError('server', url, response.status));
    const providerError = errorIn(response.text, profile.errors);
    throw failed(new UpstreamRejectedError(providerError?.code ?? `HTTP ${response.status}`, response.status, providerError?.meaning, url));
  }

  private async requestTokens(grant: GrantRequest, parameters: Partial<Record<TokenParameter, string>>, call?: TokenCallOptions): Promise<UpstreamTokens> {
    const request = buildTokenRequest(grant, this.options, parameters);
    const url = urlForLogs(request.url);
    const started = this.now();
    let response: IncomingResponse;
    try {
      response = await this.transport.send(request, call);
    } catch (error) {
      if (error instanceof TransportError) throw this.timed(new UpstreamUnavailableError(error.reason, error.url, undefined, error.causeCode), started, grant);
      throw error;
    }
    let tokens: UpstreamTokens;
    try {
      tokens = readTokenAnswer(response, grant.answer, this.options.profile.errors, url);
    } catch (error) {
      throw error instanceof UpstreamRejectedError || error instanceof UpstreamUnavailableError ? this.timed(error, started, grant) : error;
    }
    call?.observe?.({ url, status: response.status, durationMs: this.now() - started });
    return tokens;
  }

  private now(): number {
    return this.options.clock?.now() ?? Date.now();
  }

  /** The failure, with how long the call took and the setting that decides the URL it called. */
  private timed<E extends UpstreamRejectedError | UpstreamUnavailableError>(error: E, started: number, grant: GrantRequest): E {
    error.durationMs = this.now() - started;
    // A refresh at an endpoint of its own (WeChat's) is moved by UPSTREAM_REFRESH_URL, not UPSTREAM_TOKEN_URL.
    error.urlSetting = grant === this.refreshRequest && grant.url !== this.options.profile.token.url ? REFRESH_URL_SETTING : TOKEN_URL_SETTING;
    return error;
  }
}

/** The provider's error in a JSON answer, as its profile reads errors; `undefined` when there is none to read. */
function errorIn(text: string, errors: ErrorMap): ProviderError | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? findProviderError(body as Record<string, unknown>, errors) : undefined;
  } catch {
    return undefined;
  }
}
