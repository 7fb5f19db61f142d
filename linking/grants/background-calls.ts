/** Provider calls still running after their request was answered; a stopping process waits for them. */
export class BackgroundCalls {
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

  /**
   * Resolves when every call running now has ended, or after `timeoutMs` of real time, whichever comes
   * first: this runs while the process stops, where only real time counts.
   */
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

/** Every provider call started through `ProviderCallOnce` in this process. */
export const backgroundProviderCalls = new BackgroundCalls();
