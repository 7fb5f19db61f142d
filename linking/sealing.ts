import { randomBytes } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Clock } from '../models/clock';
import { EPHEMERAL_KEY_ID_PREFIX, type SealingKey } from '../models/config';
import type { Store } from '../models/store';

/** What the state sent upstream carries, so the authorization leg needs no server-side session. */
export interface LinkingState {
  /** Unique id of this sealed state, marked used at the callback (single use). */
  readonly id: string;
  /** Correlation id of this linking flow, for the logs. */
  readonly flowId: string;
  readonly clientId: string;
  /** Alexa's `state`, returned to Alexa untouched. */
  readonly alexaState: string;
  readonly redirectUri: string;
  /** Alexa's PKCE challenge (S256), when it sent one. */
  readonly codeChallenge?: string;
  /** linkbridge's PKCE verifier toward the upstream, when PKCE upstream is on. */
  readonly upstreamCodeVerifier?: string;
  /** The provider this flow went to, against mix-up attacks (RFC 9700 §4.4). */
  readonly provider: string;
  readonly scope?: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Why a sealed state was refused. `restarted`: sealed by a key made for an earlier run of the server
 * (no `SEALING_KEYS`), which is gone; `unknown_key`: sealed by a configured key this server lacks.
 */
export class StateRejectedError extends Error {
  constructor(readonly reason: 'malformed' | 'expired' | 'restarted' | 'unknown_key' | 'tampered') {
    super(`sealed state rejected: ${reason}`);
  }
}

/**
 * jose, loaded at the first seal or unseal: it is about a tenth of linkbridge's start-up, and an
 * instance that only answers the skill never seals a state.
 */
function jose(): typeof import('jose') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
  return require('jose') as typeof import('jose');
}

const ALG = 'dir';
const ENC = 'A256GCM';
const AUDIENCE = 'linkbridge:upstream-state';

/**
 * Seals and unseals the upstream `state` as a compact JWE (direct A256GCM, `kid` in the protected
 * header so keys can rotate: the first key seals, all configured keys unseal).
 * @see https://www.rfc-editor.org/rfc/rfc7516 JWE, https://www.rfc-editor.org/rfc/rfc9700#section-4.7 CSRF
 */
export class StateSealer {
  private readonly keysById: ReadonlyMap<string, Uint8Array>;

  constructor(
    private readonly keys: readonly SealingKey[],
    private readonly clock: Clock,
  ) {
    if (keys.length === 0) throw new Error('StateSealer needs at least one key');
    this.keysById = new Map(keys.map((key) => [key.kid, key.secret]));
  }

  async seal(state: LinkingState): Promise<string> {
    const [current] = this.keys;
    const { id, expiresAt, ...claims } = state;
    return new (jose().EncryptJWT)({ ...claims })
      .setProtectedHeader({ alg: ALG, enc: ENC, kid: current.kid })
      .setJti(id)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(this.clock.now() / 1000))
      .setExpirationTime(expiresAt)
      .encrypt(current.secret);
  }

  async unseal(sealed: string): Promise<LinkingState> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jose().jwtDecrypt(
        sealed,
        (header) => {
          const key = header.kid === undefined ? undefined : this.keysById.get(header.kid);
          if (!key) throw new StateRejectedError(header.kid?.startsWith(EPHEMERAL_KEY_ID_PREFIX) ? 'restarted' : 'unknown_key');
          return key;
        },
        {
          audience: AUDIENCE,
          keyManagementAlgorithms: [ALG],
          contentEncryptionAlgorithms: [ENC],
          currentDate: new Date(this.clock.now()),
          requiredClaims: ['jti', 'exp'],
          clockTolerance: 0,
        },
      ));
    } catch (error) {
      throw classify(error);
    }
    return toLinkingState(payload);
  }
}

function classify(error: unknown): StateRejectedError {
  if (error instanceof StateRejectedError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_JWT_EXPIRED') return new StateRejectedError('expired');
  if (code === 'ERR_JWE_DECRYPTION_FAILED') return new StateRejectedError('tampered');
  return new StateRejectedError('malformed');
}

function toLinkingState(payload: JWTPayload): LinkingState {
  const text = (name: string): string | undefined => {
    const value = payload[name];
    return typeof value === 'string' ? value : undefined;
  };
  const need = (name: string): string => {
    const value = text(name);
    if (value === undefined) throw new StateRejectedError('malformed');
    return value;
  };
  return {
    id: need('jti'),
    flowId: need('flowId'),
    clientId: need('clientId'),
    alexaState: text('alexaState') ?? '',
    redirectUri: need('redirectUri'),
    codeChallenge: text('codeChallenge'),
    upstreamCodeVerifier: text('upstreamCodeVerifier'),
    provider: need('provider'),
    scope: text('scope'),
    expiresAt: payload.exp as number,
  };
}

/**
 * For providers that keep only a short `state` (WeChat: 128 characters of `a-zA-Z0-9`; X: 500): the
 * sealed state stays in the store and the provider gets a random handle to it, redeemed once, with
 * the sealed state's own expiry. 128 random bits in hex suit every provider's alphabet.
 */
export class StateHandles {
  private static readonly PREFIX = 'state-handle:';
  private static readonly SPENT_PREFIX = 'state-handle-spent:';

  constructor(private readonly store: Store) {}

  /** True when `value` is a handle rather than a sealed state (a compact JWE always has dots). */
  static isHandle(value: string): boolean {
    return /^[0-9a-f]{32}$/.test(value);
  }

  /** Stores `sealed` until `expiresAt` (seconds since the epoch) and returns its handle. */
  async stash(sealed: string, expiresAt: number): Promise<string> {
    const handle = randomBytes(16).toString('hex');
    await this.store.put(`${StateHandles.PREFIX}${handle}`, sealed, expiresAt * 1000);
    return handle;
  }

  /** The sealed state behind `handle`, once; `undefined` when unknown, used or expired. */
  redeem(handle: string): Promise<string | undefined> {
    return this.store.take(`${StateHandles.PREFIX}${handle}`);
  }

  /**
   * Notes which flow redeemed `handle`, until the flow would have expired, so that a replay (the
   * sealed state is gone by then) is still logged under its flow's id.
   */
  async markSpent(handle: string, flowId: string, expiresAt: number): Promise<void> {
    await this.store.put(`${StateHandles.SPENT_PREFIX}${handle}`, `${expiresAt} ${flowId}`, expiresAt * 1000);
  }

  /** The flow that redeemed `handle`, when it is still remembered. */
  async spentBy(handle: string): Promise<string | undefined> {
    const key = `${StateHandles.SPENT_PREFIX}${handle}`;
    const record = await this.store.take(key);
    if (record === undefined) return undefined;
    const [expiresAt, flowId] = record.split(' ');
    // The store can only take; put it back for a further replay.
    await this.store.put(key, record, Number(expiresAt) * 1000);
    return flowId;
  }

}
