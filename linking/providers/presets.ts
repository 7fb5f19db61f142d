import { ConfigError, type UpstreamConfig } from '../../models/config';
import { describeIssue, ProviderProfileSchema, type ProfileOverrides, type ProviderProfile } from '../../models/provider-profile';
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
}

/**
 * Resolves the upstream profile once at boot: the named preset, changed by the config file's
 * `upstream.profile`, then by `UPSTREAM_*`, then completed by discovery of `UPSTREAM_ISSUER` for what is
 * still missing, and checked against the profile schema. Every failure names the variable or field.
 */
export async function resolveProviderProfile(upstream: UpstreamConfig, fetchImpl: typeof fetch): Promise<ProviderProfile> {
  const preset = Object.hasOwn(PRESETS, upstream.preset) ? PRESETS[upstream.preset] : undefined;
  if (!preset) {
    throw new ConfigError('UPSTREAM_PRESET', `expects one of ${Object.keys(PRESETS).join(' | ')}, got "${upstream.preset}"`);
  }
  let merged = mergeProfiles(preset, upstream.profile ?? {}, fromEnvironment(upstream));
  if (upstream.issuer) merged = mergeProfiles(await discovered(upstream, merged, fetchImpl), merged);
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
 * Discovery (RFC 8414, then OpenID Connect Discovery; OpenID Connect only for the `oidc` preset) for
 * the endpoints, userinfo, PKCE and client authentication the profile does not already say.
 */
async function discovered(upstream: UpstreamConfig, profile: ProfileOverrides, fetchImpl: typeof fetch): Promise<ProfileOverrides> {
  const needed = !profile.authorization?.url || !profile.token?.url || (upstream.preset === 'oidc' && !profile.userinfoUrl);
  if (!needed) return {};
  const metadata = await discover(upstream, fetchImpl);
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
  };
}

async function discover(upstream: UpstreamConfig, fetchImpl: typeof fetch): Promise<ServerMetadata> {
  const base = upstream.issuer!.replace(/\/+$/, '');
  const candidates =
    upstream.preset === 'oidc'
      ? [`${base}/.well-known/openid-configuration`]
      : [`${base}/.well-known/oauth-authorization-server`, `${base}/.well-known/openid-configuration`];
  const failures: string[] = [];
  for (const url of candidates) {
    try {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(upstream.timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
      if (response.ok) {
        const metadata: unknown = await response.json();
        if (typeof metadata === 'object' && metadata !== null) return metadata as ServerMetadata;
        failures.push(`${url} answered with no JSON object`);
      } else failures.push(`${url} answered HTTP ${response.status}`);
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      failures.push(`${url} could not be fetched${typeof code === 'string' ? ` (${code})` : ''}`);
    }
  }
  throw new ConfigError('UPSTREAM_ISSUER', `no authorization server metadata: ${failures.join('; ')}`);
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
