import { ConfigError, type Config } from '../../models/config';
import { checkAccountApi } from './account-api.check';
import { checkAuthorizationEndpoint } from './authorization-endpoint.check';
import { checkConfig } from './config.check';
import { checkDiscovery } from './discovery.check';
import type { DoctorDeps } from './http-probe';
import { checkLatency } from './latency.check';
import { resolveProvider, type ProviderView } from './provider-adapter';
import { checkPublicUrl } from './public-url.check';
import { checkRedirectUris } from './redirect-uris.check';
import { summarize, type DoctorResult, type Finding } from './report';
import { checkScope } from './scope.check';
import { checkStore } from './store.check';
import { checkTokenEndpoint } from './token-endpoint.check';
import { checkTokenLifetime } from './token-lifetime.check';

/** How long the doctor waits for one answer: longer than the service would, so a slow provider is measured, not just timed out. */
export const DOCTOR_TIMEOUT_MS = 10_000;

export interface RunDoctorDeps extends DoctorDeps {
  /** Reads the `LINKBRIDGE_CONFIG` file; the file system when absent. */
  readonly readFile?: (path: string) => string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `npm run doctor`: reads the configuration the service would read and checks, without a user, what
 * linking needs: every variable, the public URL, the redirect URIs, the scope, the provider's metadata,
 * authorization and token endpoints and their latency, the token lifetime, the account API, and a DynamoDB store.
 * Network calls go through `deps.fetch` (a DynamoDB store's through the AWS SDK); durations are measured with `deps.clock`.
 */
export async function runDoctor(env: Env, deps: RunDoctorDeps): Promise<DoctorResult> {
  const { config, findings } = checkConfig(env, deps.readFile);
  if (!config || config.demo) {
    findings.push({ check: 'config', severity: 'skipped', message: 'the other checks need a configuration the service accepts; fix the error above and run the doctor again' });
    return summarize(findings);
  }
  findings.push(...checkPublicUrl(config), ...checkRedirectUris(config));

  const discovery = await checkDiscovery(config, deps, DOCTOR_TIMEOUT_MS);
  findings.push(...discovery.findings);
  const provider = await resolveOrReport(config, deps, findings);
  findings.push(...checkScope(provider ? provider.scope : config.upstream.scope, discovery.metadata));

  if (provider) {
    findings.push(...(await checkAuthorizationEndpoint(provider, deps, DOCTOR_TIMEOUT_MS)));
    const answer = await provider.sendInvalidCode();
    findings.push(...checkTokenEndpoint(provider, answer), ...checkLatency(config, answer.exchange), ...checkTokenLifetime(config, answer.statedLifetime));
  } else {
    findings.push(...checkTokenLifetime(config));
  }
  findings.push(...(await checkAccountApi(config, deps, discovery.metadata, provider ? provider.accountApiUrl : config.skill.accountApiUrl)));
  findings.push(...(await checkStore(config, deps)));
  return summarize(findings);
}

/** The provider as the service would resolve it at boot, or a finding saying why it would not start. */
async function resolveOrReport(config: Config, deps: RunDoctorDeps, findings: Finding[]): Promise<ProviderView | undefined> {
  try {
    return await resolveProvider(config, deps, DOCTOR_TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A discovery failure is already reported with its cause; the service's refusal adds nothing new.
    if (!(error.variable === 'UPSTREAM_ISSUER' && findings.some((finding) => finding.check === 'discovery' && finding.severity === 'error'))) {
      findings.push({
        check: 'config',
        severity: 'error',
        message: `the service would refuse to start: ${error.message}`,
        setting: error.variable,
        fix: 'see docs/configuration.md and docs/providers.md',
      });
    }
    findings.push({ check: 'token-endpoint', severity: 'skipped', message: 'the provider endpoints are unknown until the error above is fixed' });
    return undefined;
  }
}
