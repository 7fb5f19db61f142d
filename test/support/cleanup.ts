/**
 * What a test suite started, closed in reverse order in `afterAll` whatever failed in `beforeAll`, so
 * no server, provider or browser outlives its suite and keeps jest from exiting.
 */
export class Cleanup {
  private readonly closers: Array<() => unknown> = [];

  /** Registers `close` for `thing` as soon as it exists, and returns `thing`. */
  add<T>(thing: T, close: (thing: T) => unknown): T {
    this.closers.push(() => close(thing));
    return thing;
  }

  /** Closes everything registered, each even when an earlier one throws; rethrows the first failure. */
  async run(): Promise<void> {
    const failures: unknown[] = [];
    while (this.closers.length > 0) {
      const close = this.closers.pop()!;
      try {
        await close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
