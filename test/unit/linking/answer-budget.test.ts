/**
 * The token answer budget runs on the app's clock: Alexa gets `503 temporarily_unavailable` the moment
 * the clock reaches the budget's end, while the provider call goes on; nothing here sleeps.
 */
import { AnswerBudget } from '../../../linking/grants/answer-budget';
import { TemporarilyUnavailableError } from '../../../linking/errors';
import { TestClock } from '../../support/test-app';

/** Lets every pending promise callback run (no time passes on any clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('the call\'s outcome when it settles within the budget, and the wait is let go', async () => {
  const clock = new TestClock();
  const budget = new AnswerBudget(clock, 3000);
  await expect(budget.race(Promise.resolve('tokens'))).resolves.toBe('tokens');
  await expect(budget.race(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  expect(clock.waiting).toBe(0);
});

test('503 temporarily_unavailable as soon as the clock reaches the end of the budget, not a moment before', async () => {
  const clock = new TestClock();
  const budget = new AnswerBudget(clock, 3000);
  let finish: (value: string) => void = () => undefined;
  const call = new Promise<string>((resolve) => (finish = resolve));
  let outcome: unknown;
  const raced = budget.race(call).then(
    (value) => (outcome = value),
    (error: unknown) => (outcome = error),
  );

  clock.advanceMs(2999);
  await settle();
  expect(outcome).toBeUndefined();
  expect(budget.remainingMs).toBe(1);

  clock.advanceMs(1);
  await raced;
  expect(outcome).toBeInstanceOf(TemporarilyUnavailableError);
  expect((outcome as TemporarilyUnavailableError).status).toBe(503);
  // The call itself goes on: its answer is still there for whoever waits for it next.
  finish('late tokens');
  await expect(call).resolves.toBe('late tokens');
});

test('a budget already spent answers 503 at once', async () => {
  const clock = new TestClock();
  const budget = new AnswerBudget(clock, 100);
  clock.advanceMs(500);
  await expect(budget.race(new Promise(() => undefined))).rejects.toBeInstanceOf(TemporarilyUnavailableError);
  await expect(budget.pause(10)).rejects.toBeInstanceOf(TemporarilyUnavailableError);
});

test('pause waits on the clock, never longer than what is left of the budget', async () => {
  const clock = new TestClock();
  const budget = new AnswerBudget(clock, 100);
  clock.advanceMs(80);
  let paused = false;
  const pausing = budget.pause(50).then(() => (paused = true));
  await settle();
  expect(paused).toBe(false);
  // 20 ms were left, so the pause ends after 20, not 50.
  clock.advanceMs(20);
  await pausing;
  expect(paused).toBe(true);
});
