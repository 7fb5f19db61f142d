import type { ProviderMetadata } from './discovery.check';
import type { Finding } from './report';

/**
 * The scopes linkbridge asks the provider for (the one value `skill:package` writes for Alexa too). With
 * none, Alexa would send no scope, and many providers answer the sign-in with `access_denied` or a token
 * the account API refuses.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function checkScope(scopes: readonly string[], metadata?: ProviderMetadata, options: { readonly offlineAccessAdvice?: boolean } = {}): Finding[] {
  if (scopes.length === 0) {
    const example = metadata?.openId ? 'openid profile email' : 'the scopes the account API needs';
    return [
      {
        check: 'scope',
        severity: 'error',
        message: 'no scope is requested: the provider would grant nothing the account API accepts, or refuse the sign-in',
        setting: 'UPSTREAM_SCOPE',
        fix: `set UPSTREAM_SCOPE to ${example}, space separated, and run npm run skill:package again so Alexa asks for the same`,
        ...(metadata?.scopesSupported ? { details: { 'the provider offers': metadata.scopesSupported } } : {}),
      },
    ];
  }
  const findings: Finding[] = [{ check: 'scope', severity: 'ok', message: `requests: ${scopes.join(' ')}` }];
  const supported = metadata?.scopesSupported;
  if (supported) {
    const unknown = scopes.filter((scope) => !supported.includes(scope));
    if (unknown.length > 0) {
      findings.push({
        check: 'scope',
        severity: 'warning',
        message: `the provider does not list ${unknown.join(', ')} among its scopes`,
        setting: 'UPSTREAM_SCOPE',
        fix: 'check the spelling against the provider\'s documentation',
        details: { 'the provider offers': supported },
      });
    }
    // `doctor --link` leaves this to its offline access step, which knows what the provider did without it.
    if ((options.offlineAccessAdvice ?? true) && supported.includes('offline_access') && !scopes.includes('offline_access')) {
      findings.push({
        check: 'scope',
        severity: 'warning',
        message: 'offline_access is offered but not requested: the provider may issue no refresh token, or one that ends with the sign-in session, and users are unlinked after some days',
        setting: 'UPSTREAM_SCOPE',
        fix: 'add offline_access to UPSTREAM_SCOPE (and allow the refresh token grant for the client at the provider)',
      });
    }
  }
  return findings;
}
