/**
 * The doctor's only door into linkbridge's provider code: how the provider profile is resolved and how
 * the token request is built and read. The checks see plain values (URLs, scope, an exchange, an OAuth
 * error code), so a change in the provider code changes this file and nothing else in the doctor.
 */
import { randomBytes } from 'node:crypto';
import type { v1 } from 'ask-smapi-model';
import type { Config, ConfigProblem } from '../../models/config';
import { linkingScopes } from '../../models/provider-profile';
import { upstreamRedirectUri } from '../../linking/linking-deps';
import { accountApiUrlOf, PRESETS, resolveProfile } from '../../linking/providers/presets';
import { readPath } from '../../linking/upstream/answer-path';
import { TransportError, type HttpTransport, type IncomingResponse, type OutgoingRequest } from '../../linking/upstream/http-transport';
import { UpstreamClient, UpstreamRejectedError } from '../../linking/upstream-client';
import { buildAccountLinkingRequest } from '../skill-package/manifest';
import { jsonObject, probe, type DoctorDeps, type Exchange } from './http-probe';

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
