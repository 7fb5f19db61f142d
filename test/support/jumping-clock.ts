import type { Clock } from '../../models/clock';

/**
 * A clock a test moves forward by hours or days at once (`jump`), whose timers run on real time: for
 * tests across processes' worth of waiting (a lock held on another instance, polled every 50 ms) where
 * only the long stretches (token lifetimes, idle lifetimes) need to pass without waiting for them.
 * Nothing asserts on real time: the timers only let waiting code go on.
 */
export class JumpingClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  }

  jumpSeconds(seconds: number): void {
    this.offset += seconds * 1000;
  }
}
