/**
 * The store lock around one provider call per presented credential: released when the call leaves
 * nothing in the store (so a retry can call again at once), left to lapse when the call's answer is in
 * the store (everyone finds the answer before looking at the lock; one store write fewer per refresh).
 */
import { AnswerBudget } from '../../../linking/grants/answer-budget';
import { ProviderCallOnce, type CallOutcome } from '../../../linking/grants/provider-call-once';
import { MemoryStore } from '../../../models/memory.store';
import { CapturedLogs, captureLogger, TestClock } from '../../support/test-app';

/** A memory store that counts the lock operations it serves. */
class CountingStore extends MemoryStore {
  locks = 0;
  unlocks = 0;

  override async lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    this.locks += 1;
    return super.lock(key, owner, expiresAt);
  }

  override async unlock(key: string, owner: string): Promise<void> {
    this.unlocks += 1;
    return super.unlock(key, owner);
  }
}

function setUp() {
  const clock = new TestClock();
  const store = new CountingStore(clock);
  const once = new ProviderCallOnce({ store, clock, logger: captureLogger(new CapturedLogs()), lockTtlMs: 15_000, pollMs: 5 });
  return { clock, store, once };
}


test('a call whose answer is in the store leaves the lock to lapse, and the next request finds the answer without the lock', async () => {
  const { clock, store, once } = setUp();
  let calls = 0;
  const isDone = async () => (await store.get('answer')) !== undefined;
  const call = async (): Promise<CallOutcome> => {
    calls += 1;
    await store.put('answer', 'tokens', clock.now() + 600_000);
    return 'answer-stored';
  };

  await once.ensure('refresh:abc', new AnswerBudget(clock, 1000), isDone, call);
  expect(calls).toBe(1);
  expect({ locks: store.locks, unlocks: store.unlocks }).toEqual({ locks: 1, unlocks: 0 });
  // The lock is still held...
  expect(await store.lock('lock:refresh:abc', 'someone-else', clock.now() + 15_000)).toBe(false);
  // ...and a retry with the same credential does not need it.
  await once.ensure('refresh:abc', new AnswerBudget(clock, 50), isDone, call);
  expect(calls).toBe(1);
});

test('a call that keeps nothing releases the lock, so the next request calls at once', async () => {
  const { clock, store, once } = setUp();
  let calls = 0;
  const call = async (): Promise<void> => {
    calls += 1;
  };
  let done = false;
  const isDone = async () => done;

  await once.ensure('refresh:kept', new AnswerBudget(clock, 1000), isDone, async () => {
    await call();
    done = true;
  });
  expect(store.unlocks).toBe(1);
  done = false;
  await once.ensure('refresh:kept', new AnswerBudget(clock, 1000), isDone, async () => {
    await call();
    done = true;
  });
  expect(calls).toBe(2);
  expect(store.unlocks).toBe(2);
});

test('a failed call releases the lock, so a retry reaches the provider within its budget', async () => {
  const { clock, store, once } = setUp();
  let answer: string | undefined;
  const isDone = async () => answer !== undefined;
  await expect(
    once.ensure('code:xyz', new AnswerBudget(clock, 1000), isDone, async () => {
      throw new Error('provider unreachable');
    }),
  ).rejects.toThrow('provider unreachable');
  expect(store.unlocks).toBe(1);

  await once.ensure('code:xyz', new AnswerBudget(clock, 200), isDone, async () => {
    answer = 'tokens';
  });
  expect(answer).toBe('tokens');
});

test('concurrent requests of one process join the one call: one lock attempt, and no request polls the store', async () => {
  const { clock, store, once } = setUp();
  let answer: string | undefined;
  let release: () => void = () => undefined;
  let calls = 0;
  const isDone = async () => answer !== undefined;
  const call = async () => {
    calls += 1;
    await new Promise<void>((resolve) => (release = resolve));
    answer = 'tokens';
  };

  const first = once.ensure('refresh:same', new AnswerBudget(clock, 1000), isDone, call);
  const second = once.ensure('refresh:same', new AnswerBudget(clock, 1000), isDone, call);
  await new Promise<void>((resolve) => setImmediate(resolve));
  // Two budgets wait on the clock; no request waits to poll the store again.
  expect(clock.waiting).toBe(2);
  release();
  await Promise.all([first, second]);
  expect({ calls, locks: store.locks }).toEqual({ calls: 1, locks: 1 });
});
