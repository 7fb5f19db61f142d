/**
 * The guard every suite runs under (`test/support/network-guard.ts`, registered in `jest.config.js`): a
 * jest of its own runs the project's configuration on two fixture suites. One reaches past loopback with
 * each kind of client and swallows every failure, so all its tests pass; the run must fail all the same,
 * naming each host. The other uses only loopback and must pass.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(90_000);

interface SuiteResult {
  readonly name: string;
  readonly status: string;
  readonly message: string;
  readonly assertionResults: ReadonlyArray<{ readonly title: string; readonly status: string }>;
}

interface ChildRun {
  readonly exitCode: number;
  readonly suites: ReadonlyMap<string, SuiteResult>;
}

const ROOT = join(__dirname, '..', '..', '..');

/** Runs jest with the project's configuration on the fixture suites only; resolves however it ends. */
function runFixtures(): Promise<ChildRun> {
  const args = [require.resolve('jest/bin/jest'), '--roots', '<rootDir>/test/fixtures/network-guard', '--testMatch', '**/*.fixture.ts', '--runInBand', '--json', '--reporters', 'default'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        const report = JSON.parse(stdout) as { testResults: SuiteResult[] };
        const suites = new Map(report.testResults.map((suite) => [suite.name.split('/').pop()!, suite]));
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, suites });
      } catch {
        reject(new Error(`the fixture run printed no report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

let run: ChildRun;
beforeAll(async () => {
  run = await runFixtures();
});

test('a suite that reaches the network and swallows the failure fails the run, naming every host', () => {
  expect(run.exitCode).not.toBe(0);
  const reaching = run.suites.get('reaches-the-network.fixture.ts')!;
  // The code under test swallowed every failure: each test passed on its own.
  expect(reaching.assertionResults.map((test) => test.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
  expect(reaching.status).toBe('failed');
  for (const attempt of [
    'connect to example.com:80, in "fetch"',
    'connect to example.org:80, in "node:http"',
    'connect to example.net:443, in "axios"',
    'connect to 192.0.2.1:80, in "undici"',
    'connect to 10.255.0.1:443, in "net"',
    'DNS lookup of provider.example, in "dns"',
    'DNS query resolve4(example.com), in "dns"',
  ]) {
    expect(reaching.message).toContain(attempt);
  }
});

test('a suite that stays on loopback passes: fetch, node:http, axios, undici, net and localhost all work', () => {
  const loopback = run.suites.get('loopback-only.fixture.ts')!;
  expect(loopback.message).toBe('');
  expect(loopback.status).toBe('passed');
  expect(loopback.assertionResults.map((test) => test.status)).toEqual(['passed', 'passed', 'passed']);
});
