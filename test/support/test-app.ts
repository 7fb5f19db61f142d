import { Writable } from 'node:stream';
import type { AppDeps } from '../../app';
import { buildDeps, type DepsOverrides } from '../../deps';
import type { Clock } from '../../models/clock';
import { loadConfig, type Config } from '../../models/config';
import { createLogger, type Logger } from '../../models/logger';

/** A 32-byte sealing key for tests, base64url. */
export const TEST_SEALING_KEY = Buffer.alloc(32, 7).toString('base64url');

/** The environment the tests start from: a code-mode linkbridge in front of a made-up provider. */
export const BASE_TEST_ENV: Readonly<Record<string, string>> = {
  PUBLIC_URL: 'https://linkbridge.test',
  ALEXA_CLIENT_ID: 'alexa-skill',
  ALEXA_CLIENT_SECRET: 'alexa-secret-value',
  ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
  UPSTREAM_AUTHORIZATION_URL: 'https://provider.test/authorize',
  UPSTREAM_TOKEN_URL: 'https://provider.test/token',
  UPSTREAM_CLIENT_ID: 'linkbridge-client',
  UPSTREAM_CLIENT_SECRET: 'upstream-secret-value',
  // An endpoint-only provider names no scope of its own; linkbridge refuses to start asking for none.
  UPSTREAM_SCOPE: 'profile',
  STORE_URL: 'memory:',
  SEALING_KEYS: `k1:${TEST_SEALING_KEY}`,
  LOG_LEVEL: 'debug',
};

export const ALEXA_REDIRECT_URI = 'https://layla.amazon.com/api/skill/link/M3BVP74N95SP1F';

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ ...BASE_TEST_ENV, ...env });
}

/** Log lines written during a test, as text and as parsed objects. */
export class CapturedLogs {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  get text(): string {
    return this.lines.join('\n');
  }

  get entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A logger that writes synchronously into `logs` (pino's default stream would be asynchronous). */
export function captureLogger(logs: CapturedLogs, level = 'debug'): Logger {
  return createLogger(level, logs.stream);
}

/** Deps for `createApp` with a memory store and a captured logger; `fetch` reaches the fake provider. */
export async function testDeps(
  options: { env?: Record<string, string | undefined>; logs?: CapturedLogs } & DepsOverrides = {},
): Promise<AppDeps> {
  const config = testConfig(options.env);
  const logs = options.logs ?? new CapturedLogs();
  return buildDeps(config, captureLogger(logs), { clock: options.clock, fetch: options.fetch ?? blockedFetch });
}

/** The network is blocked in unit tests: any call the test did not arrange fails loudly. */
export const blockedFetch: typeof fetch = async (input) => {
  throw new Error(`network blocked in tests: ${String(input instanceof Request ? input.url : input)}`);
};

/**
 * A clock tests move by hand. Its `sleep` waits on this clock, not on real time: a wait ends when the
 * test moves the clock past it, so time-bound code (the token answer budget) runs without sleeping.
 */
export class TestClock implements Clock {
  private current = Date.UTC(2026, 0, 15, 12, 0, 0);
  private readonly sleepers = new Set<{ readonly wakeAt: number; readonly wake: () => void }>();

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper = {
        wakeAt: this.current + ms,
        wake: () => {
          signal?.removeEventListener('abort', giveUp);
          resolve();
        },
      };
      const giveUp = () => {
        this.sleepers.delete(sleeper);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  /** How many waits are pending: tells a test that the code under test is waiting on this clock. */
  get waiting(): number {
    return this.sleepers.size;
  }

  advanceSeconds(seconds: number): void {
    this.advanceMs(seconds * 1000);
  }

  /** Moves the clock on, ending every wait that is due by then, earliest first. */
  advanceMs(ms: number): void {
    this.current += ms;
    const due = [...this.sleepers].filter((sleeper) => sleeper.wakeAt <= this.current).sort((a, b) => a.wakeAt - b.wakeAt);
    for (const sleeper of due) {
      this.sleepers.delete(sleeper);
      sleeper.wake();
    }
  }
}

/** The rejection of a wait given up, as `node:timers/promises` makes it. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}
