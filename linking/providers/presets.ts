import { ConfigError, type ConfigProblem, type UpstreamConfig } from '../../models/config';
import { describeIssues, linkingScopes, ProviderProfileSchema, type ProfileOverrides, type ProviderProfile } from '../../models/provider-profile';
import { discoverMetadata, type ProviderNetwork } from '../upstream/discovery';
import { configuredProfile, mergeProfiles, NO_SCOPE_FIX } from '../../models/presets/catalog';

export { mergeProfiles, NO_SCOPE_FIX, PRESETS, type PresetName } from '../../models/presets/catalog';

/**
 * Authorization server metadata. @see https://www.rfc-editor.org/rfc/rfc8414#section-2,
 * https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
interface ServerMetadata {
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  userinfo_endpoint?: unknown;
  revocation_endpoint?: unknown;
  code_challenge_methods_supported?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
  scopes_supported?: unknown;
}

/** The OpenID Connect scopes that give the skill the user's name and email, when the provider offers them. */
const OPENID_DEFAULT_SCOPES = ['openid', 'profile', 'email'] as const;

/** The provider profile as resolved at start, or why it cannot be: every problem, each naming its setting. */
export interface ProfileResolution {
  /** Set when the profile is complete and valid (even if it names no scope: see `problems`). */
  readonly profile?: ProviderProfile;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Resolves the upstream profile once at start, as the service uses it: the preset, changed by the
 * config file's `upstream.profile`, then by `UPSTREAM_*` (all checked by the config loader), then
 * completed by discovery of `UPSTREAM_ISSUER` for what is still missing (endpoints, the userinfo URL, a
 * default scope), and checked against the profile schema. Throws one `ConfigError` naming every
 * problem, a profile that would request no scope included.
 */
export async function resolveProviderProfile(upstream: UpstreamConfig, network: ProviderNetwork): Promise<ProviderProfile> {
  const { profile, problems } = await resolveProfile(upstream, network);
  if (problems.length > 0 || !profile) throw new ConfigError(problems);
  return profile;
}

/**
 * {@link resolveProviderProfile} without throwing: the profile when there is one, and every problem. The
 * doctor and `skill:package` report the problems beside their own findings.
 */
export async function resolveProfile(upstream: UpstreamConfig, network: ProviderNetwork): Promise<ProfileResolution> {
  let merged = configuredProfile(upstream);
  if (upstream.issuer) {
    try {
      merged = mergeProfiles(await discovered(upstream, merged, network), merged);
    } catch (error) {
      if (error instanceof ConfigError) return { problems: error.problems };
      throw error;
    }
  }
  // The config loader refuses a missing endpoint before discovery; here it is one discovery did not give.
  const missing = [merged.authorization?.url ? undefined : 'UPSTREAM_AUTHORIZATION_URL', merged.token?.url ? undefined : 'UPSTREAM_TOKEN_URL'].filter((name) => name !== undefined);
  if (missing.length > 0) {
    const source = upstream.issuer ? `the metadata of ${upstream.issuer} names no ${missing.length === 2 ? 'authorization or token endpoint' : 'such endpoint'}` : 'no preset or file gives it';
    return { problems: [{ variable: missing[0], expectation: `is required${missing.length === 2 ? ', and so is UPSTREAM_TOKEN_URL' : ''}: ${source}` }] };
  }
  const parsed = ProviderProfileSchema.safeParse(merged);
  if (!parsed.success) return { problems: describeIssues(parsed.error, 'upstream.profile').map((issue) => ({ variable: 'LINKBRIDGE_CONFIG', expectation: issue })) };
  const profile = deepFreeze(parsed.data);
  return { profile, problems: scopeProblems(profile) };
}

/**
 * A profile that would request no scope when Alexa sends none: with `UPSTREAM_SCOPE` unset,
 * `skill:package` would write `"scopes": []`, Alexa would send no scope, and the provider would grant
 * nothing the account API accepts, or refuse the sign-in with `access_denied`, long after the start
 * looked fine.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
function scopeProblems(profile: ProviderProfile): ConfigProblem[] {
  if (linkingScopes(profile).length > 0) return [];
  return [
    {
      variable: 'UPSTREAM_SCOPE',
      expectation: `is not set, and neither the ${profile.name} preset nor the provider's discovery document gives a default, so linkbridge would request no scope; ${NO_SCOPE_FIX}`,
    },
  ];
}

/** The account API the skill calls: `ACCOUNT_API_URL`, else the provider's userinfo endpoint (preset or discovery). */
export function accountApiUrlOf(accountApiUrl: string | undefined, profile: ProviderProfile): { readonly url?: string; readonly source: string } {
  if (accountApiUrl) return { url: accountApiUrl, source: 'ACCOUNT_API_URL' };
  if (profile.userinfoUrl) return { url: profile.userinfoUrl, source: "the provider's userinfo endpoint (preset or discovery)" };
  return { source: 'none' };
}

/**
 * Discovery (RFC 8414, then OpenID Connect Discovery; OpenID Connect only for the `oidc` preset) for
 * the endpoints, userinfo, PKCE, client authentication and default scope the profile does not already say.
 */
async function discovered(upstream: UpstreamConfig, profile: ProfileOverrides, network: ProviderNetwork): Promise<ProfileOverrides> {
  const needed = !profile.authorization?.url || !profile.token?.url || !profile.userinfoUrl || !hasOwnScope(profile);
  if (!needed) return {};
  const { metadata: document, openId } = await discoverMetadata(upstream, network);
  const metadata = document as ServerMetadata;
  const methods = Array.isArray(metadata.token_endpoint_auth_methods_supported) ? metadata.token_endpoint_auth_methods_supported : undefined;
  return {
    authorization: {
      url: stringOrUndefined(metadata.authorization_endpoint),
      // Without an explicit choice, use PKCE only where the server says it supports S256.
      pkce: Array.isArray(metadata.code_challenge_methods_supported) ? metadata.code_challenge_methods_supported.includes('S256') : undefined,
    },
    token: {
      url: stringOrUndefined(metadata.token_endpoint),
      // RFC 8414 §2: client_secret_basic is the default when the server lists none.
      clientAuthentication: methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post') ? 'client_secret_post' : undefined,
    },
    userinfoUrl: stringOrUndefined(metadata.userinfo_endpoint),
    revocationUrl: stringOrUndefined(metadata.revocation_endpoint),
    scope: { value: defaultScope(metadata, openId) },
  };
}

/** True when the profile names a scope of its own, so Alexa sending none still asks for something. */
function hasOwnScope(profile: ProfileOverrides): boolean {
  return Boolean(profile.scope?.value?.trim()) || (profile.scope?.always ?? []).length > 0;
}

/**
 * The scope asked for when none is configured: for an OpenID Connect provider, `openid` and whichever of
 * `profile` and `email` it lists (all three when it lists none); an RFC 8414 server without `openid`
 * names no scope a skill can rely on, so none.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims (§5.4)
 */
function defaultScope(metadata: ServerMetadata, openIdDocument: boolean): string | undefined {
  const supported = Array.isArray(metadata.scopes_supported) ? metadata.scopes_supported.filter((scope): scope is string => typeof scope === 'string') : undefined;
  if (!openIdDocument && !supported?.includes('openid')) return undefined;
  return OPENID_DEFAULT_SCOPES.filter((scope) => scope === 'openid' || !supported || supported.includes(scope)).join(' ');
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
