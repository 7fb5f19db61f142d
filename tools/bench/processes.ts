import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FromTarget, ToTarget } from './targets/child-process';

/** Where the compiled bench lives (`tsc -p tools/bench/tsconfig.json` writes it under dist/bench). */
export const BUILD_ROOT = join(__dirname, '..', '..');

/** A server process under test, whose own CPU time the bench can read. */
export class TargetProcess {
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly ports: Readonly<Record<string, number>>,
  ) {}

  /**
   * Forks `script` (relative to the build root) with Node options `execArgv` (`--cpu-prof`, say) and
   * waits until it listens. Its output is discarded: writing logs costs what it costs.
   */
  static async start(name: string, script: string, env: Readonly<Record<string, string>>, execArgv: readonly string[] = []): Promise<TargetProcess> {
    const child = fork(join(BUILD_ROOT, script), [], {
      execArgv: [...execArgv],
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ports = await new Promise<Readonly<Record<string, number>>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
      child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before listening`)));
      child.on('message', (message: FromTarget) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message.ports);
      });
    });
    child.removeAllListeners('exit');
    return new TargetProcess(name, child, ports);
  }

  url(path: string, port = 'http'): string {
    return `http://127.0.0.1:${this.ports[port]}${path}`;
  }

  /** The process's CPU time so far (user + system), in microseconds, as it reads it itself. */
  cpuMicroseconds(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report its CPU time`)), 5000);
      const onMessage = (message: FromTarget) => {
        if (message.type !== 'cpu') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message.microseconds);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'cpu' } satisfies ToTarget);
    });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
