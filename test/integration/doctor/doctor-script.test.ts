/**
 * The real `tools/doctor/cli.ts` in a child process, as `npm run doctor -- --json` runs it: the report on
 * standard output as JSON, the exit code for scripts and CI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoProvider, type DemoProvider } from '../../../tools/demo/demo-provider';
import type { DoctorReport } from '../../../tools/doctor/report';
import { Cleanup } from '../../support/cleanup';
import { TEST_SEALING_KEY } from '../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..');
const PUBLIC_URL = 'https://linkbridge.example.com';

const cleanup = new Cleanup();
let provider: DemoProvider;
/** The doctor reads `accountLinking.json` from its working directory: an empty one, whatever the checkout holds. */
let workingDirectory: string;

beforeAll(async () => {
  workingDirectory = cleanup.add(mkdtempSync(join(tmpdir(), 'doctor-script-')), (directory) => rmSync(directory, { recursive: true, force: true }));
  provider = cleanup.add(
    await startDemoProvider({ port: 0, clients: [{ clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret', redirectUris: [`${PUBLIC_URL}/oauth/callback`] }] }),
    (started) => started.close(),
  );
});
afterAll(() => cleanup.run());

/** Runs the script with only the given environment (plus PATH); resolves with its exit code and output. */
function runScript(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', require.resolve('ts-node/register'), join(ROOT, 'tools', 'doctor', 'cli.ts'), ...args],
      { cwd: workingDirectory, env: { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function env(): Record<string, string> {
  return {
    PUBLIC_URL,
    ALEXA_CLIENT_ID: 'alexa-skill',
    ALEXA_CLIENT_SECRET: 'alexa-secret-value',
    ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
    UPSTREAM_ISSUER: provider.issuer,
    UPSTREAM_CLIENT_ID: 'linkbridge-at-provider',
    UPSTREAM_CLIENT_SECRET: 'provider-issued-secret',
    UPSTREAM_SCOPE: 'openid profile email',
    ACCOUNT_API_URL: provider.userinfoUrl,
    SEALING_KEYS: `k1:${TEST_SEALING_KEY}`,
  };
}

test('--json: a good configuration prints a passing report and exits 0', async () => {
  const { code, stdout } = await runScript(env(), ['--json']);
  const report = JSON.parse(stdout) as DoctorReport;
  expect(report).toMatchObject({ ok: true, errors: 0 });
  expect(report.findings.find((finding) => finding.check === 'token-endpoint')).toMatchObject({ severity: 'ok' });
  expect(code).toBe(0);
});

test('--json: a wrong client secret prints the failing check and exits 1', async () => {
  const { code, stdout } = await runScript({ ...env(), UPSTREAM_CLIENT_SECRET: 'not-what-the-provider-issued' }, ['--json']);
  const report = JSON.parse(stdout) as DoctorReport;
  expect(report).toMatchObject({ ok: false, errors: 1 });
  expect(report.findings.filter((finding) => finding.severity === 'error')).toMatchObject([{ check: 'token-endpoint', setting: 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET' }]);
  expect(stdout).not.toContain('not-what-the-provider-issued');
  expect(code).toBe(1);
});

test('without --json: the report is for a person, with the setting and the fix under the problem', async () => {
  const { code, stdout } = await runScript({ ...env(), PUBLIC_URL: 'http://linkbridge.example.com' }, []);
  expect(stdout).toMatch(/\[ERROR\] public URL: http:\/\/linkbridge\.example\.com is not HTTPS[^\n]*\n\s+setting: PUBLIC_URL\n\s+fix: /);
  expect(stdout).toMatch(/1 error, 0 warnings: linking will fail until the errors are fixed\./);
  expect(code).toBe(1);
});

test('--json: an accountLinking.json in the working directory that asks for fewer scopes is a warning', async () => {
  const path = join(workingDirectory, 'accountLinking.json');
  writeFileSync(path, JSON.stringify({ accountLinkingRequest: { type: 'AUTH_CODE', authorizationUrl: `${PUBLIC_URL}/oauth/authorize`, clientId: 'alexa-skill', scopes: ['openid'] } }));
  try {
    // Without UPSTREAM_SCOPE, linkbridge asks for the discovered openid profile email and passes Alexa's scopes on.
    const { stdout } = await runScript({ ...env(), UPSTREAM_SCOPE: '' }, ['--json']);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.findings.filter((finding) => finding.check === 'account-linking' && finding.severity === 'warning')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Alexa will ask for openid \(.*accountLinking\.json\), fewer scopes/) }),
    ]);
  } finally {
    rmSync(path, { force: true });
  }
});
