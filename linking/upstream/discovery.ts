/**
 * Fetching the provider's metadata document at boot, through the provider transport like every other
 * call to the provider: one deadline over the whole exchange, a bounded body, no redirects followed.
 * What the document means for the profile is decided in `providers/presets.ts`.
 */
import { ConfigError, type UpstreamConfig } from '../../models/config';
import { TransportError, type HttpTransport } from '../../models/outbound-http';
import { FetchTransport } from './http-transport';

/** How discovery reaches the provider: the provider transport, or a `fetch` (tests, tools) wrapped in one. */
export type ProviderNetwork = HttpTransport | typeof fetch;

/** A metadata document: a JSON object, its fields unchecked. */
export type ServerMetadataDocument = Readonly<Record<string, unknown>>;

/** The document found, and whether it was OpenID Connect's (so the provider is an OpenID provider). */
export interface DiscoveredMetadata {
  readonly metadata: ServerMetadataDocument;
  readonly openId: boolean;
}

/**
 * Fetches `UPSTREAM_ISSUER`'s authorization server metadata: RFC 8414's well-known URL, then OpenID
 * Connect Discovery's (only the latter for the `oidc` preset); the first that answers 2xx with a JSON
 * object wins. Each try has `UPSTREAM_TIMEOUT_MS`. With none, a `ConfigError` naming `UPSTREAM_ISSUER` says
 * what each URL did.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function discoverMetadata(upstream: UpstreamConfig, network: ProviderNetwork): Promise<DiscoveredMetadata> {
  const transport = typeof network === 'function' ? new FetchTransport(network, upstream.timeoutMs) : network;
  const base = upstream.issuer!.replace(/\/+$/, '');
  const candidates =
    upstream.preset === 'oidc'
      ? [`${base}/.well-known/openid-configuration`]
      : [`${base}/.well-known/oauth-authorization-server`, `${base}/.well-known/openid-configuration`];
  const failures: string[] = [];
  for (const url of candidates) {
    try {
      const response = await transport.send({ method: 'GET', url, headers: { accept: 'application/json' } }, { timeoutMs: upstream.timeoutMs });
      if (response.status >= 200 && response.status < 300) {
        const metadata = jsonObject(response.text);
        if (metadata) return { metadata, openId: url.endsWith('/openid-configuration') };
        failures.push(`${url} answered with no JSON object`);
      } else if (response.status >= 300 && response.status < 400) {
        failures.push(`${url} answered HTTP ${response.status}, a redirect, which linkbridge does not follow`);
      } else failures.push(`${url} answered HTTP ${response.status}`);
    } catch (error) {
      failures.push(`${url} ${whyNoAnswer(error, upstream.timeoutMs)}`);
    }
  }
  throw new ConfigError('UPSTREAM_ISSUER', `no authorization server metadata: ${failures.join('; ')}`);
}

function jsonObject(text: string): ServerMetadataDocument | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ServerMetadataDocument) : undefined;
  } catch {
    return undefined;
  }
}

function whyNoAnswer(error: unknown, timeoutMs: number): string {
  if (!(error instanceof TransportError)) return 'could not be fetched';
  if (error.reason === 'timeout') return `did not answer within ${timeoutMs} ms (UPSTREAM_TIMEOUT_MS)`;
  if (error.reason === 'too_large') return 'answered with a document larger than linkbridge reads';
  return `could not be fetched${error.causeCode ? ` (${error.causeCode})` : ''}`;
}
