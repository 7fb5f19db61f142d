/**
 * Time as a dependency, so tests move it instead of sleeping: what time it is, and a timer on that
 * time. The system clock's timers are real ones; a test clock's fire when the test moves the clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `callback` once `ms` milliseconds of this clock's time have passed (a timer, as `setTimeout`).
   * @returns a function that cancels the timer if it has not fired yet
   */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Resolves once `ms` milliseconds of `clock`'s time have passed. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}

/** Seconds since the epoch, as OAuth and JOSE count time. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
