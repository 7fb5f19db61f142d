/**
 * `npm run deploy:aws`: `ask deploy`, then Alexa's account-linking settings from the stack's outputs, in one
 * run. ask-cli is played by a runner that records each command and writes what ask-cli writes
 * (`.ask/ask-states.json`: the skill id and the stack's outputs); the secrets are in a fake Parameter Store.
 * @see https://github.com/alexa/ask-cli/blob/develop/lib/controllers/skill-infrastructure-controller/index.js
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploy, DeployRefusal, type CommandRunner } from '../../../../tools/aws/deploy';
import { ConfigError } from '../../../../models/config';
import { Cleanup } from '../../../support/cleanup';
import { FakeParameterStore } from '../../../support/fake-ssm';
import { TEST_SEALING_KEY } from '../../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SKILL_ID = 'amzn1.ask.skill.12345678-1234-1234-1234-123456789012';
const FUNCTION_URL = 'https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.us-east-1.on.aws/';
const FILLED_IN = {
  AlexaVendorIds: 'M3BVP74N95SP1F',
  UpstreamAuthorizationUrl: 'https://accounts.example.com/oauth/authorize',
  UpstreamTokenUrl: 'https://accounts.example.com/oauth/token',
  UpstreamClientId: 'linkbridge-at-example',
  UpstreamScope: 'profile email',
};

/** The outputs CloudFormation reports for the stack, as ask-cli keeps them. */
const OUTPUTS = [
  { OutputKey: 'SkillEndpoint', OutputValue: 'arn:aws:lambda:us-east-1:123456789012:function:ask-AccountBridge-default-skillStack-SkillFunction-abc' },
  { OutputKey: 'FunctionUrl', OutputValue: FUNCTION_URL },
  { OutputKey: 'AuthorizationUrl', OutputValue: `${FUNCTION_URL}oauth/authorize` },
  { OutputKey: 'AccessTokenUrl', OutputValue: `${FUNCTION_URL}oauth/token` },
  { OutputKey: 'ProviderRedirectUri', OutputValue: `${FUNCTION_URL}oauth/callback` },
  { OutputKey: 'StoreTableName', OutputValue: 'ask-AccountBridge-default-skillStack-StoreTable-XYZ' },
];

const cleanup = new Cleanup();
let parameterStore: FakeParameterStore;
let project: string;

beforeAll(async () => {
  parameterStore = cleanup.add(await new FakeParameterStore().start(), (started) => started.close());
  parameterStore
    .set('/linkbridge/development/ALEXA_CLIENT_SECRET', 'alexa-secret-from-ssm')
    .set('/linkbridge/development/UPSTREAM_CLIENT_SECRET', 'upstream-secret-from-ssm')
    .set('/linkbridge/development/SEALING_KEYS', `k1:${TEST_SEALING_KEY}`);
});
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'linkbridge-deploy-'));
  cpSync(join(ROOT, 'skill-package'), join(project, 'skill-package'), { recursive: true });
  const resources = JSON.parse(readFileSync(join(ROOT, 'ask-resources.json'), 'utf8')) as { profiles: Record<string, { skillInfrastructure: { userConfig: { cfn: { parameters: Record<string, string> } } } }> };
  Object.assign(resources.profiles.default!.skillInfrastructure.userConfig.cfn.parameters, FILLED_IN);
  writeFileSync(join(project, 'ask-resources.json'), JSON.stringify(resources, null, 2));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));
afterAll(() => cleanup.run());

/** ask-cli as far as the deployment sees it: each command recorded, `ask deploy` writing its state. */
function askCli(exitCodes: { deploy?: number } = {}) {
  const commands: string[][] = [];
  let linkingRequest: { content: unknown; mode: number } | undefined;
  const run: CommandRunner = async (command, args) => {
    commands.push([command, ...args]);
    if (args[0] === 'deploy' && !args.includes('--target')) {
      if (exitCodes.deploy) return exitCodes.deploy;
      mkdirSync(join(project, '.ask'), { recursive: true });
      const state = { askcliStatesVersion: '2020-03-31', profiles: { default: { skillId: SKILL_ID, skillInfrastructure: { '@ask-cli/cfn-deployer': { deployState: { default: { stackId: 'arn:aws:cloudformation:…', outputs: OUTPUTS } } } } } } };
      writeFileSync(join(project, '.ask', 'ask-states.json'), JSON.stringify(state));
    }
    if (args[0] === 'smapi') {
      const file = args[args.indexOf('--account-linking-request') + 1]!.replace(/^file:/, '');
      linkingRequest = { content: JSON.parse(readFileSync(file, 'utf8')), mode: statSync(file).mode & 0o777 };
    }
    return 0;
  };
  return { run, commands, linkingRequest: () => linkingRequest };
}

function options(run: CommandRunner, accountLinkingOnly = false) {
  const said: string[] = [];
  return {
    said,
    options: {
      root: project,
      profile: 'default',
      accountLinkingOnly,
      run,
      parameterStore: (region: string) => cleanup.add(parameterStore.client(region), (made) => made.destroy()),
      fetch: async () => {
        throw new Error('no network in this test');
      },
      say: (line: string) => said.push(line),
    },
  };
}

test('one run: ask deploy, the privacy policy into the manifest, then the account-linking settings on the function URL with the secret from Parameter Store', async () => {
  const ask = askCli();
  const { options: deployOptions, said } = options(ask.run);
  expect(await deploy(deployOptions)).toBe(FUNCTION_URL);

  expect(ask.commands).toEqual([
    ['ask', 'deploy', '--profile', 'default'],
    ['ask', 'deploy', '--profile', 'default', '--target', 'skill-metadata'],
    ['ask', 'smapi', 'update-account-linking-info', '--skill-id', SKILL_ID, '--stage', 'development', '--account-linking-request', expect.stringMatching(/^file:.*accountLinking\.json$/), '--profile', 'default'],
  ]);
  expect(ask.linkingRequest()).toEqual({
    mode: 0o600,
    content: {
      accountLinkingRequest: {
        type: 'AUTH_CODE',
        authorizationUrl: `${FUNCTION_URL}oauth/authorize`,
        accessTokenUrl: `${FUNCTION_URL}oauth/token`,
        clientId: 'linkbridge-alexa',
        clientSecret: 'alexa-secret-from-ssm',
        accessTokenScheme: 'HTTP_BASIC',
        scopes: ['profile', 'email'],
        domains: ['accounts.example.com'],
        defaultTokenExpirationInSeconds: 3600,
        skipOnEnablement: false,
      },
    },
  });
  // The request with the secret does not outlive the run.
  const file = ask.commands[2]![8]!.replace(/^file:/, '');
  expect(existsSync(file)).toBe(false);

  const manifest = JSON.parse(readFileSync(join(project, 'skill-package', 'skill.json'), 'utf8')) as { manifest: { privacyAndCompliance: { locales: Record<string, { privacyPolicyUrl: string }> } } };
  for (const locale of Object.values(manifest.manifest.privacyAndCompliance.locales)) expect(locale.privacyPolicyUrl).toBe(`${FUNCTION_URL}privacy`);
  expect(said.join('\n')).toContain(`register this redirect URI at the provider (once): ${FUNCTION_URL}oauth/callback`);
});

test('the shipped placeholders stop the run before ask deploy, each with the setting to change', async () => {
  writeFileSync(join(project, 'ask-resources.json'), readFileSync(join(ROOT, 'ask-resources.json')));
  const ask = askCli();
  const refused = deploy(options(ask.run).options);
  await expect(refused).rejects.toThrow(DeployRefusal);
  await expect(refused).rejects.toThrow('skillInfrastructure.userConfig.cfn.parameters.AlexaVendorIds: expects vendor ids in upper-case letters and digits');
  expect(ask.commands).toEqual([]);
});

test('a failed ask deploy stops the run: Alexa is not told anything', async () => {
  const ask = askCli({ deploy: 1 });
  await expect(deploy(options(ask.run).options)).rejects.toThrow('ask deploy --profile default failed (exit code 1)');
  expect(ask.commands).toEqual([['ask', 'deploy', '--profile', 'default']]);
});

test('a secret missing from Parameter Store stops the run before Alexa is told: the function could not start', async () => {
  const ask = askCli();
  parameterStore.delete('/linkbridge/development/SEALING_KEYS');
  try {
    const refused = deploy(options(ask.run).options);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow('SEALING_KEYS: the SSM parameter /linkbridge/development/SEALING_KEYS (SSM_PARAMETERS) does not exist');
  } finally {
    parameterStore.set('/linkbridge/development/SEALING_KEYS', `k1:${TEST_SEALING_KEY}`);
  }
  expect(ask.commands.some((command) => command[1] === 'smapi')).toBe(false);
});

test('--account-linking-only sends the settings of the stack already deployed, without deploying', async () => {
  const first = askCli();
  await deploy(options(first.run).options);
  const again = askCli();
  await deploy(options(again.run, true).options);
  expect(again.commands.map((command) => command.slice(0, 3))).toEqual([['ask', 'smapi', 'update-account-linking-info']]);
});
