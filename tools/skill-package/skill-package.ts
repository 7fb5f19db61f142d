import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALEXA_REDIRECT_HOSTS, ConfigError, loadConfig, type Config } from '../../models/config';
import { configuredScope, NO_SCOPE_FIX, resolveProviderProfile } from '../../linking/providers/presets';
import { requestedScope } from '../../linking/upstream/authorization-request';
import { buildAccountLinkingRequest, buildSkillManifest } from './manifest';

type Env = Readonly<Record<string, string | undefined>>;

/** Where a developer finds the vendor id Alexa puts in its redirect URLs. */
export const VENDOR_ID_HELP =
  'your vendor id is at https://developer.amazon.com/mycid.html (Alexa developer console, Settings), or run `ask smapi get-vendor-list`; write it in upper case';

/** The package would be wrong; the message says what to set. */
export class SkillPackageRefusal extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SkillPackageRefusal';
  }
}

/** One file to write. */
export interface PackageFile {
  readonly path: string;
  readonly content: string;
  /** `0o600` for a file that holds a secret. */
  readonly mode?: number;
}

export interface SkillPackagePlan {
  readonly files: readonly PackageFile[];
  /** Things a demo package gets wrong on purpose, said once more. */
  readonly warnings: readonly string[];
}

/**
 * Builds `skill-package/skill.json` and `accountLinking.json` from the configuration, or refuses when they
 * would be wrong: demo values (unless `demo`), no Alexa redirect URL (no vendor id), a non-HTTPS endpoint,
 * no privacy policy, no scope. Throws the loader's `ConfigError` for a refused variable.
 *
 * With `UPSTREAM_SCOPE` unset, the scopes written are the ones linkbridge asks for when Alexa sends none:
 * the preset's or the config file's, or `discoveredScope` (what the provider's discovery document gave,
 * resolved by the caller, as the service does at start).
 */
export function planSkillPackage(env: Env, options: { readonly demo: boolean; readonly root: string; readonly discoveredScope?: string }): SkillPackagePlan {
  const config = loadConfig(env);
  const linking = withDefaultScopes(buildAccountLinkingRequest(config), config.upstream.scope ? undefined : (configuredScope(config.upstream) ?? options.discoveredScope));
  const problems: string[] = [];
  const warnings: string[] = [];
  const unlessDemo = (problem: string) => (options.demo ? warnings : problems).push(problem);

  if (config.demo) {
    unlessDemo(
      'no provider is configured (UPSTREAM_ISSUER, or UPSTREAM_AUTHORIZATION_URL and UPSTREAM_TOKEN_URL): the files would hold demo values (the demo client id and secret, "domains": ["localhost"]). Set the UPSTREAM_* you run linkbridge with, or pass --demo for a demo package',
    );
  }
  if (!hasAlexaRedirectUrl(config)) {
    unlessDemo(`ALEXA_VENDOR_IDS is not set: linkbridge would refuse the Alexa app's redirect URLs; ${VENDOR_ID_HELP}`);
  }
  const endpoint = new URL(config.publicUrl);
  if (endpoint.protocol !== 'https:' || endpoint.port !== '') {
    unlessDemo(`PUBLIC_URL is ${config.publicUrl}: Alexa calls only HTTPS on port 443; set PUBLIC_URL to linkbridge's public https:// address`);
  }
  if (!config.skill.privacyPolicyUrl) {
    unlessDemo(`PRIVACY_POLICY_URL is not set: skills with account linking need a privacy policy; set it to your policy's URL (a demo package uses ${config.publicUrl}/privacy)`);
  }
  if ((linking.accountLinkingRequest?.scopes ?? []).length === 0) {
    problems.push(`UPSTREAM_SCOPE is not set: accountLinking.json would hold "scopes": [], Alexa would request no scope and the provider would grant nothing the skill can use; ${NO_SCOPE_FIX}`);
  }
  if (problems.length > 0) throw new SkillPackageRefusal(problems);

  return {
    files: [
      { path: join(options.root, 'skill-package', 'skill.json'), content: `${JSON.stringify(buildSkillManifest(config), null, 2)}\n` },
      { path: join(options.root, 'accountLinking.json'), content: `${JSON.stringify(linking, null, 2)}\n`, mode: 0o600 },
    ],
    warnings: options.demo ? ['a demo package: do not deploy it for real users', ...warnings] : [],
  };
}

/** Writes the planned files; the one holding ALEXA_CLIENT_SECRET stays readable by its owner only. */
export function writeSkillPackage(plan: SkillPackagePlan): void {
  for (const file of plan.files) {
    writeFileSync(file.path, file.content, file.mode === undefined ? {} : { mode: file.mode });
    // `mode` above applies only when the file is new; the secret stays owner-only either way.
    if (file.mode !== undefined) chmodSync(file.path, file.mode);
  }
}

/** Alexa's account-linking settings list the scopes linkbridge would ask for anyway, so the console shows them. */
function withDefaultScopes(linking: ReturnType<typeof buildAccountLinkingRequest>, scope: string | undefined): ReturnType<typeof buildAccountLinkingRequest> {
  const scopes = (scope ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0 || !linking.accountLinkingRequest || (linking.accountLinkingRequest.scopes ?? []).length > 0) return linking;
  return { ...linking, accountLinkingRequest: { ...linking.accountLinkingRequest, scopes } };
}

/**
 * The scope the provider's discovery document gives when nothing configured names one, as the service
 * resolves it at start; `undefined` when there is nothing to discover or discovery fails (the refusal
 * then names UPSTREAM_SCOPE, and `npm run doctor` says why discovery failed).
 */
export async function discoverScope(env: Env, fetchImpl: typeof fetch = fetch): Promise<string | undefined> {
  try {
    const config = loadConfig(env);
    if (config.demo || config.upstream.scope || !config.upstream.issuer || configuredScope(config.upstream) !== undefined) return undefined;
    return requestedScope((await resolveProviderProfile(config.upstream, fetchImpl)).scope, undefined);
  } catch {
    return undefined;
  }
}

function hasAlexaRedirectUrl(config: Config): boolean {
  return [...config.alexa.redirectUrls].some((url) => ALEXA_REDIRECT_HOSTS.some((host) => url.startsWith(`https://${host}/api/skill/link/`)));
}

/**
 * `npm run skill:package [-- --demo]`: writes `skill-package/skill.json` (endpoint from PUBLIC_URL) and
 * `accountLinking.json` (kept out of git: it holds ALEXA_CLIENT_SECRET) from the running config.
 */
async function main(): Promise<void> {
  const demo = process.argv.slice(2).includes('--demo');
  const discoveredScope = await discoverScope(process.env);
  try {
    const plan = planSkillPackage(process.env, { demo, root: process.cwd(), discoveredScope });
    writeSkillPackage(plan);
    for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
    for (const file of plan.files) process.stdout.write(`wrote ${file.path}\n`);
  } catch (error) {
    if (error instanceof ConfigError) {
      const help = error.variable === 'ALEXA_VENDOR_IDS' && !error.message.includes('mycid') ? `; ${VENDOR_ID_HELP}` : '';
      process.stderr.write(`skill:package: configuration error: ${error.message}${help}\n`);
    } else if (error instanceof SkillPackageRefusal) {
      process.stderr.write(`skill:package: nothing written:\n${error.problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
