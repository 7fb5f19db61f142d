import type { DeadlineTimers } from '../../models/deadline';

/**
 * Deadline timers that fire only when the test says so: a test proves a call is bounded by its deadline
 * by firing it, never by measuring how long the call took.
 */
export class ManualTimers implements DeadlineTimers {
  private readonly pending = new Map<number, { readonly expire: () => void; readonly ms: number }>();
  private lastId = 0;
  private readonly whenSetWaiters: Array<() => void> = [];

  setTimeout(expire: () => void, ms: number): unknown {
    this.lastId += 1;
    this.pending.set(this.lastId, { expire, ms });
    this.whenSetWaiters.splice(0).forEach((wake) => wake());
    return this.lastId;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The delays of the timers set and neither fired nor cleared, in the order they were set. */
  get pendingDelays(): number[] {
    return [...this.pending.values()].map((timer) => timer.ms);
  }

  /** Resolves once at least one timer is pending. */
  whenSet(): Promise<void> {
    return this.pending.size > 0 ? Promise.resolve() : new Promise((resolve) => this.whenSetWaiters.push(resolve));
  }

  /** Fires every pending timer, as if its time had come. */
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.expire();
  }
}
