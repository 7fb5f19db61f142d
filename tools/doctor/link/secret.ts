import { inspect } from 'node:util';

/** What a held value shows wherever it is printed, serialized or inspected. */
export const HIDDEN = '[hidden]';

const values = new WeakMap<Secret, string>();

/**
 * A value the link check must send but never show: a code, a token, a PKCE verifier, the test account's
 * password. Printed, turned into JSON or inspected it reads {@link HIDDEN}; only {@link reveal}, called
 * where the value is sent, gives it back. A report built from the check's facts cannot carry one by mistake.
 */
export class Secret {
  constructor(value: string) {
    values.set(this, value);
  }

  /** True when both hold the same value (a refresh token handed back unchanged). */
  sameAs(other: Secret | undefined): boolean {
    return other !== undefined && values.get(other) === values.get(this);
  }

  /** How many characters it has (Alexa's limit on token length), without showing any. */
  get length(): number {
    return reveal(this).length;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}

/** The value itself, for the one place that sends it. */
export function reveal(secret: Secret): string {
  return values.get(secret) ?? '';
}

/**
 * Every secret value one run of the check has held (the client secret, the password, each code and
 * token), so that what is printed can be searched for them before it is printed: a last line of defence
 * behind {@link Secret}, as the logger's redaction is behind its chosen fields.
 */
export class SecretKeeper {
  private readonly known = new Set<string>();

  /** Holds `value` as a {@link Secret} and remembers it. */
  hold(value: string): Secret {
    this.remember(value);
    return new Secret(value);
  }

  /** Remembers a value held elsewhere (the client secret in the configuration). */
  remember(value: string | undefined): void {
    // A value of a few characters would match ordinary words; no credential is that short.
    if (value !== undefined && value.length >= 8) this.known.add(value);
  }

  /** `text` with every remembered value replaced by {@link HIDDEN}, longest first (one may contain another). */
  scrub(text: string): string {
    let clean = text;
    for (const value of [...this.known].sort((a, b) => b.length - a.length)) clean = clean.split(value).join(HIDDEN);
    return clean;
  }
}
