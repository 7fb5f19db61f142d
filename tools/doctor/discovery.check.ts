import type { Config } from '../../models/config';
import { describeNoAnswer, jsonObject, probe, type DoctorDeps, type Exchange } from './http-probe';
import type { Finding } from './report';

/** What the provider's metadata document says that the other checks use. */
export interface ProviderMetadata {
  /** Where the document was found. */
  readonly documentUrl: string;
  /** True for an OpenID Connect discovery document. */
  readonly openId: boolean;
  readonly scopesSupported?: readonly string[];
  /** `grant_types_supported`, when the document lists it (RFC 8414 §2). */
  readonly grantTypesSupported?: readonly string[];
  readonly userinfoEndpoint?: string;
}

export interface DiscoveryCheckResult {
  readonly metadata?: ProviderMetadata;
  readonly findings: Finding[];
}

/**
 * Fetches the provider's metadata the way the service does at boot: RFC 8414 first, then OpenID Connect
 * Discovery; with the `oidc` preset, OpenID Connect Discovery only. Every place tried is named when none
 * answers.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function checkDiscovery(config: Config, deps: DoctorDeps, timeoutMs: number): Promise<DiscoveryCheckResult> {
  const issuer = config.upstream.issuer;
  if (!issuer) {
    return { findings: [{ check: 'discovery', severity: 'skipped', message: 'UPSTREAM_ISSUER is not set: nothing to discover; the endpoints come from the preset, the config file or UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL' }] };
  }
  const base = issuer.replace(/\/+$/, '');
  const documentUrls =
    config.upstream.preset === 'oidc'
      ? [`${base}/.well-known/openid-configuration`]
      : [`${base}/.well-known/oauth-authorization-server`, `${base}/.well-known/openid-configuration`];
  const tried: Exchange[] = [];
  for (const documentUrl of documentUrls) {
    const exchange = await probe(deps, { method: 'GET', url: documentUrl, headers: { accept: 'application/json' } }, timeoutMs);
    tried.push(exchange);
    if (!exchange.answered) {
      return {
        findings: [{ check: 'discovery', severity: 'error', message: `${documentUrl}: ${describeNoAnswer(exchange)}`, setting: 'UPSTREAM_ISSUER', fix: "check the scheme, host and port of the provider's issuer URL" }],
      };
    }
    const document = exchange.status === 200 ? jsonObject(exchange.text) : undefined;
    if (!document) continue;
    const metadata: ProviderMetadata = {
      documentUrl,
      openId: documentUrl.endsWith('openid-configuration'),
      scopesSupported: stringList(document.scopes_supported),
      grantTypesSupported: stringList(document.grant_types_supported),
      userinfoEndpoint: typeof document.userinfo_endpoint === 'string' ? document.userinfo_endpoint : undefined,
    };
    const findings: Finding[] = [{ check: 'discovery', severity: 'ok', message: `metadata found at ${documentUrl}` }];
    if (typeof document.issuer === 'string' && document.issuer.replace(/\/+$/, '') !== base) {
      findings.push({
        check: 'discovery',
        severity: 'warning',
        message: `the document names the issuer ${document.issuer}, not ${issuer}`,
        setting: 'UPSTREAM_ISSUER',
        fix: `set UPSTREAM_ISSUER to ${document.issuer}, exactly as the provider writes it`,
      });
    }
    return { metadata, findings };
  }
  const statuses = tried.map((exchange) => `${exchange.url} answered ${exchange.answered ? `HTTP ${exchange.status}` : 'nothing'}`).join('; ');
  return {
    findings: [
      {
        check: 'discovery',
        severity: 'error',
        message: `no metadata document: ${statuses}`,
        setting: 'UPSTREAM_ISSUER',
        fix: "set UPSTREAM_ISSUER to the issuer URL the provider documents (its metadata is at ISSUER/.well-known/openid-configuration), or unset it and set UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL",
      },
    ],
  };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}
