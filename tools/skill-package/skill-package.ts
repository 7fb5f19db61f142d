import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALEXA_REDIRECT_HOSTS, ConfigError, loadConfig, type Config, type ConfigProblem } from '../../models/config';
import { resolveProfile } from '../../linking/providers/presets';
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
 * Builds `skill-package/skill.json` and `accountLinking.json` from the configuration and the provider
 * profile resolved as the service resolves it at start (discovery included, through `fetch`), or refuses
 * when they would be wrong: demo values (unless `demo`), no Alexa redirect URL (no vendor id), a
 * non-HTTPS endpoint, no privacy policy, a profile the service would refuse (no scope among them).
 * Every problem is listed at once. Throws the loader's `ConfigError` when the configuration itself does
 * not load.
 *
 * The scopes written are the ones linkbridge asks the provider for when Alexa sends none, computed from
 * the resolved profile by the one function the service uses: Alexa then sends exactly those.
 */
export async function planSkillPackage(
  env: Env,
  options: { readonly demo: boolean; readonly root: string; readonly fetch?: typeof fetch },
): Promise<SkillPackagePlan> {
  const config = loadConfig(env);
  const resolution = await resolveProfile(config.upstream, options.fetch ?? fetch);
  const problems: string[] = resolution.problems.map((problem) => describeResolutionProblem(problem, config));
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
  if (problems.length > 0 || !resolution.profile) throw new SkillPackageRefusal(problems);

  const linking = buildAccountLinkingRequest(config, resolution.profile);
  return {
    files: [
      { path: join(options.root, 'skill-package', 'skill.json'), content: `${JSON.stringify(buildSkillManifest(config), null, 2)}\n` },
      { path: join(options.root, 'accountLinking.json'), content: `${JSON.stringify(linking, null, 2)}\n`, mode: 0o600 },
    ],
    warnings: options.demo ? ['a demo package: do not deploy it for real users', ...warnings] : [],
  };
}

/** A problem the service would refuse to start with, as the package refusal says it. */
function describeResolutionProblem(problem: ConfigProblem, config: Config): string {
  const line = `${problem.variable}: ${problem.expectation}`;
  if (problem.variable === 'UPSTREAM_SCOPE') return `${line} (accountLinking.json would hold "scopes": [] and Alexa would request no scope)`;
  // The demo package is read from the embedded demo provider, which runs only while linkbridge does.
  if (config.demo && problem.variable === 'UPSTREAM_ISSUER') return `${line}; start linkbridge in demo mode (npm start) and run the command again`;
  return line;
}

/** Writes the planned files; the one holding ALEXA_CLIENT_SECRET stays readable by its owner only. */
export function writeSkillPackage(plan: SkillPackagePlan): void {
  for (const file of plan.files) {
    writeFileSync(file.path, file.content, file.mode === undefined ? {} : { mode: file.mode });
    // `mode` above applies only when the file is new; the secret stays owner-only either way.
    if (file.mode !== undefined) chmodSync(file.path, file.mode);
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
  try {
    const plan = await planSkillPackage(process.env, { demo, root: process.cwd() });
    writeSkillPackage(plan);
    for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
    for (const file of plan.files) process.stdout.write(`wrote ${file.path}\n`);
  } catch (error) {
    if (error instanceof ConfigError) {
      const lines = error.problems.map((problem) => {
        const help = problem.variable === 'ALEXA_VENDOR_IDS' && !problem.expectation.includes('mycid') ? `; ${VENDOR_ID_HELP}` : '';
        return `- ${problem.variable}: ${problem.expectation}${help}`;
      });
      process.stderr.write(`skill:package: nothing written; the configuration has ${lines.length === 1 ? 'a problem' : `${lines.length} problems`}:\n${lines.join('\n')}\n`);
    } else if (error instanceof SkillPackageRefusal) {
      process.stderr.write(`skill:package: nothing written:\n${error.problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
