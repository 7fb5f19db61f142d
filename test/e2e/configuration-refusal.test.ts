/**
 * A first configuration of a preset usually lacks several settings: `npm start` and `npm run
 * skill:package` name all of them in one refusal, so one edit fixes them all, instead of one start per
 * refused variable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A preset and its credentials, and nothing of the Alexa side yet. */
const FIRST_TRY = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://linkbridge.example.com',
  UPSTREAM_PRESET: 'github',
  UPSTREAM_CLIENT_ID: 'client-at-github',
  UPSTREAM_CLIENT_SECRET: 'secret-at-github',
  STORE_URL: 'memory:',
};

/** Runs a TypeScript entry file with only `env` (plus PATH); resolves with its exit code and output. */
function run(file: string, env: Record<string, string>, cwd = ROOT): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, file)],
      { cwd, env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env }, timeout: 30_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

test('npm start names every missing setting in one refusal, the sealing key with the command that makes one', async () => {
  const { code, stderr } = await run('main.ts', FIRST_TRY);
  expect(code).toBe(1);
  expect(stderr).toContain('linkbridge: configuration error: 4 settings to fix:');
  for (const variable of ['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS', 'SEALING_KEYS']) expect(stderr).toContain(`  - ${variable}: `);
  expect(stderr).toContain(`node -e "console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))"`);
  expect(stderr).not.toContain('secret-at-github');
}, 30_000);

test('npm run skill:package names the same settings, all at once, and writes nothing', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'skill-package-'));
  try {
    const { code, stderr } = await run(join('tools', 'skill-package', 'skill-package.ts'), FIRST_TRY, directory);
    expect(code).toBe(1);
    expect(stderr).toContain('skill:package: nothing written; the configuration has 4 problems:');
    for (const variable of ['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS', 'SEALING_KEYS']) expect(stderr).toContain(`- ${variable}: `);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}, 30_000);
