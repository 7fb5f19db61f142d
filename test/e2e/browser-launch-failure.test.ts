/**
 * When the browser cannot start, the browser suite fails with a message that says which Chromium was
 * tried and how to choose another, and jest ends on its own: nothing the suite started stays open.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** A file that exists but is no browser. */
const NOT_A_BROWSER = join(ROOT, 'package.json');
/** Far more than the suite needs to fail; a run still going then has something keeping it alive. */
const GIVE_UP_MS = 60_000;

test('a Chromium that cannot start fails the browser suite with a clear message, and jest exits by itself', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', 'test/e2e/browser-linking.test.ts'], {
    cwd: ROOT,
    env: { ...process.env, CHROMIUM_PATH: NOT_A_BROWSER, NODE_OPTIONS: '--experimental-vm-modules' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, GIVE_UP_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(guard);

  expect(killed).toBe(false);
  expect(exitCode).toBe(1);
  expect(output).toContain(`Chromium did not start from ${NOT_A_BROWSER} (chosen by CHROMIUM_PATH)`);
  expect(output).toContain('Set CHROMIUM_PATH to a working Chromium');
  expect(output).not.toContain('did not exit one second after');
}, GIVE_UP_MS + 10_000);
