import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * Time as a dependency, so tests move it instead of sleeping: what time it is, and waiting for some of
 * it to pass. The system clock waits with real timers; a test clock waits until the test moves it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves once `ms` milliseconds of this clock's time have passed. When `signal` aborts first, the
   * wait is given up (its timer let go) and the promise rejects with an `AbortError`, as
   * `node:timers/promises` does.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
};

/** Seconds since the epoch, as OAuth and JOSE count time. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
