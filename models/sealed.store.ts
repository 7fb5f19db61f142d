import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from 'node:crypto';
import type { SealingKey } from './config';
import type { Store, StoredRecord, StorePersistence } from './store';

const VERSION = 's1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals store values with AES-256-GCM under a key derived (HKDF-SHA256) from each `SEALING_KEYS`
 * entry, so a store record is never the same key material as the sealed `state`. The first key seals,
 * every key unseals (rotation); the store key is the associated data, so a value cannot be moved to
 * another key. Format: `s1.<kid>.<iv>.<ciphertext and tag>`, base64url.
 */
export class RecordSealer {
  private readonly keysById: ReadonlyMap<string, Buffer>;
  private readonly current: { kid: string; key: Buffer };

  constructor(keys: readonly SealingKey[]) {
    if (keys.length === 0) throw new Error('RecordSealer needs at least one key');
    const derived = keys.map((key) => ({ kid: key.kid, key: Buffer.from(hkdfSync('sha256', key.secret, 'linkbridge', 'linkbridge store record v1', 32)) }));
    this.current = derived[0];
    this.keysById = new Map(derived.map((entry) => [entry.kid, entry.key]));
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.current.kid, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext; `undefined` for a value that is not sealed by a known key or was altered. */
  unseal(sealed: string, associatedData: string): string | undefined {
    return this.open(sealed, associatedData)?.plaintext;
  }

  /** The plaintext and whether a key other than the sealing one opened it; `undefined` as for {@link unseal}. */
  open(sealed: string, associatedData: string): { readonly plaintext: string; readonly olderKey: boolean } | undefined {
    const [version, kid, ivText, bodyText, extra] = sealed.split('.');
    const key = kid === undefined ? undefined : this.keysById.get(kid);
    if (version !== VERSION || !key || ivText === undefined || bodyText === undefined || extra !== undefined) return undefined;
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return { plaintext, olderKey: kid !== this.current.kid };
    } catch {
      return undefined;
    }
  }
}

/** `namespace:<SHA-256 of the rest, base64url>`: the store key for a name that may hold a secret. */
export function hashedKey(key: string): string {
  const colon = key.indexOf(':');
  const namespace = colon > 0 ? key.slice(0, colon) : 'key';
  const rest = colon > 0 ? key.slice(colon + 1) : key;
  // One-shot `hash`: a third of the CPU of `createHash` for a short input, and it runs on every store operation.
  return `${namespace}:${hash('sha256', rest, 'base64url')}`;
}

/**
 * Any store, with nothing secret at rest: keys are hashed (the namespace before the first `:` stays
 * readable) and values are sealed. Lock owners and claim marks are random ids, kept as they are so the
 * store can compare them atomically.
 */
export class SealedStore implements Store {
  private readonly sealer: RecordSealer;

  constructor(
    private readonly inner: Store,
    keys: readonly SealingKey[],
  ) {
    this.sealer = new RecordSealer(keys);
  }

  put(key: string, value: string, expiresAt: number): Promise<void> {
    const stored = hashedKey(key);
    return this.inner.put(stored, this.sealer.seal(value, stored), expiresAt);
  }

  async get(key: string): Promise<string | undefined> {
    const stored = hashedKey(key);
    const value = await this.inner.get(stored);
    return value === undefined ? undefined : this.sealer.unseal(value, stored);
  }

  async getRecord(key: string): Promise<StoredRecord | undefined> {
    const stored = hashedKey(key);
    const value = await this.inner.get(stored);
    const opened = value === undefined ? undefined : this.sealer.open(value, stored);
    return opened && { value: opened.plaintext, sealedWithOlderKey: opened.olderKey };
  }

  async take(key: string): Promise<string | undefined> {
    const stored = hashedKey(key);
    const value = await this.inner.take(stored);
    return value === undefined ? undefined : this.sealer.unseal(value, stored);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(hashedKey(key));
  }

  claim(key: string, expiresAt: number): Promise<boolean> {
    return this.inner.claim(hashedKey(key), expiresAt);
  }

  lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    return this.inner.lock(hashedKey(key), owner, expiresAt);
  }

  unlock(key: string, owner: string): Promise<void> {
    return this.inner.unlock(hashedKey(key), owner);
  }

  purgeExpired(limit?: number): Promise<number> {
    return this.inner.purgeExpired(limit);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  async persistence(): Promise<StorePersistence> {
    return this.inner.persistence ? this.inner.persistence() : { durable: undefined, found: 'a store that does not say what it keeps' };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
