import { hash } from 'node:crypto';

/**
 * The SHA-256 of a presented code or token, base64url: what store keys and in-process maps are made of,
 * so neither the store nor a heap dump holds a credential Alexa could present.
 */
export function credentialDigest(credential: string): string {
  return hash('sha256', credential, 'base64url');
}
