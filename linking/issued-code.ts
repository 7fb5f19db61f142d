import { randomBytes } from 'node:crypto';
import { parseStored, type Store } from '../models/store';
import { ServerError } from './errors';
import { credentialDigest } from './credential-digest';
import { verifyS256 } from './pkce';
import type { AlexaTokenResponse } from './token-response';

/**
 * What a code linkbridge issued is bound to: the client it was issued to, the `redirect_uri` of the
 * authorization request and Alexa's PKCE challenge, when it sent one.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export interface CodeBinding {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge?: string;
}

/** What a token request presenting a code brings to match its binding. */
export interface PresentedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly verifier?: string;
}

/** What an authorization code linkbridge issued to Alexa stands for. */
export interface IssuedCode extends CodeBinding {
  readonly flowId: string;
  readonly upstreamCode: string;
  readonly upstreamCodeVerifier?: string;
}

/**
 * What a code was exchanged for, waiting to be handed to Alexa once, with what the code was bound to:
 * the provider's tokens (relay custody), or the link that keeps them (vault custody), for which
 * linkbridge's tokens are made when they are handed over, so they are never at rest but as hashes.
 */
export interface ExchangedCode extends CodeBinding {
  readonly flowId: string;
  readonly response?: AlexaTokenResponse;
  readonly linkId?: string;
}

/** Why `presented` may not redeem a code bound to `binding`; `undefined` when it may. */
export function bindingProblem(binding: CodeBinding, presented: PresentedCode): string | undefined {
  if (binding.clientId !== presented.clientId) return 'the authorization code was issued to another client';
  if (binding.redirectUri !== presented.redirectUri) return 'redirect_uri does not match the authorization request';
  if (binding.codeChallenge !== undefined) {
    if (presented.verifier === undefined) return 'code_verifier is required: the authorization request had a code_challenge';
    if (!verifyS256(presented.verifier, binding.codeChallenge)) return 'code_verifier does not match the code_challenge';
  } else if (presented.verifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
    return 'code_verifier was sent but the authorization request had no code_challenge';
  }
  return undefined;
}

/** Only the binding of `code`, as it is kept with the tokens exchanged for it. */
export function bindingOf(code: CodeBinding): CodeBinding {
  return { clientId: code.clientId, redirectUri: code.redirectUri, codeChallenge: code.codeChallenge };
}

/**
 * Longest provider code kept. Real codes are tens to a few hundred characters, some identity platforms'
 * over a thousand; a callback anyone can call must not make linkbridge store whatever it is sent.
 */
export const MAX_UPSTREAM_CODE_LENGTH = 4096;

/**
 * Issued codes: random, short-lived, single use, stored sealed under a hash so the store never holds a
 * code Alexa could present, nor the provider's code in clear.
 *
 * A code stays redeemable until an exchange with the provider settled it: a transient failure or a
 * crash during the exchange leaves it for Alexa's retry. Tokens the provider gave for it are kept
 * (sealed) until one request takes them; after that the code is dead.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (short-lived, single use)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.5
 */
export class IssuedCodes {
  constructor(private readonly store: Store) {}

  async issue(record: IssuedCode, expiresAt: number): Promise<string> {
    if (record.upstreamCode.length > MAX_UPSTREAM_CODE_LENGTH) {
      throw new ServerError(`the account provider's authorization code is longer than ${MAX_UPSTREAM_CODE_LENGTH} characters`);
    }
    const code = randomBytes(32).toString('base64url');
    await this.store.put(recordKey(code), JSON.stringify(record), expiresAt);
    return code;
  }

  /** The code's record while it can still be exchanged; `undefined` once settled, expired or unknown. */
  async find(code: string): Promise<IssuedCode | undefined> {
    return parseStored<IssuedCode>(await this.store.get(recordKey(code)));
  }

  /** Kills the code: it was exchanged, refused by the provider, or presented with the wrong bindings. */
  async spend(code: string): Promise<void> {
    await this.store.delete(recordKey(code));
  }

  /** Keeps the provider's tokens for the code until one request takes them. */
  async keepExchanged(code: string, exchanged: ExchangedCode, expiresAt: number): Promise<void> {
    await this.store.put(exchangedKey(code), JSON.stringify(exchanged), expiresAt);
  }

  async peekExchanged(code: string): Promise<ExchangedCode | undefined> {
    return parseStored<ExchangedCode>(await this.store.get(exchangedKey(code)));
  }

  /** Atomic: of every request (on every instance) presenting the code, one gets the tokens. */
  async takeExchanged(code: string): Promise<ExchangedCode | undefined> {
    return parseStored<ExchangedCode>(await this.store.take(exchangedKey(code)));
  }
}

function recordKey(code: string): string {
  return `code:${credentialDigest(code)}`;
}

function exchangedKey(code: string): string {
  return `code-answer:${credentialDigest(code)}`;
}
