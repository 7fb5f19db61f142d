/**
 * The real `tools/doctor/cli.ts --link` in a child process, as `npm run doctor -- --link` runs it: the
 * warning on standard error before anything else, the report on standard output (as JSON with --json), the
 * exit code, and not one code, token, password or secret in either stream.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINK_WARNING, type LinkReport } from '../../../tools/doctor/link/run-link-check';
import { Cleanup } from '../../support/cleanup';
import { baseLinkEnv, leakedSecrets, LINK_PUBLIC_URL, TEST_ACCOUNT_PASSWORD } from '../../support/doctor-link';
import { startTokenBehaviourReplica, type TokenBehaviour, type TokenBehaviourReplica } from '../../support/provider-replicas/token-behaviour.replica';
import type { RegisteredClient } from '../../support/provider-replicas/replica-server';

const ROOT = join(__dirname, '..', '..', '..');
const CLIENT: RegisteredClient = { clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret-value', redirectUri: `${LINK_PUBLIC_URL}/oauth/callback` };

// Each run starts a Node.js process that compiles the doctor: seconds, more on a busy machine.
jest.setTimeout(60_000);

const cleanup = new Cleanup();
let directory: string;
let credentialsFile: string;

beforeAll(() => {
  directory = cleanup.add(mkdtempSync(join(tmpdir(), 'doctor-link-')), (made) => rmSync(made, { recursive: true, force: true }));
  credentialsFile = join(directory, 'test-account');
  writeFileSync(credentialsFile, `# the test account\nlogin=test-account\npassword=${TEST_ACCOUNT_PASSWORD}\n`);
});
afterAll(() => cleanup.run());

/** Runs the script with only the given environment (plus PATH); resolves with its exit code and output. */
function runScript(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', require.resolve('ts-node/register'), join(ROOT, 'tools', 'doctor', 'cli.ts'), ...args],
      { cwd: directory, env: { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function provider(behaviour: TokenBehaviour): Promise<{ replica: TokenBehaviourReplica; env: Record<string, string> }> {
  const replica = cleanup.add(await startTokenBehaviourReplica(CLIENT, behaviour), (started) => started.close());
  return { replica, env: { ...baseLinkEnv(), UPSTREAM_ISSUER: replica.origin, UPSTREAM_CLIENT_ID: CLIENT.clientId, UPSTREAM_CLIENT_SECRET: CLIENT.clientSecret, UPSTREAM_SCOPE: 'profile email' } };
}

test('--link --json --credentials: the warning first, the report as JSON, exit 0, and no secret anywhere', async () => {
  const { replica, env } = await provider({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'revoke-family' } });
  const { code, stdout, stderr } = await runScript(env, ['--link', '--json', '--credentials', credentialsFile]);
  expect(stderr.split('\n')[0]).toBe(`doctor: ${LINK_WARNING}`);
  const report = JSON.parse(stdout) as LinkReport;
  expect(report.findings.find((finding) => finding.check === 'link-reuse')).toMatchObject({ severity: 'warning', setting: 'TOKEN_CUSTODY' });
  expect(report.link.verdict).toMatchObject({ works: true, custody: { recommended: 'vault' } });
  expect(leakedSecrets(`${stdout}\n${stderr}`, [...replica.secrets, TEST_ACCOUNT_PASSWORD])).toEqual([]);
  expect(code).toBe(0);
});

test('--link --user --password, for a person: a provider without refresh tokens exits 1, the verdict naming why', async () => {
  const { replica, env } = await provider({ refreshTokens: 'never' });
  const { code, stdout, stderr } = await runScript(env, ['--link', '--user', 'test-account', '--password', TEST_ACCOUNT_PASSWORD]);
  expect(stdout).toMatch(/^linkbridge doctor --link\n/);
  expect(stdout).toMatch(/\[ERROR\] refresh: every user must link again 60 minutes after linking/);
  expect(stdout).toMatch(/Verdict: linking would not work as configured:\n {2}- link-refresh: /);
  expect(leakedSecrets(`${stdout}\n${stderr}`, [...replica.secrets, TEST_ACCOUNT_PASSWORD])).toEqual([]);
  expect(code).toBe(1);
});

test('--link --json, when linking would not work: exit 1, and standard error names the reason', async () => {
  const { env } = await provider({ refreshTokens: 'always', rotation: 'keep', expiresIn: 60 });
  const { code, stdout, stderr } = await runScript(env, ['--link', '--json', '--credentials', credentialsFile]);
  expect((JSON.parse(stdout) as LinkReport).link.verdict?.works).toBe(false);
  expect(stderr).toMatch(/\ndoctor: linking would not work as configured: link-exchange: the provider's access tokens live 60 s; Alexa needs at least 360 s\n/);
  expect(code).toBe(1);
});
