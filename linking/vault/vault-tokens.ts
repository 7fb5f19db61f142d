import { randomBytes } from 'node:crypto';

/**
 * linkbridge's own tokens in vault custody: 32 random bytes (base64url) behind a short prefix that says
 * which kind they are. They mean nothing by themselves: each is the key of a record in the store, which
 * keeps only its hash (the sealed store hashes every key). The prefix lets a token be told from a
 * provider's at once, without a store read: a refresh token without it is a provider's own from relay
 * custody, which vault custody takes over (docs/how-linking-works.md, "Moving from relay to vault").
 * 47 characters, far inside the 2048 Alexa is known to accept.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10 (credentials guessing attacks: at least 128 bits)
 */
const PREFIXES = { access: 'lba_', refresh: 'lbr_' } as const;
const RANDOM = /^[A-Za-z0-9_-]{43}$/;

export type VaultTokenKind = keyof typeof PREFIXES;

/** A new token of `kind`. */
export function mintVaultToken(kind: VaultTokenKind): string {
  return `${PREFIXES[kind]}${randomBytes(32).toString('base64url')}`;
}

/** Whether `token` has the shape of a linkbridge token of `kind` (whether it is live, the store says). */
export function isVaultToken(token: string, kind: VaultTokenKind): boolean {
  return token.length === 47 && token.startsWith(PREFIXES[kind]) && RANDOM.test(token.slice(4));
}
