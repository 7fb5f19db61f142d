import type { Config } from '../../models/config';
import { describeNoAnswer, probe, type DoctorDeps } from './http-probe';
import type { ProviderMetadata } from './discovery.check';
import type { Finding } from './report';

/**
 * The skill calls `ACCOUNT_API_URL` (unset: the provider's userinfo endpoint) with the linked token. Called without one, a working API refuses
 * with 401 or 403; a 404 or no answer means every question would fail.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export async function checkAccountApi(config: Config, deps: DoctorDeps, metadata?: ProviderMetadata, url = config.skill.accountApiUrl): Promise<Finding[]> {
  const suggestion = metadata?.userinfoEndpoint ? ` (the provider's userinfo endpoint is ${metadata.userinfoEndpoint})` : '';
  if (!url) {
    return [
      {
        check: 'account-api',
        severity: 'error',
        message: 'ACCOUNT_API_URL is not set and the provider names no userinfo endpoint: the skill would answer every account question with "not set up"',
        setting: 'ACCOUNT_API_URL',
        fix: `set it to the API that answers with the user's profile for the linked token${suggestion}`,
      },
    ];
  }
  const exchange = await probe(deps, { method: 'GET', url, headers: { accept: 'application/json' } }, config.skill.accountApiTimeoutMs);
  const error = (message: string, fix: string): Finding[] => [{ check: 'account-api', severity: 'error', message, setting: 'ACCOUNT_API_URL', fix }];
  if (!exchange.answered) return error(`${exchange.url}: ${describeNoAnswer(exchange)}`, `check the scheme, host and port${suggestion}`);
  const defaulted = url !== config.skill.accountApiUrl ? " (ACCOUNT_API_URL is not set: the provider's userinfo endpoint)" : '';
  const said = `${exchange.url}${defaulted} answered HTTP ${exchange.status} without a token`;
  // RFC 6750 §3.1: 401 or 403; some servers (node-oidc-provider) answer a missing token with 400 and a Bearer challenge.
  const bearerChallenge = (exchange.headers['www-authenticate'] ?? '').toLowerCase().startsWith('bearer');
  if (exchange.status === 401 || exchange.status === 403 || (exchange.status === 400 && bearerChallenge)) {
    return [{ check: 'account-api', severity: 'ok', message: `${said}, as an API that needs the user's token does (${exchange.durationMs} ms)` }];
  }
  if (exchange.status === 404 || exchange.status === 405) return error(`${said}: there is no API at this path`, `correct the path${suggestion}`);
  if (exchange.status >= 300 && exchange.status < 400) {
    return error(`${said}, a redirect to ${exchange.headers.location ?? '(no location)'}: a sign-in page, not an API`, `set the API's own URL${suggestion}`);
  }
  if (exchange.status >= 500) return error(`${said}: the API failed`, "check the API's status and logs");
  return [
    {
      check: 'account-api',
      severity: 'warning',
      message: `${said}: an account API should refuse a request without the user's token`,
      setting: 'ACCOUNT_API_URL',
      fix: `check that this is the API that reads the linked user's account${suggestion}`,
    },
  ];
}
