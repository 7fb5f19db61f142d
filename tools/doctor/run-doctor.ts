import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, ConfigProblem } from '../../models/config';
import { checkAccountApi } from './account-api.check';
import { checkAccountLinking, type AccountLinkingFile } from './account-linking.check';
import { checkAuthorizationEndpoint } from './authorization-endpoint.check';
import { checkConfig } from './config.check';
import { checkDiscovery, type DiscoveryCheckResult } from './discovery.check';
import type { DoctorDeps } from './http-probe';
import { checkLatency } from './latency.check';
import { resolveProvider } from './provider-adapter';
import { checkPublicUrl } from './public-url.check';
import { checkRedirectUris } from './redirect-uris.check';
import { CHECK_NAMES, skipped, summarize, type CheckId, type DoctorResult, type Finding } from './report';
import { checkScope } from './scope.check';
import { checkStore } from './store.check';
import { checkTokenEndpoint } from './token-endpoint.check';
import { checkTokenLifetime } from './token-lifetime.check';

/** How long the doctor waits for one answer: longer than the service would, so a slow provider is measured, not just timed out. */
export const DOCTOR_TIMEOUT_MS = 10_000;

export interface RunDoctorDeps extends DoctorDeps {
  /** Reads the `LINKBRIDGE_CONFIG` file and `accountLinking.json`; the file system when absent. */
  readonly readFile?: (path: string) => string;
  /** Where `npm run skill:package` wrote `accountLinking.json`: the working directory when absent. */
  readonly accountLinkingPath?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** What needs the provider profile resolved (its endpoints, scope and userinfo URL). */
const NEEDS_THE_PROFILE = 'needs the provider profile, which the service could not resolve';

/**
 * `npm run doctor`: reads the configuration the service would read and checks, without a user, what
 * linking needs: every variable, the public URL, the redirect URIs, the provider's metadata,
 * authorization and token endpoints and their latency, the token lifetime, the scope, the account API,
 * whether `accountLinking.json` tells Alexa what this configuration expects, and a DynamoDB store. Each
 * cause is reported once: a check that needs one that failed is shown as skipped, after it, naming it.
 * Network calls go through `deps.fetch` (a DynamoDB store's through the AWS SDK); durations are measured
 * with `deps.clock`.
 */
export async function runDoctor(env: Env, deps: RunDoctorDeps): Promise<DoctorResult> {
  const { config, findings } = checkConfig(env, deps.readFile);
  if (!config || config.demo) {
    const others = (Object.keys(CHECK_NAMES) as CheckId[]).filter((check) => check !== 'config');
    findings.push(...others.map((check) => skipped(check, 'config', 'needs a configuration the service accepts')));
    return summarize(findings);
  }
  findings.push(...checkPublicUrl(config), ...checkRedirectUris(config));

  const discovery = await checkDiscovery(config, deps, DOCTOR_TIMEOUT_MS);
  findings.push(...discovery.findings);
  const { view: provider, problems } = await resolveProvider(config, deps, DOCTOR_TIMEOUT_MS);
  const blocker = config.upstream.issuer ? 'discovery' : 'config';
  findings.push(...resolutionFindings(config, problems, discovery, blocker));

  if (provider) {
    findings.push(...(await checkAuthorizationEndpoint(provider, deps, DOCTOR_TIMEOUT_MS)));
    const answer = await provider.sendInvalidCode();
    findings.push(...checkTokenEndpoint(provider, answer), ...checkLatency(config, answer.exchange), ...checkTokenLifetime(config, answer.statedLifetime));
    findings.push(...checkScope(provider.scopes, discovery.metadata));
  } else {
    findings.push(
      skipped('authorization-endpoint', blocker, NEEDS_THE_PROFILE),
      skipped('token-endpoint', blocker, NEEDS_THE_PROFILE),
      skipped('latency', blocker, NEEDS_THE_PROFILE),
      ...checkTokenLifetime(config),
      skipped('scope', blocker, NEEDS_THE_PROFILE),
    );
  }
  const accountApiUrl = provider ? provider.accountApiUrl : config.skill.accountApiUrl;
  if (provider || accountApiUrl) findings.push(...(await checkAccountApi(config, deps, discovery.metadata, accountApiUrl)));
  else findings.push(skipped('account-api', blocker, "ACCOUNT_API_URL is not set, so it needs the provider's userinfo endpoint from the profile"));
  findings.push(...(provider ? checkAccountLinking(provider, readAccountLinking(deps)) : [skipped('account-linking', blocker, NEEDS_THE_PROFILE)]));
  findings.push(...(await checkStore(config, deps)));
  return summarize(findings);
}

/**
 * What the service's profile resolution refuses, once: a discovery failure the discovery check already
 * reported is not repeated, and a missing scope is the scope check's to report.
 */
export function resolutionFindings(config: Config, problems: readonly ConfigProblem[], discovery: DiscoveryCheckResult, check: CheckId): Finding[] {
  const discoveryFailed = discovery.findings.some((finding) => finding.severity === 'error');
  return problems
    .filter((problem) => problem.variable !== 'UPSTREAM_SCOPE' && !(problem.variable === 'UPSTREAM_ISSUER' && discoveryFailed))
    .map((problem) => ({
      check,
      severity: 'error',
      message: `the service would refuse to start: ${problem.variable}: ${problem.expectation}`,
      setting: problem.variable,
      fix: config.upstream.issuer
        ? `set ${problem.variable} yourself, or check that UPSTREAM_ISSUER is the provider's issuer (see docs/providers.md)`
        : 'see docs/configuration.md and docs/providers.md',
    }));
}

/** `accountLinking.json` where `npm run skill:package` writes it, if it is there. */
function readAccountLinking(deps: RunDoctorDeps): AccountLinkingFile {
  const path = deps.accountLinkingPath ?? join(process.cwd(), 'accountLinking.json');
  const read = deps.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  try {
    return { path, text: read(path) };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { path };
    return { path, text: '' };
  }
}
