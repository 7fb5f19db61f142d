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
  return buildDeps(config, captureLogger(logs), {
    clock: options.clock,
    fetch: options.fetch ?? blockedFetch,
    accountApiTransport: options.accountApiTransport,
    deadlineTimers: options.deadlineTimers,
    metrics: options.metrics,
  });
}

/** The network is blocked in unit tests: any call the test did not arrange fails loudly. */
export const blockedFetch: typeof fetch = async (input) => {
  throw new Error(`network blocked in tests: ${String(input instanceof Request ? input.url : input)}`);
};

/**
 * A clock tests move by hand. Its timers run on this clock, not on real time: one fires when the test
 * moves the clock past it, so time-bound code (the token answer budget) runs without sleeping.
 */
export class TestClock implements Clock {
  private current = Date.UTC(2026, 0, 15, 12, 0, 0);
  private readonly timers = new Set<{ readonly dueAt: number; readonly callback: () => void }>();

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    if (ms <= 0) {
      // Due at once, as a real timer of 0 ms: on a later turn, never inside the caller.
      let cancelled = false;
      setImmediate(() => cancelled || callback());
      return () => (cancelled = true);
    }
    const timer = { dueAt: this.current + ms, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** How many timers are pending: tells a test that the code under test is waiting on this clock. */
  get waiting(): number {
    return this.timers.size;
  }

  advanceSeconds(seconds: number): void {
    this.advanceMs(seconds * 1000);
  }

  /** Moves the clock on, firing every timer that is due by then, earliest first. */
  advanceMs(ms: number): void {
    this.current += ms;
    const due = [...this.timers].filter((timer) => timer.dueAt <= this.current).sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.callback();
    }
  }
}
