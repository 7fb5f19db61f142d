/**
 * `npm run simulate`, the command a newcomer runs, against linkbridge in demo mode: the whole journey
 * ends with the demo user's name spoken; with the provider down it fails naming the step; with nothing
 * running it says linkbridge must be running, at the address PORT gives as npm start reads it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Cleanup } from '../support/cleanup';
import { startDemoStack, type DemoStack } from '../support/demo-stack';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run simulate -- …` to its end; its output and exit code. */
function simulate(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'simulate', '--', ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', LINKBRIDGE_URL: undefined, PORT: undefined, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('against demo mode', () => {
  const cleanup = new Cleanup();
  let stack: DemoStack;
  beforeAll(async () => {
    stack = cleanup.add(await startDemoStack(), (started) => started.close());
  });
  afterAll(() => cleanup.run());

  test('exits 0 and prints each step and the spoken name', async () => {
    const { code, stdout } = await simulate(['--url', stack.baseUrl, '--say', "what's my name", '--say', 'is my account linked']);
    expect(stdout).toContain('✓ Alexa exchanges the code at POST /oauth/token');
    expect(stdout).toContain('✓ Alexa refreshes the token at POST /oauth/token');
    expect(stdout).toContain('Alexa says: "Your name is Ada Lovelace."');
    expect(stdout).toContain('Alexa says: "Yes, your account is linked. You are signed in as Ada Lovelace');
    expect(code).toBe(0);
    // The command prints no code or token it handled.
    expect(stdout).not.toMatch(/access_token=|code=[A-Za-z0-9_-]{20,}/);
  }, 60_000);
});

describe('with the provider down', () => {
  const cleanup = new Cleanup();
  let stack: DemoStack;
  beforeAll(async () => {
    stack = cleanup.add(await startDemoStack(), (started) => started.close());
    await stack.provider.close();
  });
  afterAll(() => cleanup.run());

  test('exits non-zero naming the step that failed', async () => {
    const { code, stdout, stderr } = await simulate(['--url', stack.baseUrl]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ sign in at the provider as "ada"');
    expect(stderr).toMatch(/failed at step "sign in at the provider as \\?"ada\\?"": cannot reach http:\/\/localhost:\d+\/auth/);
    expect(stdout).not.toContain('Alexa says');
  }, 60_000);
});

test('nothing listening: fails at the first step, saying where it looked and that linkbridge must run there', async () => {
  const port = await freePort();
  const { code, stderr } = await simulate(['--url', `http://127.0.0.1:${port}`]);
  expect(code).toBe(1);
  expect(stderr).toContain(
    `failed at step "reach linkbridge": nothing answers at http://127.0.0.1:${port} (ECONNREFUSED): linkbridge must be running at that address. Start it with npm start in another terminal`,
  );
}, 60_000);

test('with no --url it looks where npm start listens: PORT, read by the server\'s rules', async () => {
  const port = await freePort();
  const { code, stderr } = await simulate([], { PORT: String(port) });
  expect(code).toBe(1);
  expect(stderr).toContain(`nothing answers at http://localhost:${port} (ECONNREFUSED): linkbridge must be running at that address.`);
  const refused = await simulate([], { PORT: 'eighty' });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^simulate: PORT: .+ \(linkbridge would not start with it either\)/);
}, 60_000);
