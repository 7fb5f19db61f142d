/* eslint-disable no-console -- a skipped suite says so plainly */
/**
 * A real `redis-server` for the tests: started on a free loopback port with no persistence, stopped by
 * its pid. When the binary is missing the Redis suites are skipped with a message saying which and why,
 * unless `LINKBRIDGE_REQUIRE_REDIS=1` (set by `.ci/run`), which turns that into a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export const redisRequired = process.env.LINKBRIDGE_REQUIRE_REDIS === '1';

/** Whether `redis-server` can be run here. */
export const redisAvailable: boolean = (() => {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /Redis server/i.test(probe.stdout);
})();

/**
 * `describe` for a suite that needs Redis: skipped with a plain message when `redis-server` is
 * missing, failing instead when Redis is required.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisAvailable) {
    describe(name, body);
    return;
  }
  if (redisRequired) {
    describe(name, () => {
      test('redis-server is installed (LINKBRIDGE_REQUIRE_REDIS=1)', () => {
        throw new Error(`${BINARY} was not found on PATH; install the redis-server package`);
      });
    });
    return;
  }
  console.warn(`SKIPPED: "${name}" needs ${BINARY}, which is not installed here (apt-get install redis-server); set LINKBRIDGE_REQUIRE_REDIS=1 to make this a failure.`);
  describe.skip(name, body);
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** What the test Redis keeps across its restart: nothing (the default), an append-only file, or RDB snapshots. */
export type RedisPersistence = 'none' | 'aof' | 'rdb';

/**
 * Starts `redis-server` on a free port of 127.0.0.1 (or on `port`, to bring a stopped one back where its
 * clients reconnect), without persistence unless asked (its files then in a directory of its own, removed
 * when it stops); resolves once it answers.
 */
export async function startRedisServer(options: { readonly persistence?: RedisPersistence; readonly port?: number } = {}): Promise<RedisServer> {
  const persistence = options.persistence ?? 'none';
  const directory = persistence === 'none' ? undefined : mkdtempSync(join(tmpdir(), 'linkbridge-redis-'));
  const kept =
    persistence === 'aof'
      ? ['--save', '', '--appendonly', 'yes', '--dir', directory!]
      : persistence === 'rdb'
        ? ['--save', '3600 1', '--appendonly', 'no', '--dir', directory!]
        : ['--save', '', '--appendonly', 'no'];
  const removeDirectory = () => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = options.port ?? (await freePort());
    const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', ...kept, '--protected-mode', 'yes'], {
      stdio: 'ignore',
    });
    const started = await waitForReady(child, port);
    if (started) {
      return { url: `redis://127.0.0.1:${port}/0`, port, pid: child.pid!, stop: () => stopChild(child).then(removeDirectory) };
    }
    await stopChild(child);
  }
  removeDirectory();
  throw new Error(options.port === undefined ? 'redis-server did not start on a free loopback port after 5 attempts' : `redis-server did not start on port ${options.port} after 5 attempts`);
}

async function waitForReady(child: ChildProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    if (await answersPing(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

/** SIGTERM by pid, SIGKILL if it has not gone after two seconds. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    process.kill(child.pid!, 'SIGTERM');
  });
}
