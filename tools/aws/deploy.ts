/**
 * `npm run deploy:aws -- [--profile <ask-cli profile>] [--account-linking-only] [--aws-profile <name>]`: the
 * whole deployment in one command. ask-cli deploys the skill, the code and the stack, but leaves account
 * linking to a separate SMAPI call; this runs both:
 *
 * 1. checks the profile's stack parameters (`ask-resources.json`) before anything is uploaded;
 * 2. `ask deploy --profile <profile>`: the skill package, the function's code (`hooks/build.sh`) and the
 *    CloudFormation stack; the manifest's endpoint becomes the function's ARN;
 * 3. reads the stack's outputs and the skill id ask-cli recorded (`.ask/ask-states.json`) and the secrets
 *    from Parameter Store, checks the configuration as the function will read it, and writes the function's
 *    privacy policy URL into the manifest when it holds another (then deploys the skill package again);
 * 4. `ask smapi update-account-linking-info`: Alexa's account-linking settings, built by the skill-package
 *    tool, pointing at the function URL's authorization and token endpoints.
 *
 * @see https://github.com/alexa/ask-cli/blob/develop/docs/concepts/Deploy-Command.md
 * @see https://developer.amazon.com/en-US/docs/alexa/smapi/ask-cli-command-reference.html
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { createParameterStoreClient, withParameterStoreValues } from '../../aws/parameter-store';
import { ConfigError } from '../../models/config';
import { planSkillPackage, SkillPackageRefusal } from '../skill-package/skill-package';
import { functionEnvironment, PARAMETER_STORE_PATH, PARAMETER_STORE_PATH_DEFAULT, parameterProblems, secretParameters } from './stack-parameters';

const DEPLOYER = '@ask-cli/cfn-deployer';

/** Runs a command with the terminal's input and output; resolves with its exit code. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<number>;

export interface DeployOptions {
  /** The project root (where ask-resources.json is). */
  readonly root: string;
  readonly profile: string;
  /** Skip `ask deploy`: only the account-linking settings (after a deploy made elsewhere). */
  readonly accountLinkingOnly: boolean;
  readonly run: CommandRunner;
  /** Parameter Store in the stack's region. */
  readonly parameterStore: (region: string) => Pick<SSMClient, 'send'>;
  readonly fetch?: typeof fetch;
  readonly say: (line: string) => void;
}

/** The deployment cannot go on; the message says what to change. */
export class DeployRefusal extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'DeployRefusal';
  }
}

/** What a profile's `ask-resources.json` entry gives the deployment. */
interface ProfileSettings {
  readonly region: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The whole deployment; resolves with the function URL once Alexa has the account-linking settings. */
export async function deploy(options: DeployOptions): Promise<string> {
  const { root, profile, run, say } = options;
  const settings = readProfile(root, profile);
  const problems = parameterProblems(settings.parameters);
  if (problems.length > 0) throw new DeployRefusal(problems.map((problem) => `ask-resources.json, profile "${profile}", skillInfrastructure.userConfig.cfn.parameters.${problem}`));

  if (!options.accountLinkingOnly) await mustSucceed(run, 'ask', ['deploy', '--profile', profile]);

  const deployed = readDeployState(root, profile);
  const functionUrl = output(deployed.outputs, 'FunctionUrl');
  const parameterStorePath = settings.parameters[PARAMETER_STORE_PATH] ?? PARAMETER_STORE_PATH_DEFAULT;
  // The function's environment as the template makes it, the secrets read as the function reads them.
  const env = await withParameterStoreValues(
    {
      ...functionEnvironment(settings.parameters, {
        skillId: deployed.skillId,
        storeUrl: `dynamodb://${output(deployed.outputs, 'StoreTableName')}?region=${settings.region}`,
        ssmParameters: secretParameters(parameterStorePath),
      }),
      PUBLIC_URL: functionUrl,
    },
    options.parameterStore(settings.region),
    10_000,
  );
  const privacyPolicyUrl = env.PRIVACY_POLICY_URL?.trim() || `${functionUrl.replace(/\/+$/, '')}/privacy`;
  const plan = await planSkillPackage({ ...env, PRIVACY_POLICY_URL: privacyPolicyUrl }, { demo: false, root, fetch: options.fetch });
  const linking = plan.files.find((file) => file.path.endsWith('accountLinking.json'))!;

  if (!options.accountLinkingOnly && withPrivacyPolicy(join(root, 'skill-package', 'skill.json'), privacyPolicyUrl)) {
    say(`the skill manifest now names ${privacyPolicyUrl} as its privacy policy; deploying the skill package again`);
    await mustSucceed(run, 'ask', ['deploy', '--profile', profile, '--target', 'skill-metadata']);
  }

  // The request holds ALEXA_CLIENT_SECRET: a file only its owner reads, removed once sent.
  const folder = mkdtempSync(join(tmpdir(), 'linkbridge-linking-'));
  try {
    const file = join(folder, 'accountLinking.json');
    writeFileSync(file, linking.content, { mode: 0o600 });
    await mustSucceed(run, 'ask', ['smapi', 'update-account-linking-info', '--skill-id', deployed.skillId, '--stage', 'development', '--account-linking-request', `file:${file}`, '--profile', profile]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  say(`account linking is set for skill ${deployed.skillId}: authorization URL ${output(deployed.outputs, 'AuthorizationUrl')}, access token URL ${output(deployed.outputs, 'AccessTokenUrl')}`);
  say(`register this redirect URI at the provider (once): ${output(deployed.outputs, 'ProviderRedirectUri')}`);
  return functionUrl;
}

function readProfile(root: string, profile: string): ProfileSettings {
  const resources = readJson(join(root, 'ask-resources.json'), 'ask-resources.json') as { profiles?: Record<string, { skillInfrastructure?: { type?: string; userConfig?: { awsRegion?: string; cfn?: { parameters?: Record<string, string> } } } }> };
  const infrastructure = resources.profiles?.[profile]?.skillInfrastructure;
  if (infrastructure?.type !== DEPLOYER) {
    throw new DeployRefusal([`ask-resources.json has no profile "${profile}" deployed with ${DEPLOYER}; add one (see docs/aws.md) or pass --profile`]);
  }
  return { region: infrastructure.userConfig?.awsRegion ?? 'us-east-1', parameters: infrastructure.userConfig?.cfn?.parameters ?? {} };
}

/** The skill id and the stack outputs ask-cli recorded for the profile's default region. */
function readDeployState(root: string, profile: string): { skillId: string; outputs: ReadonlyArray<{ OutputKey?: string; OutputValue?: string }> } {
  const states = readJson(join(root, '.ask', 'ask-states.json'), '.ask/ask-states.json (ask deploy writes it)') as {
    profiles?: Record<string, { skillId?: string; skillInfrastructure?: Record<string, { deployState?: Record<string, { outputs?: Array<{ OutputKey?: string; OutputValue?: string }> }> }> }>;
  };
  const state = states.profiles?.[profile];
  const outputs = state?.skillInfrastructure?.[DEPLOYER]?.deployState?.default?.outputs;
  if (!state?.skillId || !outputs) throw new DeployRefusal([`.ask/ask-states.json holds no deployed stack for profile "${profile}": run ask deploy --profile ${profile} first`]);
  return { skillId: state.skillId, outputs };
}

function output(outputs: ReadonlyArray<{ OutputKey?: string; OutputValue?: string }>, key: string): string {
  const value = outputs.find((entry) => entry.OutputKey === key)?.OutputValue;
  if (!value) throw new DeployRefusal([`the stack has no output ${key}: deploy the template in infrastructure/cfn-deployer/ (ask deploy)`]);
  return value;
}

/** Sets every locale's privacy policy URL in the manifest to `url`; `true` when the file changed. */
function withPrivacyPolicy(manifestFile: string, url: string): boolean {
  const manifest = readJson(manifestFile, 'skill-package/skill.json') as { manifest?: { privacyAndCompliance?: { locales?: Record<string, { privacyPolicyUrl?: string }> } } };
  const locales = manifest.manifest?.privacyAndCompliance?.locales ?? {};
  const stale = Object.values(locales).filter((locale) => locale.privacyPolicyUrl !== url);
  if (stale.length === 0) return false;
  for (const locale of stale) locale.privacyPolicyUrl = url;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return true;
}

function readJson(file: string, name: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new DeployRefusal([`cannot read ${name}`]);
  }
}

async function mustSucceed(run: CommandRunner, command: string, args: readonly string[]): Promise<void> {
  const code = await run(command, args);
  if (code !== 0) throw new DeployRefusal([`${command} ${args.filter((arg) => !arg.startsWith('file:')).join(' ')} failed (exit code ${code}); its output above says why`]);
}

/** `ask`, with the terminal (ask-cli asks questions and reports progress there). */
const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: 'inherit', shell: process.platform === 'win32' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const awsProfile = value('--aws-profile');
  try {
    const functionUrl = await deploy({
      root: process.cwd(),
      profile: value('--profile') ?? 'default',
      accountLinkingOnly: argv.includes('--account-linking-only'),
      run: runCommand,
      parameterStore: (region) => createParameterStoreClient(region, awsProfile),
      say: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`linkbridge is deployed at ${functionUrl}\n`);
  } catch (error) {
    if (error instanceof DeployRefusal) process.stderr.write(`deploy:aws: nothing more done:\n${error.problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    else if (error instanceof SkillPackageRefusal) process.stderr.write(`deploy:aws: account linking not set:\n${error.problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    else if (error instanceof ConfigError) process.stderr.write(`deploy:aws: the function would not start: ${error.message}\n`);
    else process.stderr.write(`deploy:aws: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
