import { describeCause } from '../../models/logger';
import { oauthOutcome } from '../../models/metrics';
import { credentialDigest } from '../credential-digest';
import type { LinkingDeps } from '../linking-deps';
import { requireParam } from '../params';
import { toAlexaTokenResponse, type AlexaTokenResponse } from '../token-response';
import type { GrantHandler } from './grant';
import { AnswerBudget } from './answer-budget';
import { grantRefusal } from './grant-refusal';
import { ProviderCallOnce, type CallOutcome } from './provider-call-once';

/**
 * RFC 6749 §6, made idempotent for Alexa. Providers that rotate refresh tokens treat a second use of
 * the old one as a replay and revoke the grant, and Alexa presents the same token again whenever an
 * answer is lost (timeout, crash, deploy) or when it refreshes twice at once. So, per presented token:
 *
 * 1. the provider's answer, once written, is replayed to every request with that token for
 *    `TOKEN_REPLAY_WINDOW_SECONDS`, its `expires_in` counted down (only a rotated pair is kept: when the
 *    provider keeps the refresh token, presenting it again is safe);
 * 2. otherwise one instance at a time calls the provider (a store lock that expires);
 * 3. the answer is written, sealed, to the store before anyone is answered;
 * 4. Alexa gets `503 temporarily_unavailable` when the budget (`UPSTREAM_TIMEOUT_MS`) ends first; the
 *    call goes on and its answer waits for Alexa's retry.
 *
 * Alexa keeps its refresh token when the provider sends none.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh token rotation)
 */
export function refreshTokenGrant(deps: LinkingDeps): GrantHandler {
  const { store, clock, logger, config } = deps;
  const once = new ProviderCallOnce({ store, clock, logger, lockTtlMs: config.tokenReplay.lockTtlMs });
  const windowMs = config.tokenReplay.windowSeconds * 1000;
  // The call may outlive Alexa's wait (it goes on in the background), up to the lock's expiry.
  const providerCall = { timeoutMs: config.tokenReplay.providerDeadlineMs };

  return async ({ params, log }) => {
    const refreshToken = requireParam(params, 'refresh_token');
    const digest = credentialDigest(refreshToken);
    const answerKey = refreshAnswerKey(digest);
    const budget = new AnswerBudget(clock, config.upstream.timeoutMs);
    let answer: AlexaTokenResponse | undefined;
    /** Whether this request's own provider call gave the answer; otherwise it was replayed to it. */
    let calledProvider = false;

    const answered = async (): Promise<boolean> => {
      answer = parseAnswer(await store.get(answerKey), clock.now()) ?? answer;
      return answer !== undefined;
    };
    const callProvider = async (): Promise<CallOutcome> => {
      const tokens = await deps.upstream.refresh(refreshToken, providerCall);
      const response = toAlexaTokenResponse(tokens, { defaultExpiresIn: config.defaultExpiresIn, presentedRefreshToken: refreshToken, log: logger });
      answer = response;
      calledProvider = true;
      if (response.refresh_token === refreshToken) {
        // The provider kept the refresh token: presenting it again is safe, so there is nothing to replay.
        logger.info({ rotated: false }, 'tokens refreshed');
        return undefined;
      }
      const kept: KeptAnswer = { response, issuedAt: clock.now() };
      try {
        // Written before anyone is answered: a crash from here on loses nothing.
        await store.put(answerKey, JSON.stringify(kept), clock.now() + windowMs);
      } catch (error) {
        // The tokens are good: the request that is still waiting gets them rather than an error.
        logger.error({ cause: describeCause(error) }, 'the store refused the refreshed tokens; only the waiting request gets them');
        return undefined;
      }
      logger.info({ rotated: true }, 'tokens refreshed; the answer is kept for retries with the same refresh token');
      return 'answer-stored';
    };

    /** The error Alexa gets, counted by its code. */
    const refused = (failure: unknown) => {
      const refusal = grantRefusal(failure, log);
      deps.metrics.refresh(oauthOutcome(refusal.error));
      return refusal;
    };

    try {
      await once.ensure(`refresh:${digest}`, budget, answered, callProvider);
    } catch (error) {
      throw refused(error);
    }
    if (!answer) throw refused(new Error('the refresh ended without an answer'));
    deps.metrics.refresh(calledProvider ? 'ok' : 'replayed');
    return answer;
  };
}

/** Where the provider's answer to one presented refresh token is kept (vault custody reads it when taking over). */
export function refreshAnswerKey(digest: string): string {
  return `refresh-answer:${digest}`;
}

/** A rotated pair as it was first handed out, and when, so a replay states its remaining lifetime. */
export interface KeptAnswer {
  readonly response: AlexaTokenResponse;
  readonly issuedAt: number;
}

/** The kept answer for a replay, with `expires_in` counted down from when the provider issued it. */
export function parseAnswer(stored: string | undefined, now: number): AlexaTokenResponse | undefined {
  if (stored === undefined) return undefined;
  try {
    const { response, issuedAt } = JSON.parse(stored) as KeptAnswer;
    if (typeof response?.access_token !== 'string' || typeof issuedAt !== 'number') return undefined;
    const elapsedSeconds = Math.max(0, Math.floor((now - issuedAt) / 1000));
    return { ...response, expires_in: Math.max(1, response.expires_in - elapsedSeconds) };
  } catch {
    return undefined;
  }
}
