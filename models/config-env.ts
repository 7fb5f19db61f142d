import type { ConfigProblem } from './config-error';
import { isAbsoluteHttpUrl } from './provider-profile';

/** The process environment, or the part of it a caller passes in. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Typed access to environment variables. A bad value is noted as a problem naming its variable, and the
 * read goes on with the fallback, so one pass finds every problem; the loader refuses once at the end.
 */
export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** Notes a problem; the loader refuses the whole configuration when there is any. */
  problem(variable: string, expectation: string): void {
    this.problems.push({ variable, expectation });
  }

  /** Names of the set (non-blank) variables that start with `prefix`. */
  namesStartingWith(prefix: string): string[] {
    return Object.keys(this.env).filter((name) => name.startsWith(prefix) && this.string(name) !== undefined);
  }

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  /** The value, or `undefined` after noting that it is required. */
  required(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) this.problem(name, 'is required');
    return value;
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  url(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined || isAbsoluteHttpUrl(value)) return value;
    this.problem(name, `expects an absolute http(s) URL, got "${value}"`);
    return undefined;
  }

  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= range.min && parsed <= range.max) return parsed;
    this.problem(name, `expects a whole number from ${range.min} to ${range.max}, got "${value}"`);
    return fallback;
  }

  /** `true`/`1` or `false`/`0`; `undefined` when unset (or refused). */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problem(name, `expects true or false, got "${value}"`);
    return undefined;
  }

  boolean(name: string, fallback: boolean): boolean {
    return this.optionalBoolean(name) ?? fallback;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(name, `expects one of ${choices.join(' | ')}, got "${value}"`);
    return fallback;
  }
}
