import { createHash, randomBytes } from 'node:crypto';
import { safeEqual } from './safe-equal';

/** RFC 7636 §4.1: 43 to 128 characters of the unreserved set. */
const VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is the base64url of a SHA-256 digest: 43 characters. */
const S256_CHALLENGE_FORMAT = /^[A-Za-z0-9\-_]{43}$/;

/** A fresh verifier with 256 bits of entropy. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2 */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function isWellFormedS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE_FORMAT.test(challenge);
}

/** True when `verifier` is well formed and hashes to `challenge`. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 */
export function verifyS256(verifier: string, challenge: string): boolean {
  return VERIFIER_FORMAT.test(verifier) && safeEqual(s256Challenge(verifier), challenge);
}
