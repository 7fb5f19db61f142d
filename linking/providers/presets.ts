import { ConfigError, type UpstreamConfig } from '../../models/config';
import { describeIssue, ProviderProfileSchema, type ProfileOverrides, type ProviderProfile } from '../../models/provider-profile';
import { requestedScope } from '../upstream/authorization-request';
import { discoverMetadata, type ProviderNetwork } from '../upstream/discovery';
import { facebookPreset } from './facebook.preset';
import { githubPreset } from './github.preset';
import { oauth2Preset } from './oauth2.preset';
import { oidcPreset } from './oidc.preset';
import { slackPreset } from './slack.preset';
import { wechatPreset } from './wechat.preset';
import { xPreset } from './x.preset';

/** Built-in presets by `UPSTREAM_PRESET` name. */
export const PRESETS: Readonly<Record<string, ProfileOverrides>> = {
  oauth2: oauth2Preset,
  oidc: oidcPreset,
  github: githubPreset,
  wechat: wechatPreset,
  facebook: facebookPreset,
  slack: slackPreset,
  x: xPreset,
};

/**
 * Authorization server metadata. @see https://www.rfc-editor.org/rfc/rfc8414#section-2,
 * https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
interface ServerMetadata {
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  userinfo_endpoint?: unknown;
  code_challenge_methods_supported?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
  scopes_supported?: unknown;
}

/** The OpenID Connect scopes that give the skill the user's name and email, when the provider offers them. */
const OPENID_DEFAULT_SCOPES = ['openid', 'profile', 'email'] as const;

/** How to fix a configuration that would request no scope; the boot refusal, the doctor and `skill:package` say the same. */
export const NO_SCOPE_FIX =
  'set UPSTREAM_SCOPE to the scopes the account API needs, space separated (for an OpenID provider: openid profile email), and run npm run skill:package again so Alexa asks for the same';

/**
 * Resolves the upstream profile once at boot: the named preset, changed by the config file's
 * `upstream.profile`, then by `UPSTREAM_*`, then completed by discovery of `UPSTREAM_ISSUER` for what is
 * still missing (endpoints, the userinfo URL, a default scope), and checked against the profile schema.
 * Every failure names the variable or field.
 */
export async function resolveProviderProfile(upstream: UpstreamConfig, network: ProviderNetwork): Promise<ProviderProfile> {
  const preset = Object.hasOwn(PRESETS, upstream.preset) ? PRESETS[upstream.preset] : undefined;
  if (!preset) {
    throw new ConfigError('UPSTREAM_PRESET', `expects one of ${Object.keys(PRESETS).join(' | ')}, got "${upstream.preset}"`);
  }
  let merged = mergeProfiles(preset, upstream.profile ?? {}, fromEnvironment(upstream));
  if (upstream.issuer) merged = mergeProfiles(await discovered(upstream, merged, network), merged);
  else if (upstream.preset === 'oidc') throw new ConfigError('UPSTREAM_ISSUER', 'is required with UPSTREAM_PRESET=oidc (discovery)');

  if (!merged.authorization?.url) {
    throw new ConfigError('UPSTREAM_AUTHORIZATION_URL', 'is required (or upstream.profile.authorization.url in LINKBRIDGE_CONFIG, or UPSTREAM_ISSUER with discovery)');
  }
  if (!merged.token?.url) {
    throw new ConfigError('UPSTREAM_TOKEN_URL', 'is required (or upstream.profile.token.url in LINKBRIDGE_CONFIG, or UPSTREAM_ISSUER with discovery)');
  }
  const parsed = ProviderProfileSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError('LINKBRIDGE_CONFIG', describeIssue(parsed.error, 'upstream.profile'));
  return deepFreeze(parsed.data);
}

/** What the `UPSTREAM_*` variables change. */
function fromEnvironment(upstream: UpstreamConfig): ProfileOverrides {
  return {
    authorization: { url: upstream.authorizationUrl, pkce: upstream.pkce },
    token: { url: upstream.tokenUrl },
    // A configured scope replaces Alexa's, as it always has.
    scope: upstream.scope === undefined ? undefined : { value: upstream.scope, alexa: 'replace' },
  };
}

/**
 * Refuses a profile that would request no scope when Alexa sends none: with `UPSTREAM_SCOPE` unset,
 * `skill:package` writes `"scopes": []`, Alexa sends no scope, and the provider grants nothing the
 * account API accepts, or refuses the sign-in with `access_denied`, long after the start looked fine.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function requireScope(profile: ProviderProfile): ProviderProfile {
  if (requestedScope(profile.scope, undefined) === undefined) {
    throw new ConfigError(
      'UPSTREAM_SCOPE',
      `is not set, and neither the ${profile.name} preset nor the provider's discovery document gives a default, so linkbridge would request no scope; ${NO_SCOPE_FIX}`,
    );
  }
  return profile;
}

/**
 * The scope linkbridge asks for when Alexa sends none, from the preset, the config file and
 * `UPSTREAM_SCOPE` alone (no discovery): what `skill:package` can know without the network.
 */
export function configuredScope(upstream: UpstreamConfig): string | undefined {
  const preset = Object.hasOwn(PRESETS, upstream.preset) ? PRESETS[upstream.preset] : {};
  const merged = mergeProfiles(preset, upstream.profile ?? {}, fromEnvironment(upstream));
  return hasOwnScope(merged) ? [merged.scope?.value ?? '', ...(merged.scope?.always ?? [])].join(' ').trim() : undefined;
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
  const { metadata, openId } = await discoverMetadata(upstream, network);
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

/** Deep merge of plain objects, later ones winning; arrays and `null` replace, `undefined` is skipped. */
export function mergeProfiles(...layers: ProfileOverrides[]): ProfileOverrides {
  return layers.reduce<Record<string, unknown>>((merged, layer) => mergeObjects(merged, layer as Record<string, unknown>), {}) as ProfileOverrides;
}

function mergeObjects(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(value) && isPlainObject(current) ? mergeObjects(current, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
