/**
 * What the grant tests tell: refresh, reuse after a rotation, two refreshes at once, revocation; the
 * findings of those steps, and what they leave for the verdict (custody, the replay window, the console).
 */
import type { ProviderRefusal } from '../provider-adapter';
import { skipped, type Finding } from '../report';
import { ALEXA_MINIMUM_LIFETIME_SECONDS } from '../token-lifetime.check';
import { REUSE_SCHEDULE_SECONDS, type ConcurrentFacts, type RefreshFacts, type ReuseFacts, type RevocationFacts } from './grant-probe';
import type { ExchangeFacts, LinkSettings } from './link-facts';
import { shortLifetime } from './token-assessment';
import { describeRefusal, duration, isBareStatus, notRun, SAFE_GRACE_SECONDS, SAFE_REPLAY_WINDOW_SECONDS, SHORTEST_TOLERABLE_LINK_SECONDS, unmappedRefusal, type VerdictNotes } from './verdict-notes';

/** The first refresh: whether it works and rotates, and what a link without refresh tokens (or in implicit mode) lasts. @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
export function assessRefresh(refresh: RefreshFacts, exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes, offlineExplains: boolean): Finding[] {
  const implicit = settings.linkMode === 'implicit' && settings.custody === 'relay' && exchange.expiresIn !== undefined ? [implicitLinkEnds(exchange.expiresIn, notes)] : [];
  return [...implicit, ...refreshFindings(refresh, exchange, settings, notes, offlineExplains)];
}

/** Implicit mode hands Alexa the access token alone: in relay mode the link ends when it expires. */
function implicitLinkEnds(expiresIn: number, notes: VerdictNotes): Finding {
  notes.vaultBecause.push(`implicit mode (LINK_MODE=implicit) gives Alexa no refresh token, so a relayed link ends after ${duration(expiresIn)}`);
  return {
    check: 'link-refresh',
    severity: expiresIn < SHORTEST_TOLERABLE_LINK_SECONDS ? 'error' : 'warning',
    message: `LINK_MODE is implicit: Alexa gets no refresh token, so every user must link again ${duration(expiresIn)} after linking`,
    setting: 'LINK_MODE or TOKEN_CUSTODY',
    fix: 'set LINK_MODE=code, or TOKEN_CUSTODY=vault (linkbridge then refreshes the provider\'s tokens itself)',
  };
}

function refreshFindings(refresh: RefreshFacts, exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes, offlineExplains: boolean): Finding[] {
  switch (refresh.kind) {
    case 'not-run':
      notes.relaySafeBecause.push('the provider issues no refresh token, so nothing rotates (and vault mode could not refresh without one either)');
      if (refresh.why === 'no-refresh-request') {
        notes.replayWindow = { recommended: settings.replayWindowSeconds, why: 'not used: the profile has no refresh request, so nothing is refreshed or replayed' };
        return [{ check: 'link-refresh', severity: 'info', message: 'the profile has no refresh request (the provider issues no refresh tokens): Alexa gets none' }];
      }
      notes.replayWindow = { recommended: settings.replayWindowSeconds, why: 'not used: the provider issued no refresh token, so nothing is refreshed or replayed' };
      if (offlineExplains) return [notRun('link-refresh', 'link-offline-access', 'not run: the provider issued no refresh token; the offline access check says why')];
      return [withoutRefreshToken(exchange, notes)];
    case 'failed':
      notes.replayWindow = { recommended: settings.replayWindowSeconds, why: 'not known: the refresh failed' };
      return [refreshFailed(refresh.failure)];
    case 'refreshed': {
      const kept = !refresh.refreshTokenReturned ? 'is not returned (Alexa keeps the one it has)' : refresh.rotated ? 'rotates (a new one on every refresh)' : 'stays the same';
      const lifetime = refresh.expiresIn === undefined ? 'no expires_in' : `expires_in ${refresh.expiresIn} s`;
      const findings: Finding[] = [{ check: 'link-refresh', severity: 'ok', message: `works; the refresh token ${kept}; the new access token: ${lifetime}` }];
      if (refresh.expiresIn !== undefined && refresh.expiresIn < ALEXA_MINIMUM_LIFETIME_SECONDS && (exchange.expiresIn === undefined || exchange.expiresIn >= ALEXA_MINIMUM_LIFETIME_SECONDS)) {
        findings.push(shortLifetime('link-refresh', refresh.expiresIn, settings, notes));
      }
      if (!refresh.rotated) {
        notes.relaySafeBecause.push('the provider keeps the refresh token, so presenting it again is safe');
        notes.replayWindow = { recommended: settings.replayWindowSeconds, why: 'nothing is replayed: the provider keeps the refresh token, so any value does' };
      }
      return findings;
    }
  }
}

/** No refresh token: the link lasts as long as the first access token. */
function withoutRefreshToken(exchange: ExchangeFacts, notes: VerdictNotes): Finding {
  const fix = "allow the refresh token grant for linkbridge's client at the provider (some issue refresh tokens only with a scope: offline_access, X's offline.access)";
  if (exchange.expiresIn === undefined) {
    return {
      check: 'link-refresh',
      severity: 'info',
      message: "no refresh token, and the access token states no lifetime: the link lasts as long as the provider honours the token (GitHub's OAuth-app tokens do not expire); if it does expire, the skill tells the user to link again",
    };
  }
  notes.addConsole("allow the refresh token grant for linkbridge's client (some providers issue refresh tokens only with a scope such as offline_access)");
  const ends = `every user must link again ${duration(exchange.expiresIn)} after linking, when the access token expires: the provider issued no refresh token`;
  return exchange.expiresIn < SHORTEST_TOLERABLE_LINK_SECONDS
    ? { check: 'link-refresh', severity: 'error', message: ends, setting: "the refresh token grant in the provider's settings for linkbridge's client", fix }
    : { check: 'link-refresh', severity: 'warning', message: ends, setting: "the refresh token grant in the provider's settings for linkbridge's client", fix };
}

function refreshFailed(failure: ProviderRefusal): Finding {
  if (failure.kind === 'unavailable') {
    return {
      check: 'link-refresh',
      severity: 'warning',
      message: `the refresh got no usable answer (${describeRefusal(failure)}): nothing is known of how the provider refreshes`,
      setting: failure.check,
      fix: 'run doctor --link again when the provider answers',
    };
  }
  if (!failure.providerError || isBareStatus(failure)) {
    return {
      check: 'link-refresh',
      severity: 'error',
      message: `the refresh was answered ${describeRefusal(failure)}, with no error of the provider's: Alexa's first refresh would fail`,
      setting: failure.check,
      fix: "check the refresh endpoint and the refresh request in the profile (method, parameters): docs/providers.md",
    };
  }
  if (failure.alexaGets !== 'invalid_grant') return unmappedRefusal('link-refresh', failure, 'the refresh token it had just issued');
  return {
    check: 'link-refresh',
    severity: 'error',
    message: `the provider refused the refresh token it had just issued (${describeRefusal(failure)}): Alexa's first refresh would unlink every user`,
    setting: "the refresh token grant in the provider's settings for linkbridge's client (or UPSTREAM_REFRESH_URL)",
    fix: "allow the refresh token grant for linkbridge's client, and check that refreshes go to the provider's refresh endpoint",
  };
}

/**
 * A rotated refresh token presented again: what it means for Alexa's retries in relay mode, the custody
 * mode and the replay window.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function assessReuse(reuse: ReuseFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  const relay = settings.custody === 'relay';
  const keepWindow = (why: string) => {
    const recommended = Math.max(settings.replayWindowSeconds, SAFE_REPLAY_WINDOW_SECONDS);
    notes.replayWindow = { recommended, why };
    return recommended > settings.replayWindowSeconds
      ? [
          {
            check: 'link-reuse' as const,
            severity: 'warning' as const,
            message: `TOKEN_REPLAY_WINDOW_SECONDS is ${settings.replayWindowSeconds}: Alexa's retries that come later than that reach the provider with a refresh token it already rotated`,
            setting: 'TOKEN_REPLAY_WINDOW_SECONDS',
            fix: `set it to ${recommended} or more`,
          },
        ]
      : [];
  };
  switch (reuse.kind) {
    case 'not-run':
      if (reuse.why === 'no-rotation') return [{ check: 'link-reuse', severity: 'ok', message: 'not needed: the provider does not rotate refresh tokens, so every refresh presents the same one again' }];
      if (reuse.why === 'refresh-failed') return [skipped('link-reuse', 'link-refresh', 'needs a refresh that works')];
      return [notRun('link-reuse', 'link-refresh', 'not run: there is no refresh token to present again')];
    case 'inconclusive':
      return [
        {
          check: 'link-reuse',
          severity: 'warning',
          message: `presenting the previous refresh token again got no usable answer (${describeRefusal(reuse.failure)}): whether the provider detects reuse is not known`,
          setting: reuse.failure.check,
          fix: 'run doctor --link again when the provider answers',
        },
      ];
    case 'accepted': {
      const findings: Finding[] = [];
      const upTo = reuse.acceptedUpToSeconds;
      const last = REUSE_SCHEDULE_SECONDS[REUSE_SCHEDULE_SECONDS.length - 1];
      const window =
        reuse.refusedAtSeconds === undefined
          ? `accepted for at least ${upTo} s after the rotation (still accepted at ${last} s): the provider keeps rotated refresh tokens valid`
          : `accepted for a grace window of ${upTo} s to ${reuse.refusedAtSeconds} s after the rotation, then refused${reuse.familyRevokedAfterWindow ? ', and that late reuse revoked the whole grant (family revocation)' : ''}`;
      if (reuse.refusal && reuse.refusal.alexaGets !== 'invalid_grant' && reuse.refusal.alexaGets !== 'retry') findings.push(unmappedRefusal('link-reuse', reuse.refusal, 'a reused refresh token'));
      if (reuse.refusedAtSeconds === undefined || upTo >= SAFE_GRACE_SECONDS) {
        notes.relaySafeBecause.push(`a rotated refresh token stays valid for ${reuse.refusedAtSeconds === undefined ? `at least ${upTo} s` : `a grace window of at least ${upTo} s`}, which covers Alexa's retry of a lost answer`);
        findings.unshift({ check: 'link-reuse', severity: 'ok', message: window });
        findings.push(...keepWindow(`answers Alexa's retries that come after the provider's grace window; keep at least ${SAFE_REPLAY_WINDOW_SECONDS} s`));
        return findings;
      }
      notes.vaultBecause.push(`the provider's grace window for a rotated refresh token is under ${SAFE_GRACE_SECONDS} s (${upTo} s to ${reuse.refusedAtSeconds} s)`);
      if (relay) {
        notes.addConsole(`lengthen the grace period for rotated refresh tokens to ${SAFE_GRACE_SECONDS} s or more (Okta: leeway; Auth0: reuse interval; Ory Hydra: refresh_token_rotation.grace_period)`);
      }
      findings.unshift({
        check: 'link-reuse',
        severity: relay ? 'warning' : 'ok',
        message: `${window}: ${relay ? `shorter than ${SAFE_GRACE_SECONDS} s, so a retry of a lost refresh answer can come after it closes and unlink the user` : 'vault mode keeps Alexa\'s refreshes away from the provider'}`,
        ...(relay ? { setting: 'TOKEN_CUSTODY', fix: `set TOKEN_CUSTODY=vault, or lengthen the grace period at the provider to ${SAFE_GRACE_SECONDS} s or more` } : {}),
      });
      findings.push(...keepWindow(`in relay mode it is what answers Alexa's retries with a refresh token the provider already rotated; keep at least ${SAFE_REPLAY_WINDOW_SECONDS} s`));
      return findings;
    }
    case 'refused': {
      const findings: Finding[] = [];
      if (reuse.refusal.alexaGets !== 'invalid_grant' && reuse.refusal.alexaGets !== 'retry') findings.push(unmappedRefusal('link-reuse', reuse.refusal, 'a reused refresh token'));
      const what = reuse.familyRevoked
        ? `refused (${describeRefusal(reuse.refusal)}), and the newest refresh token was revoked with it: rotation with reuse detection and family revocation`
        : reuse.newestUnknown
          ? `refused (${describeRefusal(reuse.refusal)}); whether the newest refresh token survived is not known (${describeRefusal(reuse.newestUnknown)})`
          : `refused (${describeRefusal(reuse.refusal)}); the newest refresh token still works: rotation with reuse detection`;
      notes.vaultBecause.push(
        reuse.familyRevoked
          ? 'the provider rotates refresh tokens and revokes the whole grant when a rotated one is presented again'
          : 'the provider rotates refresh tokens and refuses a rotated one presented again',
      );
      if (relay) {
        notes.addConsole('allow a grace period for rotated refresh tokens (Okta: leeway; Auth0: reuse interval; Ory Hydra: refresh_token_rotation.grace_period), or turn rotation off for linkbridge\'s client');
        findings.unshift({
          check: 'link-reuse',
          severity: 'warning',
          message: `${what}. In relay mode linkbridge replays its answer to Alexa's retries for TOKEN_REPLAY_WINDOW_SECONDS, but an answer lost after the provider rotated (a crash or deploy between the provider's answer and the store) ${reuse.familyRevoked ? 'unlinks the user: the retry revokes the grant' : 'unlinks the user: the retry is refused'}`,
          setting: 'TOKEN_CUSTODY',
          fix: `set TOKEN_CUSTODY=vault (linkbridge keeps the provider's grant and Alexa never presents the provider's refresh token), or allow a grace period of ${SAFE_GRACE_SECONDS} s or more for rotated refresh tokens at the provider`,
        });
        findings.push(...keepWindow(`until TOKEN_CUSTODY=vault, it is what answers Alexa's retries with a refresh token the provider already rotated; keep at least ${SAFE_REPLAY_WINDOW_SECONDS} s`));
        return findings;
      }
      notes.replayWindow = { recommended: settings.replayWindowSeconds, why: "vault mode: Alexa's refreshes never reach the provider" };
      findings.unshift({ check: 'link-reuse', severity: 'ok', message: `${what}; in vault mode Alexa never presents the provider's refresh token` });
      return findings;
    }
  }
}

/** Two refreshes at once: what the provider does, and why linkbridge's one call per presented token covers it. */
export function assessConcurrent(concurrent: ConcurrentFacts): Finding[] {
  const serialized = "linkbridge makes one provider call per presented refresh token across every instance that shares STORE_URL, so Alexa's concurrent refreshes never reach the provider twice";
  switch (concurrent.kind) {
    case 'not-run':
      if (concurrent.why === 'grant-revoked') {
        return [notRun('link-concurrent', 'link-reuse', 'not run: the reuse test above revoked the grant; with this provider two refreshes at once are a reuse, and the second one revokes the grant')];
      }
      if (concurrent.why === 'refresh-failed') return [skipped('link-concurrent', 'link-refresh', 'needs a refresh that works')];
      return [notRun('link-concurrent', 'link-refresh', 'not run: there is no refresh token')];
    case 'both-answered':
      return [{ check: 'link-concurrent', severity: 'ok', message: `both answered, ${concurrent.sameRefreshToken ? 'with the same refresh token' : 'each with a refresh token of its own'}` }];
    case 'one-refused':
      return [{ check: 'link-concurrent', severity: 'info', message: `one answered, the other was refused (${describeRefusal(concurrent.refusal)}); the grant survived. ${serialized}` }];
    case 'grant-revoked':
      return [{ check: 'link-concurrent', severity: 'info', message: `the provider revoked the grant (${describeRefusal(concurrent.refusal)}). ${serialized}: every instance must use the same STORE_URL` }];
    case 'inconclusive':
      return [
        {
          check: 'link-concurrent',
          severity: 'warning',
          message: `two refreshes at once got no usable answer (${describeRefusal(concurrent.failure)})`,
          setting: concurrent.failure.check,
          fix: 'run doctor --link again when the provider answers',
        },
      ];
  }
}

/** The last step: whether the provider revoked the grant. @see https://www.rfc-editor.org/rfc/rfc7009#section-2 */
export function assessRevocation(revocation: RevocationFacts, provider: string, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  switch (revocation.kind) {
    case 'no-endpoint':
      notes.addConsole("revoke the test account's grant there (or in the account's list of connected apps): the provider has no revocation endpoint linkbridge can call");
      return [
        {
          check: 'link-revocation',
          severity: 'info',
          message: `the ${provider} provider names no revocation endpoint (RFC 7009; revocation_endpoint in discovery, or the preset): the test account's grant stays valid until it expires${settings.custody === 'vault' ? ", and a user who disables the skill keeps a valid grant at the provider" : ''}`,
          setting: 'upstream.profile.revocationUrl in LINKBRIDGE_CONFIG, if the provider has one',
          fix: "revoke the test grant in the provider's console or the account's connected apps",
        },
      ];
    case 'revoked':
      if (revocation.stillWorks === true) {
        return [
          {
            check: 'link-revocation',
            severity: 'warning',
            message: 'the provider answered the revocation with 200, yet the revoked refresh token still works',
            setting: "the provider's revocation endpoint (upstream.profile.revocationUrl)",
            fix: "check that it is the provider's RFC 7009 endpoint; revoke the test grant in the provider's console",
          },
        ];
      }
      return [
        {
          check: 'link-revocation',
          severity: 'ok',
          message: `revoked the test account's ${revocation.token === 'refresh_token' ? 'refresh token' : 'access token'}${
            revocation.stillWorks === false ? ', which is refused afterwards' : revocation.alreadyRevoked ? ' (the grant was revoked already: the provider answers 200 for any token, as RFC 7009 says)' : ''
          }`,
        },
      ];
    case 'failed':
      return [
        {
          check: 'link-revocation',
          severity: 'warning',
          message: `the provider did not revoke the grant (${describeRefusal(revocation.failure)}): the test account's grant stays valid until it expires`,
          setting: revocation.failure.check,
          fix: "check the revocation endpoint and the client's credentials; revoke the test grant in the provider's console",
        },
      ];
  }
}
