import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../models/store';

/** What an authorization code linkbridge issued to Alexa stands for. */
export interface IssuedCode {
  readonly flowId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  readonly upstreamCode: string;
  readonly upstreamCodeVerifier?: string;
}

/**
 * Issued codes: random, short-lived, single use, stored under a hash so the store never holds a code
 * Alexa could present.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (short-lived, single use)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.5
 */
export class IssuedCodes {
  constructor(private readonly store: Store) {}

  async issue(record: IssuedCode, expiresAt: number): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.store.put(storeKey(code), JSON.stringify(record), expiresAt);
    return code;
  }

  /** Redeems a code once: a second call, or one after expiry, gets `undefined`. */
  async redeem(code: string): Promise<IssuedCode | undefined> {
    const stored = await this.store.take(storeKey(code));
    return stored === undefined ? undefined : (JSON.parse(stored) as IssuedCode);
  }
}

function storeKey(code: string): string {
  return `code:${createHash('sha256').update(code).digest('base64url')}`;
}
