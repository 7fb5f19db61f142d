/**
 * linkbridge as a separate process (`main.ts`, as deployed), so a test can kill it with SIGKILL at a
 * chosen moment and start it again on the same store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';

const ROOT = join(__dirname, '..', '..', '..');

export interface ChildInstance {
  readonly baseUrl: string;
  readonly pid: number;
  /** Resolves with the first log line (parsed) whose `msg` matches, from now on or already seen. */
  waitForLog(message: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Kills the process by its pid and waits until it is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Every stdout line so far. */
  readonly output: string[];
}

export async function startChild(env: Record<string, string>): Promise<ChildInstance> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: Array<{ message: RegExp; resolve: (entry: Record<string, unknown>) => void }> = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      output.push(line);
      const entry = parse(line);
      for (const waiter of [...waiters]) {
        if (entry && waiter.message.test(String(entry.msg))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const instance: ChildInstance = {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output,
    waitForLog(message, timeoutMs = 30_000) {
      const seen = output.map(parse).find((entry) => entry && message.test(String(entry.msg)));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line ${message} within ${timeoutMs} ms; stderr: ${stderr.slice(0, 2000)}`)), timeoutMs);
        waiters.push({
          message,
          resolve: (entry) => {
            clearTimeout(timer);
            resolve(entry);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`linkbridge exited before logging ${message}; stderr: ${stderr.slice(0, 2000)}`));
        });
      });
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, signal);
      await exited;
    },
  };
  await instance.waitForLog(/linkbridge listening/);
  return instance;
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
