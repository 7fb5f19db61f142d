/**
 * The timers a {@link Deadline} runs on: the process's own, or ones a test fires when it chooses, so a
 * test proves a call is bounded by its deadline without measuring how long anything took.
 */
export interface DeadlineTimers {
  /** Calls `expire` once, `ms` from now; returns what {@link DeadlineTimers.clearTimeout} takes. */
  setTimeout(expire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Node's timers, unref'd: a call in flight does not keep a stopping process alive on its own.
 */
export const systemTimers: DeadlineTimers = {
  setTimeout: (expire, ms) => setTimeout(expire, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A deadline for one outbound call, over the whole exchange: connecting, the headers and every byte of
 * the body. Its `signal` aborts the call wherever it is. The timer keeps a strong reference to the
 * controller until it fires or is cleared, unlike `AbortSignal.timeout()`, which a garbage collection can
 * take while a body is still arriving (`test/integration/refresh/gc-deadline.script.ts`).
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly handle: unknown;
  private fired = false;

  constructor(
    timeoutMs: number,
    private readonly timers: DeadlineTimers = systemTimers,
  ) {
    this.handle = timers.setTimeout(() => {
      this.fired = true;
      this.controller.abort(new DeadlineReached(timeoutMs));
    }, timeoutMs);
  }

  /** Aborted when the deadline passes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the deadline has passed: whatever error the call then ends with, it ran out of time. */
  get expired(): boolean {
    return this.fired;
  }

  /** Stops the timer; call it however the call ended. */
  clear(): void {
    this.timers.clearTimeout(this.handle);
  }
}

/** The abort reason of a {@link Deadline}; named as the platform names a timeout. */
class DeadlineReached extends Error {
  override readonly name = 'TimeoutError';

  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}
