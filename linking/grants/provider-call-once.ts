import { hash, randomUUID } from 'node:crypto';
import type { Clock } from '../../models/clock';
import type { Logger } from '../../models/logger';
import { StoreUnavailableError, type Store } from '../../models/store';
import { OAuthError, TemporarilyUnavailableError } from '../errors';
import { toOAuthError } from '../upstream-errors';

/**
 * The time linkbridge has to answer one token request. Alexa waits 4.5 s; when the budget is spent
 * before the provider answered, Alexa gets `503 temporarily_unavailable` and retries, while the call
 * goes on in the background and leaves its answer in the store for that retry.
 */
export class AnswerBudget {
  private readonly endsAt: number;

  constructor(budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
  }

  get remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** `promise`'s outcome, or `503 temporarily_unavailable` when the budget ends first. */
  race<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const spent = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new TemporarilyUnavailableError('the account provider is still answering; try again')), this.remainingMs);
    });
    return Promise.race([promise, spent]).finally(() => clearTimeout(timer));
  }

  /** Waits `ms` (less when the budget ends sooner); `503` once it is spent. */
  async pause(ms: number): Promise<void> {
    if (this.remainingMs <= 0) throw new TemporarilyUnavailableError('another request for this grant is still with the account provider; try again');
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, this.remainingMs)));
  }
}

/**
 * The token endpoint's error for a failed grant: the provider's failures as `upstream-errors` maps them,
 * and a store that cannot answer as `503`, so Alexa retries rather than giving up on the link.
 */
export function toTokenError(error: unknown, log: Logger): OAuthError {
  if (error instanceof StoreUnavailableError) {
    log.error({ cause: error.message }, 'the store could not serve a token request');
    return new TemporarilyUnavailableError('linkbridge could not reach its store; try again', error);
  }
  return toOAuthError(error, log);
}

/** The SHA-256 of a presented code or token, base64url: what store keys and in-process maps are made of. */
export function credentialDigest(credential: string): string {
  return hash('sha256', credential, 'base64url');
}

/** Provider calls still running after their request was answered; a stopping process waits for them. */
class BackgroundCalls {
  private readonly running = new Set<Promise<unknown>>();

  track(call: Promise<unknown>): void {
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every call running now has ended, or after `timeoutMs`, whichever comes first. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all([...this.running]), giveUp]);
    clearTimeout(timer);
  }
}

/** Every provider call started through {@link ProviderCallOnce} in this process. */
export const backgroundProviderCalls = new BackgroundCalls();

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

/**
 * At most one provider call at a time per presented credential, across every instance sharing the
 * store: a lock in the store (with an expiry, so a crashed holder never blocks the retry), plus the
 * calls of this process, which concurrent requests here join instead of polling.
 *
 * The caller says when the work is done (`isDone`: the answer is in the store, or there is nothing to
 * do) and what the work is (`call`: ask the provider and write its answer to the store). The call runs
 * to its end whatever happens to the request that started it.
 */
export class ProviderCallOnce {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly pollMs: number;

  constructor(private readonly options: ProviderCallOnceOptions) {
    this.pollMs = options.pollMs ?? 50;
  }

  /**
   * Returns once `isDone()` holds: at once, after this process's call for `key` ended, or after
   * another instance's. Rejects with the call's own error when the call this request joined failed,
   * and with `503` when `budget` ends first.
   */
  async ensure(key: string, budget: AnswerBudget, isDone: () => Promise<boolean>, call: () => Promise<CallOutcome | void>): Promise<void> {
    const { store, clock, lockTtlMs } = this.options;
    const lockKey = `lock:${key}`;
    for (;;) {
      if (await isDone()) return;
      const joined = this.inFlight.get(key);
      if (joined) {
        await budget.race(joined);
        continue;
      }
      const owner = randomUUID();
      if (await store.lock(lockKey, owner, clock.now() + lockTtlMs)) {
        const running = this.runLocked(lockKey, owner, isDone, call);
        this.inFlight.set(key, running);
        void running.then(
          () => this.inFlight.delete(key),
          () => this.inFlight.delete(key),
        );
        backgroundProviderCalls.track(running);
        await budget.race(running);
        return;
      }
      // Another instance holds the lock: its answer will be in the store when it lets go.
      await budget.pause(this.pollMs);
    }
  }

  private async runLocked(lockKey: string, owner: string, isDone: () => Promise<boolean>, call: () => Promise<CallOutcome | void>): Promise<void> {
    let outcome: CallOutcome | void;
    try {
      // Checked again under the lock: the previous holder may have finished since the last look.
      if (await isDone()) return;
      outcome = await call();
    } finally {
      // An answer in the store stands for the lock (everyone looks for it first), which then lapses on
      // its own: one store write fewer per refresh.
      if (outcome !== 'answer-stored') await this.release(lockKey, owner);
    }
  }

  private async release(lockKey: string, owner: string): Promise<void> {
    await this.options.store.unlock(lockKey, owner).catch((error: unknown) => {
      this.options.logger.warn({ cause: error instanceof Error ? error.message : 'unknown' }, 'could not release a store lock; it expires on its own');
    });
  }
}
