/**
 * The doctor's only door into linkbridge's provider code: how the provider profile is resolved and how
 * the token request is built and read. The checks see plain values (URLs, scope, an exchange, an OAuth
 * error code), so a change in the provider code changes this file and nothing else in the doctor.
 * `doctor --link` gets the service's own provider client here ({@link LinkClient}), behind plain results.
 */
import { randomBytes } from 'node:crypto';
import type { v1 } from 'ask-smapi-model';
import type { Clock } from '../../models/clock';
import type { Config, ConfigProblem } from '../../models/config';
import type { DeadlineTimers } from '../../models/deadline';
import { linkingScopes, refreshRequestOf, splitScopes, type ProviderProfile } from '../../models/provider-profile';
import { upstreamRedirectUri } from '../../linking/linking-deps';
import { createCodeVerifier, s256Challenge } from '../../linking/pkce';
import { accountApiUrlOf, PRESETS, resolveProfile } from '../../linking/providers/presets';
import { readPath } from '../../linking/upstream/answer-path';
import { createTransport, TransportError, type CallOptions, type HttpTransport, type IncomingResponse, type OutgoingRequest } from '../../linking/upstream/http-transport';
import { urlForLogs } from '../../linking/upstream/upstream-failures';
import { UpstreamClient, UpstreamRejectedError, type UpstreamTokens } from '../../linking/upstream-client';
import { isProviderFailure, judge, whatToCheck, type ProviderFailure } from '../../linking/upstream-errors';
import { buildAccountLinkingRequest } from '../skill-package/manifest';
import { jsonObject, probe, type DoctorDeps, type Exchange } from './http-probe';
import { reveal, type Secret, type SecretKeeper } from './link/secret';

/** The provider as linkbridge would talk to it. */
export interface ProviderView {
  /** The preset's name. */
  readonly name: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  /**
   * The scopes linkbridge asks the provider for when Alexa sends none (`UPSTREAM_SCOPE`, the config file,
   * the preset or discovery, with the scopes the preset always adds): the one value the service, the
   * skill package and the simulator use.
   */
  readonly scopes: readonly string[];
  /** True when the provider gets Alexa's scope (with the scopes always added) whenever Alexa sends one. */
  readonly passesAlexaScope: boolean;
  /** What `npm run skill:package` writes into `accountLinking.json` for this configuration. */
  readonly accountLinking: v1.skill.accountLinking.AccountLinkingRequestPayload;
  readonly pkce: boolean;
  /** The account API the skill would call: `ACCOUNT_API_URL`, else the provider's userinfo endpoint. */
  readonly accountApiUrl?: string;
  /** The setting each endpoint URL came from: the one to change when the URL is wrong. */
  readonly settings: { readonly authorizationUrl: string; readonly tokenUrl: string };
  /** Sends the token request linkbridge sends, with a code that cannot be valid. */
  sendInvalidCode(): Promise<InvalidCodeAnswer>;
  /** The service's own provider client, for `doctor --link`'s calls with a real grant. */
  openLink(deps: LinkClientDeps): LinkClient;
}

/** What the token endpoint did with a made-up code. */
export interface InvalidCodeAnswer {
  /** The request and its answer, or why there was none. */
  readonly exchange: Exchange;
  /** The OAuth error code, read as linkbridge reads it (a profile may move it). */
  readonly oauthError?: string;
  /** The provider's `error_description` (or where the profile says it is), shortened. */
  readonly oauthErrorDescription?: string;
  /** Set when the provider, against all expectation, issued tokens. */
  readonly issuedTokens: boolean;
  /** The access-token lifetime the answer states, in seconds, when it states one. */
  readonly statedLifetime?: number;
}

/** The redirect URI linkbridge sends the provider, which the provider must have registered. */
export function providerRedirectUri(config: Config): string {
  return upstreamRedirectUri(config);
}

/** A code no provider has issued; it says where it comes from in provider logs. */
const INVALID_CODE = 'linkbridge-doctor-check-not-a-real-code';

/** The provider as the service would resolve it, and every problem that would stop its start. */
export interface ProviderResolution {
  /** Set when the profile resolves (even with no scope: that problem is in `problems`). */
  readonly view?: ProviderView;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Resolves the provider profile exactly as the service does at boot (preset, config file, `UPSTREAM_*`,
 * discovery). The token request waits `timeoutMs`, which may be longer than the service's, so a slow
 * provider is measured.
 */
export async function resolveProvider(config: Config, deps: DoctorDeps, timeoutMs: number): Promise<ProviderResolution> {
  const { profile, problems } = await resolveProfile(config.upstream, deps.fetch);
  if (!profile) return { problems };
  const view: ProviderView = {
    name: profile.name,
    authorizationUrl: profile.authorization.url,
    tokenUrl: profile.token.url,
    scopes: linkingScopes(profile),
    passesAlexaScope: profile.scope.alexa === 'pass',
    accountLinking: buildAccountLinkingRequest(config, profile).accountLinkingRequest ?? {},
    pkce: profile.authorization.pkce,
    accountApiUrl: accountApiUrlOf(config.skill.accountApiUrl, profile).url,
    settings: { authorizationUrl: settingFor(config, 'authorizationUrl'), tokenUrl: settingFor(config, 'tokenUrl') },
    openLink: (linkDeps) => openLinkClient(config, profile, linkDeps),
    async sendInvalidCode() {
      const transport = new RecordingTransport(deps, timeoutMs);
      const client = new UpstreamClient({
        profile,
        clientId: config.upstream.clientId,
        clientSecret: config.upstream.clientSecret,
        redirectUri: upstreamRedirectUri(config),
        timeoutMs: config.upstream.timeoutMs,
        fetch: deps.fetch,
        transport,
      });
      let oauthError: string | undefined;
      let issuedTokens = false;
      let statedLifetime: number | undefined;
      try {
        const tokens = await client.exchangeCode(INVALID_CODE, profile.authorization.pkce ? randomBytes(32).toString('base64url') : undefined);
        issuedTokens = true;
        statedLifetime = tokens.expiresIn;
      } catch (error) {
        if (error instanceof UpstreamRejectedError) oauthError = error.error;
        // Any other failure is in the recorded exchange (no answer, 5xx, unreadable body).
      }
      const exchange = transport.last;
      if (!exchange) throw new Error('the token request was not sent');
      // The client names a bare 4xx `invalid_request`; the doctor reports only what the provider wrote.
      const body = exchange.answered ? readBody(exchange.text) : undefined;
      const written = body === undefined ? undefined : readPath(body, profile.errors.codePath);
      const description = body === undefined ? undefined : readPath(body, profile.errors.descriptionPath);
      return {
        exchange,
        oauthError: written === undefined || written === null || written === '' ? undefined : oauthError,
        oauthErrorDescription: typeof description === 'string' ? description.slice(0, 200) : undefined,
        issuedTokens,
        statedLifetime,
      };
    },
  };
  return { view, problems };
}

/** Where an endpoint URL comes from, in the order the service resolves it. */
function settingFor(config: Config, field: 'authorizationUrl' | 'tokenUrl'): string {
  const variable = field === 'tokenUrl' ? 'UPSTREAM_TOKEN_URL' : 'UPSTREAM_AUTHORIZATION_URL';
  const section = field === 'tokenUrl' ? 'token' : 'authorization';
  if (config.upstream[field]) return variable;
  if (config.upstream.profile?.[section]?.url) return `LINKBRIDGE_CONFIG (upstream.profile.${section}.url)`;
  if (PRESETS[config.upstream.preset][section]?.url) return `UPSTREAM_PRESET (the ${config.upstream.preset} preset's URL; set ${variable} to override)`;
  return `UPSTREAM_ISSUER (the URL comes from discovery; set ${variable} to override)`;
}

/** Sends through the doctor's probe and keeps the exchange, so the checks see what really happened. */
class RecordingTransport implements HttpTransport {
  last?: Exchange;

  constructor(
    private readonly deps: DoctorDeps,
    private readonly timeoutMs: number,
  ) {}

  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    const exchange = await probe(this.deps, request, this.timeoutMs);
    this.last = exchange;
    if (!exchange.answered) throw new TransportError(exchange.reason === 'timeout' ? 'timeout' : 'network', exchange.url, exchange.code);
    return { status: exchange.status, headers: exchange.headers, text: exchange.text };
  }
}

/** A JSON object or a form-encoded body, as the service reads token answers. */
function readBody(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return jsonObject(trimmed);
  return trimmed.includes('=') && !trimmed.startsWith('<') ? Object.fromEntries(new URLSearchParams(trimmed)) : undefined;
}

/** What the link check's provider client needs from the doctor: the network, the time, and where secrets are held. */
export interface LinkClientDeps {
  readonly fetch: typeof fetch;
  /** Measures each call. */
  readonly clock: Clock;
  /** What each call's deadline runs on. */
  readonly timers: DeadlineTimers;
  /** Holds every code and token the provider hands over, so none is ever printed. */
  readonly keeper: SecretKeeper;
  /** The deadline of one provider call: longer than the service's, so a slow provider is measured. */
  readonly timeoutMs: number;
}

/** The authorization request the link check sends the test account's browser with. */
export interface AuthorizationRequest {
  /** The provider's authorization URL, built by the service's client (state and PKCE challenge included). */
  readonly url: string;
  readonly state: string;
  /** The PKCE verifier, when the profile uses PKCE. */
  readonly verifier?: Secret;
}

/** What the provider sent the browser back with: a code, or why not. */
export type CallbackAnswer =
  | { readonly kind: 'code'; readonly code: Secret }
  | {
      readonly kind: 'refused';
      /** The provider's `error` (shortened), or what the service makes of a callback without one. */
      readonly error: string;
      readonly description?: string;
      /** False when the `state` that came back is not the one sent. */
      readonly stateMatches: boolean;
    };

/** Tokens the provider issued, as the service reads them: the values held, the rest plain. */
export interface LinkTokens {
  readonly accessToken: Secret;
  readonly refreshToken?: Secret;
  /** `expires_in`, in seconds, when the answer states it. */
  readonly expiresIn?: number;
  /** The granted scope, when the answer states it. */
  readonly scope?: readonly string[];
  /** The answer's `token_type` beside the access token (shortened), when it has one; read for the code exchange only. */
  readonly tokenType?: string;
  /** The identity fields the profile reads (`userId`, …) that the answer carried; their names only. */
  readonly identity: readonly string[];
}

/** A provider call that failed, in plain words: what it said, and what the service would make of it. */
export interface ProviderRefusal {
  /** `rejected`: the provider answered with an error; `unavailable`: no usable answer (timeout, network, 5xx, 429, redirect, unreadable). */
  readonly kind: 'rejected' | 'unavailable';
  /** The provider's error code as it sent it, shortened (`invalid_grant`, `40030`). */
  readonly providerError?: string;
  readonly httpStatus?: number;
  /** Why there was no usable answer (`timeout`, `network`, `server`, `redirect`, `unreadable`, `too_large`). */
  readonly reason?: string;
  /** What the profile's error map says the error means. */
  readonly meaning?: string;
  /** What Alexa would be told (the service's one rule, `judge`): `retry` is a 503, the rest an OAuth error. */
  readonly alexaGets: 'retry' | 'invalid_grant' | 'invalid_scope' | 'server_error';
  /** The setting the service's flow log would name. */
  readonly check: string;
}

/** One token or revocation call, and how long it took on the doctor's clock. */
export interface ProviderCallTiming {
  readonly call: 'exchange' | 'refresh' | 'revocation';
  readonly durationMs: number;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
}

export type TokenCallResult = { readonly ok: true; readonly tokens: LinkTokens } | { readonly ok: false; readonly failure: ProviderRefusal };

export type RevocationResult = { readonly kind: 'no-endpoint' } | { readonly kind: 'revoked' } | { readonly kind: 'failed'; readonly failure: ProviderRefusal };

/**
 * The service's provider client (`UpstreamClient`, with the resolved profile, its error map and the
 * service's transport) as the link check uses it: plain results instead of thrown errors, every code and
 * token held as a {@link Secret}, every call timed.
 */
export interface LinkClient {
  readonly providerName: string;
  /** The scopes asked for: what Alexa asks for once `skill:package` wrote them (the one scope value). */
  readonly scopesAsked: readonly string[];
  /** `PUBLIC_URL/oauth/callback`, where the provider sends the browser back. */
  readonly callbackUrl: string;
  /** False when the profile has no refresh request (the provider issues no refresh tokens). */
  readonly refreshes: boolean;
  /** The RFC 7009 endpoint (without query), when the provider has one. */
  readonly revocationUrl?: string;
  /** The identity fields the profile reads from the code answer, by name. */
  readonly identityFields: readonly string[];
  /** Every call so far, in order. */
  readonly calls: readonly ProviderCallTiming[];
  authorizationRequest(): AuthorizationRequest;
  readCallback(callbackUrl: string, request: AuthorizationRequest): CallbackAnswer;
  exchange(code: Secret, request: AuthorizationRequest): Promise<TokenCallResult>;
  refresh(refreshToken: Secret): Promise<TokenCallResult>;
  revoke(token: Secret, hint: 'refresh_token' | 'access_token'): Promise<RevocationResult>;
}

/** Longest provider error code or description the report repeats. */
const SHORT = 120;

function openLinkClient(config: Config, profile: ProviderProfile, deps: LinkClientDeps): LinkClient {
  const transport = new AnswerKeepingTransport(createTransport(deps.timeoutMs, deps.fetch, deps.timers));
  const client = new UpstreamClient({
    profile,
    clientId: config.upstream.clientId,
    clientSecret: config.upstream.clientSecret,
    redirectUri: upstreamRedirectUri(config),
    timeoutMs: deps.timeoutMs,
    fetch: deps.fetch,
    transport,
    clock: deps.clock,
  });
  deps.keeper.remember(config.upstream.clientSecret);
  const calls: ProviderCallTiming[] = [];
  const identityFields = Object.keys(profile.token.answer.identity);

  /** Runs one call, timing it, and turns the provider's failure into a {@link ProviderRefusal}. */
  async function timed<T>(call: ProviderCallTiming['call'], run: (observe: (status: number) => void) => Promise<T>): Promise<{ value: T } | { failure: ProviderRefusal }> {
    const started = deps.clock.now();
    let status: number | undefined;
    try {
      const value = await run((answered) => (status = answered));
      calls.push({ call, durationMs: deps.clock.now() - started, status });
      return { value };
    } catch (error) {
      if (!isProviderFailure(error)) throw error;
      calls.push({ call, durationMs: deps.clock.now() - started, status: error.httpStatus });
      return { failure: refusalOf(error) };
    }
  }

  const tokensOf = (tokens: UpstreamTokens, tokenType?: string): LinkTokens => ({
    accessToken: deps.keeper.hold(tokens.accessToken),
    refreshToken: tokens.refreshToken === undefined ? undefined : deps.keeper.hold(tokens.refreshToken),
    expiresIn: tokens.expiresIn,
    scope: tokens.scope === undefined ? undefined : splitScopes(tokens.scope),
    tokenType,
    identity: Object.keys(tokens.identity ?? {}),
  });

  return {
    providerName: profile.name,
    scopesAsked: linkingScopes(profile),
    callbackUrl: upstreamRedirectUri(config),
    refreshes: refreshRequestOf(profile) !== undefined,
    revocationUrl: profile.revocationUrl === undefined ? undefined : urlForLogs(profile.revocationUrl),
    identityFields,
    calls,
    authorizationRequest() {
      // 32 characters of a-f0-9: inside every provider's limit (WeChat keeps 128 of a-zA-Z0-9, a profile at least 32).
      const state = randomBytes(16).toString('hex');
      const verifier = profile.authorization.pkce ? createCodeVerifier() : undefined;
      const url = client.authorizationUrl({ state, codeChallenge: verifier === undefined ? undefined : s256Challenge(verifier) });
      return { url, state, verifier: verifier === undefined ? undefined : deps.keeper.hold(verifier) };
    },
    readCallback(callbackUrl, request) {
      const query = new URL(callbackUrl).searchParams;
      const codes = query.getAll('code');
      const stateMatches = query.get('state') === request.state;
      if (codes.length === 1 && codes[0] !== '') {
        const code = deps.keeper.hold(codes[0]);
        if (stateMatches && !query.has('error')) return { kind: 'code', code };
      }
      const providerError = query.get('error');
      const description = query.get('error_description') ?? undefined;
      if (providerError) return { kind: 'refused', error: providerError.slice(0, SHORT), description: description?.slice(0, SHORT), stateMatches };
      if (!stateMatches) return { kind: 'refused', error: 'the state that came back is not the one sent', stateMatches };
      // As the service reads it: a callback with the state alone is a refusal where the profile says so (WeChat).
      const missing = codes.length > 1 ? 'the code came more than once' : profile.authorization.missingCode === 'access_denied' ? 'access_denied' : 'no code came back';
      return { kind: 'refused', error: missing, stateMatches };
    },
    async exchange(code, request) {
      const result = await timed('exchange', (observe) =>
        client.exchangeCode(reveal(code), request.verifier === undefined ? undefined : reveal(request.verifier), { observe: (call) => observe(call.status) }),
      );
      if ('failure' in result) return { ok: false, failure: result.failure };
      return { ok: true, tokens: tokensOf(result.value, tokenTypeIn(transport.lastText, profile.token.answer.accessToken)) };
    },
    async refresh(refreshToken) {
      const result = await timed('refresh', (observe) => client.refresh(reveal(refreshToken), { observe: (call) => observe(call.status) }));
      return 'failure' in result ? { ok: false, failure: result.failure } : { ok: true, tokens: tokensOf(result.value) };
    },
    async revoke(token, hint) {
      if (!profile.revocationUrl) return { kind: 'no-endpoint' };
      const result = await timed('revocation', async (observe) => {
        const revoked = await client.revoke(reveal(token), hint);
        observe(200);
        return revoked;
      });
      return 'failure' in result ? { kind: 'failed', failure: result.failure } : { kind: 'revoked' };
    },
  };
}

function refusalOf(failure: ProviderFailure): ProviderRefusal {
  const common = { httpStatus: failure.httpStatus, alexaGets: judge(failure), check: whatToCheck(failure) };
  if (failure instanceof UpstreamRejectedError) return { kind: 'rejected', providerError: failure.error.slice(0, SHORT), meaning: failure.meaning, ...common };
  return { kind: 'unavailable', reason: failure.causeCode ? `${failure.reason} (${failure.causeCode})` : failure.reason, ...common };
}

/** The `token_type` beside the access token in a token answer (`authed_user.token_type` for `authed_user.access_token`). */
function tokenTypeIn(text: string | undefined, accessTokenPath: string): string | undefined {
  const body = text === undefined ? undefined : readBody(text);
  if (body === undefined) return undefined;
  const path = [...accessTokenPath.split('.').slice(0, -1), 'token_type'].join('.');
  const value = readPath(body, path);
  return typeof value === 'string' && value !== '' ? value.slice(0, 40) : undefined;
}

/** The service's transport, keeping the last answer's text for what the service's reader does not keep (`token_type`). */
class AnswerKeepingTransport implements HttpTransport {
  lastText?: string;

  constructor(private readonly inner: HttpTransport) {}

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const response = await this.inner.send(request, options);
    this.lastText = response.text;
    return response;
  }
}
