import { sleep, type Clock } from '../../models/clock';
import { TemporarilyUnavailableError } from '../errors';

/**
 * The time linkbridge has to answer one token request, on the app's clock. Alexa waits 4.5 s; when the
 * budget is spent before the provider answered, Alexa gets `503 temporarily_unavailable` and retries,
 * while the call goes on in the background and leaves its answer in the store for that retry.
 * @see https://developer.amazon.com/en-US/docs/alexa/account-linking/requirements-account-linking.html
 */
export class AnswerBudget {
  private readonly endsAt: number;

  constructor(
    private readonly clock: Clock,
    budgetMs: number,
  ) {
    this.endsAt = clock.now() + budgetMs;
  }

  get remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  /** `promise`'s outcome, or `503 temporarily_unavailable` when the budget ends first. */
  race<T>(promise: Promise<T>): Promise<T> {
    let cancel = () => {};
    const spent = new Promise<never>((_resolve, reject) => {
      cancel = this.clock.after(this.remainingMs, () => reject(new TemporarilyUnavailableError('the account provider is still answering; try again')));
    });
    // The timer goes once the race is decided.
    return Promise.race([promise, spent]).finally(cancel);
  }

  /** Waits `ms` (less when the budget ends sooner); `503` once it is spent. */
  async pause(ms: number): Promise<void> {
    if (this.remainingMs <= 0) throw new TemporarilyUnavailableError('another request for this grant is still with the account provider; try again');
    await sleep(this.clock, Math.min(ms, this.remainingMs));
  }
}
