import { describeNoAnswer, probe, type DoctorDeps } from './http-probe';
import type { ProviderView } from './provider-adapter';
import type { Finding } from './report';

/**
 * The user's browser is sent to the authorization endpoint: it must at least answer. Without Alexa's
 * parameters a provider shows an error page or a 400, which is fine; a 404 points at a wrong path.
 */
export async function checkAuthorizationEndpoint(provider: ProviderView, deps: DoctorDeps, timeoutMs: number): Promise<Finding[]> {
  const exchange = await probe(deps, { method: 'GET', url: provider.authorizationUrl }, timeoutMs);
  const setting = provider.settings.authorizationUrl;
  if (!exchange.answered) {
    return [{ check: 'authorization-endpoint', severity: 'error', message: `${exchange.url}: ${describeNoAnswer(exchange)}`, setting, fix: "check the scheme, host and port of the provider's authorization endpoint" }];
  }
  if (exchange.status === 404) {
    return [
      {
        check: 'authorization-endpoint',
        severity: 'warning',
        message: `${exchange.url} answered 404 Not Found: the sign-in page is probably at another path`,
        setting,
        fix: "copy the authorization endpoint from the provider's documentation or metadata",
      },
    ];
  }
  return [{ check: 'authorization-endpoint', severity: 'ok', message: `${exchange.url} answers (HTTP ${exchange.status} without Alexa's parameters)` }];
}
