import { randomUUID } from 'node:crypto';
import type { Clock } from '../../models/clock';
import type { Logger } from '../../models/logger';
import { describeCause } from '../../models/logger';
import type { Store } from '../../models/store';
import type { AnswerBudget } from './answer-budget';
import { backgroundProviderCalls } from './background-calls';

/**
 * How a call ended: `answer-stored` when its answer is in the store, where every request looks before it
 * takes the lock; otherwise (nothing to keep, an answer that is taken once, a failure) the lock is released.
 */
export type CallOutcome = 'answer-stored' | undefined;

export interface ProviderCallOnceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Expiry of the store lock; the call itself must end sooner (the transport's deadline does that). */
  readonly lockTtlMs: number;
  /** How often a request waiting on another instance's call looks for its answer. */
  readonly pollMs?: number;
}

/** What one attempt at the lock came to: the call ran here, or another instance holds the lock. */
type Attempt = 'ran' | 'held-elsewhere';

/**
 * At most one provider call at a time per presented credential, across every instance sharing the
 * store: a lock in the store (with an expiry, so a crashed holder never blocks the retry), plus the
 * attempts of this process, which concurrent requests here join instead of polling.
 *
 * The caller says when the work is done (`isDone`: the answer is in the store, or there is nothing to
 * do) and what the work is (`call`: ask the provider and write its answer to the store). The call runs
 * to its end whatever happens to the request that started it.
 */
export class ProviderCallOnce {
  private readonly inFlight = new Map<string, Promise<Attempt>>();
  private readonly pollMs: number;

  constructor(private readonly options: ProviderCallOnceOptions) {
    this.pollMs = options.pollMs ?? 50;
  }

  /**
   * Returns once `isDone()` holds: at once, after this process's call for `key` ended, or after
   * another instance's. Rejects with the call's own error when the call this request started or joined
   * failed, and with `503` when `budget` ends first.
   */
  async ensure(key: string, budget: AnswerBudget, isDone: () => Promise<boolean>, call: () => Promise<CallOutcome | void>): Promise<void> {
    for (;;) {
      if (await isDone()) return;
      const joined = this.inFlight.get(key);
      if (joined) {
        // Another request of this process is at it: its outcome is this request's too.
        await budget.race(joined);
        continue;
      }
      // Registered before the store is asked, so requests of this process never race each other for the lock.
      const attempt = this.attempt(key, isDone, call);
      this.inFlight.set(key, attempt);
      void attempt.then(
        () => this.inFlight.delete(key),
        () => this.inFlight.delete(key),
      );
      backgroundProviderCalls.track(attempt);
      if ((await budget.race(attempt)) === 'ran') return;
      // Another instance holds the lock: its answer will be in the store when it lets go.
      await budget.pause(this.pollMs);
    }
  }

  private async attempt(key: string, isDone: () => Promise<boolean>, call: () => Promise<CallOutcome | void>): Promise<Attempt> {
    const { store, clock, lockTtlMs } = this.options;
    const lockKey = `lock:${key}`;
    const owner = randomUUID();
    if (!(await store.lock(lockKey, owner, clock.now() + lockTtlMs))) return 'held-elsewhere';
    let outcome: CallOutcome | void;
    try {
      // Checked again under the lock: the previous holder may have finished since the last look.
      if (await isDone()) return 'ran';
      outcome = await call();
      return 'ran';
    } finally {
      // An answer in the store stands for the lock (everyone looks for it first), which then lapses on
      // its own: one store write fewer per refresh.
      if (outcome !== 'answer-stored') await this.release(lockKey, owner);
    }
  }

  private async release(lockKey: string, owner: string): Promise<void> {
    await this.options.store.unlock(lockKey, owner).catch((error: unknown) => {
      this.options.logger.warn({ cause: describeCause(error) }, 'could not release a store lock; it expires on its own');
    });
  }
}
