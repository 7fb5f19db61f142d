import { ConfigError, type UpstreamConfig } from '../../models/config';
import type { ProviderProfile } from '../../models/provider-profile';
import { oauth2Preset } from './oauth2.preset';

/** A preset is a profile without the URLs it cannot know in advance. */
export type Preset = Omit<ProviderProfile, 'authorizationUrl' | 'tokenUrl'> &
  Partial<Pick<ProviderProfile, 'authorizationUrl' | 'tokenUrl'>>;

/** Built-in presets by `UPSTREAM_PRESET` name. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  oauth2: oauth2Preset,
};

/** The endpoints an authorization server publishes. @see https://www.rfc-editor.org/rfc/rfc8414#section-2 */
interface ServerMetadata {
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  code_challenge_methods_supported?: unknown;
}

/**
 * Resolves the upstream profile: the named preset, then discovery of `UPSTREAM_ISSUER` (RFC 8414, then
 * OpenID Connect Discovery) for URLs not given, then the config file's overrides, then `UPSTREAM_*`.
 * Runs once at boot.
 */
export async function resolveProviderProfile(upstream: UpstreamConfig, fetchImpl: typeof fetch): Promise<ProviderProfile> {
  const preset = PRESETS[upstream.preset];
  if (!preset) {
    throw new ConfigError('UPSTREAM_PRESET', `expects one of ${Object.keys(PRESETS).join(' | ')}, got "${upstream.preset}"`);
  }
  const overrides = upstream.profile ?? {};
  let authorizationUrl = upstream.authorizationUrl ?? overrides.authorizationUrl ?? preset.authorizationUrl;
  let tokenUrl = upstream.tokenUrl ?? overrides.tokenUrl ?? preset.tokenUrl;
  let pkce = upstream.pkce ?? overrides.pkce ?? preset.pkce;

  if ((!authorizationUrl || !tokenUrl) && upstream.issuer) {
    const metadata = await discover(upstream.issuer, fetchImpl, upstream.timeoutMs);
    authorizationUrl ??= stringOrUndefined(metadata.authorization_endpoint);
    tokenUrl ??= stringOrUndefined(metadata.token_endpoint);
    // Without an explicit choice, use PKCE only where the server says it supports S256.
    if (upstream.pkce === undefined && Array.isArray(metadata.code_challenge_methods_supported)) {
      pkce = metadata.code_challenge_methods_supported.includes('S256');
    }
  }
  if (!authorizationUrl) throw new ConfigError('UPSTREAM_AUTHORIZATION_URL', 'is required (or UPSTREAM_ISSUER with discovery)');
  if (!tokenUrl) throw new ConfigError('UPSTREAM_TOKEN_URL', 'is required (or UPSTREAM_ISSUER with discovery)');

  return Object.freeze({
    ...preset,
    ...overrides,
    authorizationUrl,
    tokenUrl,
    pkce,
    scope: upstream.scope ?? overrides.scope ?? preset.scope,
    tokenResponse: { ...preset.tokenResponse, ...overrides.tokenResponse },
  });
}

async function discover(issuer: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<ServerMetadata> {
  const base = issuer.replace(/\/+$/, '');
  const candidates = [`${base}/.well-known/oauth-authorization-server`, `${base}/.well-known/openid-configuration`];
  for (const url of candidates) {
    try {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (response.ok) return (await response.json()) as ServerMetadata;
    } catch {
      // Try the next well-known location; the error below names the variable if none answers.
    }
  }
  throw new ConfigError('UPSTREAM_ISSUER', `no authorization server metadata at ${candidates.join(' or ')}`);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
