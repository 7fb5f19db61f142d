/**
 * What a person sees after `npm start`: the log, then one plain line saying where to go next; and a
 * port that is taken stops the start with the setting to change, not a stack trace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Cleanup } from '../support/cleanup';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '..', '..');
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

/** Starts `main.ts` in demo mode; resolves with its output once `until` matches it or the process ends. */
function start(env: Record<string, string>, until: RegExp): Promise<{ output: string; child: ChildProcess; exitCode: number | null }> {
  const child = cleanup.add(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', STORE_URL: 'memory:', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    (started) => {
      if (started.exitCode === null) started.kill('SIGKILL');
    },
  );
  let output = '';
  return new Promise((resolve) => {
    const settle = (exitCode: number | null) => resolve({ output, child, exitCode });
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) settle(null);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => settle(code));
  });
}

test('npm start in demo mode ends its start-up output with one line a person reads: the simulator URL', async () => {
  const port = await freePort();
  const demoPort = await freePort();
  const { output, exitCode } = await start({ PORT: String(port), DEMO_PROVIDER_PORT: String(demoPort) }, /linkbridge is ready[^\n]*\n\n/);
  expect(exitCode).toBeNull();
  const lines = output.trim().split('\n');
  expect(lines.at(-1)).toBe(`linkbridge is ready. Open http://localhost:${port}/simulator to link an account and ask "what's my name".`);
  // Everything before it is the JSON log, which already said where linkbridge listens.
  expect(lines.slice(0, -1).filter((line) => line.trim() !== '').every((line) => line.startsWith('{'))).toBe(true);
  expect(output).toContain(`"linkbridge listening on port ${port} on all interfaces"`);
}, 30_000);

test('a port that is taken stops the start naming the setting to change', async () => {
  const holder: Server = cleanup.add(createServer(), (server) => new Promise((resolve) => server.close(resolve)));
  await new Promise<void>((resolve) => holder.listen(0, resolve));
  const taken = (holder.address() as { port: number }).port;
  const demoPort = await freePort();

  const { output, exitCode } = await start({ PORT: String(taken), DEMO_PROVIDER_PORT: String(demoPort) }, /$^/);
  expect(exitCode).toBe(1);
  expect(output).toContain(`linkbridge: port ${taken} is already in use; stop what holds it or set PORT to a free port`);
  expect(output).not.toContain('EADDRINUSE');
}, 30_000);
