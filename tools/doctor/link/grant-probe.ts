/**
 * What the provider does with one real grant, in the order the calls are made (each may end the grant,
 * so the order matters): refresh it, present the previous refresh token again after a rotation, refresh
 * twice at once, and last revoke it. Each step records facts; `link-assessment.ts` says what they mean.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6 (refresh)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (rotation and reuse detection)
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2 (revocation)
 */
import type { Clock } from '../../../models/clock';
import type { LinkClient, LinkTokens, ProviderRefusal, TokenCallResult } from '../provider-adapter';
import type { Secret } from './secret';

/** After a rotation, when the previous refresh token is presented again, in seconds since the rotation. */
export const REUSE_SCHEDULE_SECONDS = [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 90, 120] as const;

/** The first refresh of the grant. */
export type RefreshFacts =
  | { readonly kind: 'not-run'; readonly why: 'no-refresh-token' | 'no-refresh-request' }
  | {
      readonly kind: 'refreshed';
      /** True when the answer carried a refresh token other than the one presented. */
      readonly rotated: boolean;
      /** True when the answer carried a refresh token at all (the same one or a new one). */
      readonly refreshTokenReturned: boolean;
      readonly expiresIn?: number;
    }
  | { readonly kind: 'failed'; readonly failure: ProviderRefusal };

/** The previous refresh token presented again after the provider rotated it. */
export type ReuseFacts =
  | { readonly kind: 'not-run'; readonly why: 'no-rotation' | 'no-refresh-token' | 'refresh-failed' }
  | {
      /** Accepted: a grace window. */
      readonly kind: 'accepted';
      /** The latest time after the rotation at which it was still accepted, in seconds. */
      readonly acceptedUpToSeconds: number;
      /** The first time at which it was refused, in seconds; absent when it was accepted to the end of {@link REUSE_SCHEDULE_SECONDS}. */
      readonly refusedAtSeconds?: number;
      /** After the window: whether the refusal revoked the newest refresh token too. */
      readonly familyRevokedAfterWindow?: boolean;
      readonly refusal?: ProviderRefusal;
    }
  | {
      /** Refused at once. */
      readonly kind: 'refused';
      readonly refusal: ProviderRefusal;
      /** True when the newest refresh token was refused afterwards too: the whole grant was revoked. */
      readonly familyRevoked: boolean;
      /** Set when checking the newest refresh token got no usable answer. */
      readonly newestUnknown?: ProviderRefusal;
    }
  | { readonly kind: 'inconclusive'; readonly failure: ProviderRefusal };

/** Two refreshes with the same refresh token at once. */
export type ConcurrentFacts =
  | { readonly kind: 'not-run'; readonly why: 'grant-revoked' | 'no-refresh-token' | 'refresh-failed' }
  | { readonly kind: 'both-answered'; readonly sameRefreshToken: boolean }
  | { readonly kind: 'one-refused'; readonly refusal: ProviderRefusal }
  | { readonly kind: 'grant-revoked'; readonly refusal: ProviderRefusal }
  | { readonly kind: 'inconclusive'; readonly failure: ProviderRefusal };

/** The last step: the grant revoked at the provider's RFC 7009 endpoint. */
export type RevocationFacts =
  | { readonly kind: 'no-endpoint' }
  | {
      readonly kind: 'revoked';
      /** Which token was revoked (the newest refresh token, else the access token). */
      readonly token: 'refresh_token' | 'access_token';
      /** Whether the revoked refresh token still worked afterwards; unknown for an access token, or a grant already revoked. */
      readonly stillWorks?: boolean;
      /** True when an earlier step had revoked the grant already. */
      readonly alreadyRevoked: boolean;
    }
  | { readonly kind: 'failed'; readonly failure: ProviderRefusal };

export interface GrantFacts {
  readonly refresh: RefreshFacts;
  readonly reuse: ReuseFacts;
  readonly concurrent: ConcurrentFacts;
  readonly revocation: RevocationFacts;
}

/** What the grant tests need besides the provider client. */
export interface GrantProbeDeps {
  readonly clock: Clock;
  /** Waits `ms` of the clock's time (between presentations of an old refresh token). */
  readonly pause: (ms: number) => Promise<void>;
  /** Tells the person at the terminal what is happening (a long wait, a step that may end the grant). */
  readonly say: (line: string) => void;
}

/**
 * Runs the grant tests on the tokens of the code exchange. The grant may not survive them: a provider that
 * revokes on reuse ends it in the reuse step, and the revocation step ends it in any case.
 */
export async function probeGrant(client: LinkClient, first: LinkTokens, deps: GrantProbeDeps): Promise<GrantFacts> {
  const grant = new GrantState(first);
  const refresh = await refreshOnce(client, grant, deps);
  const reuse = refresh.kind === 'refreshed' && refresh.rotated ? await presentAgain(client, grant, deps) : notRunReuse(refresh);
  const concurrent = await refreshTwiceAtOnce(client, grant, refresh, reuse);
  const revocation = await revokeLast(client, grant);
  return { refresh, reuse, concurrent, revocation };
}

/** The grant as the tests left it: the newest tokens, the previous refresh token, whether it is known dead. */
class GrantState {
  newestRefresh?: Secret;
  newestAccess: Secret;
  previousRefresh?: Secret;
  rotatedAt = 0;
  revoked = false;

  constructor(first: LinkTokens) {
    this.newestRefresh = first.refreshToken;
    this.newestAccess = first.accessToken;
  }

  /** Takes the newest tokens from a successful answer (a refresh answer without a refresh token keeps the old one). */
  take(tokens: LinkTokens): void {
    this.newestAccess = tokens.accessToken;
    if (tokens.refreshToken) this.newestRefresh = tokens.refreshToken;
  }
}

async function refreshOnce(client: LinkClient, grant: GrantState, deps: GrantProbeDeps): Promise<RefreshFacts> {
  const presented = grant.newestRefresh;
  if (!presented) return { kind: 'not-run', why: 'no-refresh-token' };
  if (!client.refreshes) return { kind: 'not-run', why: 'no-refresh-request' };
  const result = await client.refresh(presented);
  if (!result.ok) return { kind: 'failed', failure: result.failure };
  const returned = result.tokens.refreshToken;
  const rotated = returned !== undefined && !returned.sameAs(presented);
  grant.take(result.tokens);
  if (rotated) {
    grant.previousRefresh = presented;
    grant.rotatedAt = deps.clock.now();
  }
  return { kind: 'refreshed', rotated, refreshTokenReturned: returned !== undefined, expiresIn: result.tokens.expiresIn };
}

function notRunReuse(refresh: RefreshFacts): ReuseFacts {
  return { kind: 'not-run', why: refresh.kind === 'refreshed' ? 'no-rotation' : refresh.kind === 'failed' ? 'refresh-failed' : 'no-refresh-token' };
}

/**
 * Presents the previous refresh token again, at once and then at the times of {@link REUSE_SCHEDULE_SECONDS}
 * while it is accepted, to measure a grace window. Once it is refused, the newest refresh token tells
 * whether the refusal revoked the whole grant.
 */
async function presentAgain(client: LinkClient, grant: GrantState, deps: GrantProbeDeps): Promise<ReuseFacts> {
  const previous = grant.previousRefresh!;
  deps.say('presenting the previous refresh token again: a provider that detects reuse may revoke the test account\'s grant now');
  let acceptedUpTo: number | undefined;
  for (const seconds of REUSE_SCHEDULE_SECONDS) {
    const wait = grant.rotatedAt + seconds * 1000 - deps.clock.now();
    if (wait > 0) {
      if (acceptedUpTo !== undefined && seconds === REUSE_SCHEDULE_SECONDS[1]) {
        deps.say(`the provider accepted it: measuring how long it does (up to ${REUSE_SCHEDULE_SECONDS.at(-1)} s)`);
      }
      await deps.pause(wait);
    }
    const elapsed = Math.max(0, Math.round((deps.clock.now() - grant.rotatedAt) / 1000));
    const result = await client.refresh(previous);
    if (result.ok) {
      grant.take(result.tokens);
      acceptedUpTo = elapsed;
      continue;
    }
    if (result.failure.kind === 'unavailable') return acceptedUpTo === undefined ? { kind: 'inconclusive', failure: result.failure } : { kind: 'accepted', acceptedUpToSeconds: acceptedUpTo };
    const newest = await checkNewest(client, grant);
    if (acceptedUpTo === undefined) {
      return { kind: 'refused', refusal: result.failure, familyRevoked: newest === 'revoked', ...(typeof newest === 'object' ? { newestUnknown: newest } : {}) };
    }
    return { kind: 'accepted', acceptedUpToSeconds: acceptedUpTo, refusedAtSeconds: elapsed, refusal: result.failure, familyRevokedAfterWindow: newest === 'revoked' ? true : newest === 'alive' ? false : undefined };
  }
  return { kind: 'accepted', acceptedUpToSeconds: acceptedUpTo ?? 0 };
}

/** Whether the newest refresh token still works (it is used, so the grant moves on to its answer). */
async function checkNewest(client: LinkClient, grant: GrantState): Promise<'alive' | 'revoked' | ProviderRefusal> {
  const result = await client.refresh(grant.newestRefresh!);
  if (result.ok) {
    grant.take(result.tokens);
    return 'alive';
  }
  if (result.failure.kind === 'unavailable') return result.failure;
  grant.revoked = true;
  return 'revoked';
}

/** Two refreshes with the newest refresh token at once, as Alexa sends when two of its requests race. */
async function refreshTwiceAtOnce(client: LinkClient, grant: GrantState, refresh: RefreshFacts, reuse: ReuseFacts): Promise<ConcurrentFacts> {
  if (refresh.kind === 'not-run') return { kind: 'not-run', why: 'no-refresh-token' };
  if (refresh.kind === 'failed') return { kind: 'not-run', why: 'refresh-failed' };
  const deadAfterReuse = (reuse.kind === 'refused' && reuse.familyRevoked) || (reuse.kind === 'accepted' && reuse.familyRevokedAfterWindow === true);
  if (grant.revoked || deadAfterReuse) return { kind: 'not-run', why: 'grant-revoked' };
  const presented = grant.newestRefresh!;
  const [first, second] = await Promise.all([client.refresh(presented), client.refresh(presented)]);
  const unavailable = [first, second].find((result) => !result.ok && result.failure.kind === 'unavailable');
  if (unavailable && !unavailable.ok) return { kind: 'inconclusive', failure: unavailable.failure };
  const answered = [first, second].filter((result): result is Extract<TokenCallResult, { ok: true }> => result.ok);
  const refused = [first, second].find((result): result is Extract<TokenCallResult, { ok: false }> => !result.ok);
  for (const result of answered) grant.take(result.tokens);
  if (!refused) {
    const [a, b] = answered.map((result) => result.tokens.refreshToken ?? presented);
    return { kind: 'both-answered', sameRefreshToken: a.sameAs(b) };
  }
  if (answered.length === 0) {
    grant.revoked = true;
    return { kind: 'grant-revoked', refusal: refused.failure };
  }
  const newest = await checkNewest(client, grant);
  if (typeof newest === 'object') return { kind: 'inconclusive', failure: newest };
  return newest === 'revoked' ? { kind: 'grant-revoked', refusal: refused.failure } : { kind: 'one-refused', refusal: refused.failure };
}

/** Revokes the newest refresh token (else the access token), then checks that a revoked refresh token is refused. */
async function revokeLast(client: LinkClient, grant: GrantState): Promise<RevocationFacts> {
  const token = grant.newestRefresh ? 'refresh_token' : 'access_token';
  const result = await client.revoke(grant.newestRefresh ?? grant.newestAccess, token);
  if (result.kind !== 'revoked') return result;
  if (token === 'access_token' || grant.revoked) return { kind: 'revoked', token, alreadyRevoked: grant.revoked };
  const after = await client.refresh(grant.newestRefresh!);
  // An unusable answer proves nothing either way.
  const stillWorks = after.ok ? true : after.failure.kind === 'rejected' ? false : undefined;
  return { kind: 'revoked', token, stillWorks, alreadyRevoked: false };
}
