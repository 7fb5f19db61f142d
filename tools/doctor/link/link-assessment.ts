/**
 * What the facts of `doctor --link` mean for Alexa's users: one finding per step (an error when linking
 * would not work, or every link would die on a schedule; a warning when links can die for some users or
 * a setting should change) and the verdict: the custody mode, the replay window, the scopes to add and
 * what to change in the provider's console.
 * @see ../../../docs/troubleshooting.md "npm run doctor -- --link"
 */
import { ALEXA_TOKEN_BUDGET_MS, SLOW_PROVIDER_MS } from '../latency.check';
import type { ProviderRefusal } from '../provider-adapter';
import { skipped, type Finding, type LinkCheckId } from '../report';
import { ALEXA_MINIMUM_LIFETIME_SECONDS } from '../token-lifetime.check';
import { QUESTION, type AccountApiFacts } from './account-api.step';
import { REUSE_SCHEDULE_SECONDS, type ConcurrentFacts, type RefreshFacts, type ReuseFacts, type RevocationFacts } from './grant-probe';
import type { ExchangeFacts, LinkFacts, LinkSettings, OpenIdFacts } from './link-facts';

/** Alexa may refuse longer access tokens (Login with Amazon caps its own here). */
export const SAFE_TOKEN_LENGTH = 2048;
/**
 * A grace window at least this long covers a lost refresh answer: Alexa's retry comes within its 4.5 s
 * wait and a few retries, and 30 s is Okta's default leeway. Shorter, a retry can land after it closes.
 * @see ../../../docs/how-linking-works.md "The one case no middleware can recover"
 */
export const SAFE_GRACE_SECONDS = 30;
/** Without refresh tokens, a link that lasts less than a day is one users must make again nearly every time. */
export const SHORTEST_TOLERABLE_LINK_SECONDS = 24 * 3600;
/** The default `TOKEN_REPLAY_WINDOW_SECONDS`: what answers Alexa's retries with an already rotated refresh token. */
export const SAFE_REPLAY_WINDOW_SECONDS = 600;

/** The settings to use, with why. */
export interface LinkVerdict {
  /** True when linking would work as configured: no finding is an error. */
  readonly works: boolean;
  /** Each error, in one line, naming its check. */
  readonly reasons: readonly string[];
  readonly custody: { readonly setting: 'TOKEN_CUSTODY'; readonly configured: 'relay' | 'vault'; readonly recommended: 'relay' | 'vault'; readonly why: string };
  readonly replayWindow: { readonly setting: 'TOKEN_REPLAY_WINDOW_SECONDS'; readonly configured: number; readonly recommended: number; readonly why: string };
  readonly scope: { readonly setting: 'UPSTREAM_SCOPE'; readonly add: readonly string[]; readonly value?: string };
  /** What to change in the provider's settings for linkbridge's client: nothing linkbridge can set. */
  readonly providerConsole: readonly string[];
}

/** What the steps say the verdict needs, gathered as they are assessed. */
class VerdictNotes {
  readonly vaultBecause: string[] = [];
  readonly relaySafeBecause: string[] = [];
  readonly scopeAdditions: string[] = [];
  readonly console: string[] = [];
  replayWindow?: { recommended: number; why: string };

  addConsole(line: string): void {
    if (!this.console.includes(line)) this.console.push(line);
  }
}

/** The findings of the link steps and the verdict, from the facts and the settings the service would use. */
export function assessLink(facts: LinkFacts, settings: LinkSettings, earlierFindings: readonly Finding[] = []): { findings: Finding[]; verdict: LinkVerdict } {
  const notes = new VerdictNotes();
  const findings: Finding[] = [];
  const exchange = facts.exchange;
  if (!exchange) {
    // The sign-in or the exchange failed (its own finding says how): nothing after it could run.
    const steps: LinkCheckId[] = ['link-account-api', 'link-refresh', 'link-reuse', 'link-concurrent', 'link-revocation'];
    const blocker = facts.calls.length === 0 ? 'link-sign-in' : 'link-exchange';
    if (blocker === 'link-sign-in') steps.unshift('link-exchange');
    findings.push(...steps.map((check) => skipped(check, blocker, 'needs the tokens of the code exchange')));
  } else {
    findings.push(...assessExchange(exchange, settings, notes));
    if (facts.accountApi) findings.push(...assessAccountApi(facts.accountApi));
    const offline = facts.openId ? assessOfflineAccess(facts.openId, exchange, settings, notes) : [];
    const offlineExplains = offline.some((finding) => finding.severity === 'error' || finding.severity === 'warning') && !exchange.refreshToken;
    if (facts.grant) {
      findings.push(...assessRefresh(facts.grant.refresh, exchange, settings, notes, offlineExplains));
      findings.push(...assessReuse(facts.grant.reuse, settings, notes));
      findings.push(...assessConcurrent(facts.grant.concurrent));
      findings.push(...offline);
      findings.push(...assessRevocation(facts.grant.revocation, facts.provider, settings, notes));
    } else {
      findings.push(...offline);
    }
  }
  findings.push(...assessLatency(facts, settings));

  const errors = [...earlierFindings, ...findings].filter((finding) => finding.severity === 'error');
  // Nothing learned (the sign-in or a refresh failed): the configured mode stands.
  const recommended = notes.vaultBecause.length > 0 ? 'vault' : notes.relaySafeBecause.length > 0 ? 'relay' : settings.custody;
  const scopeValue = notes.scopeAdditions.length > 0 ? [...new Set([...(exchange?.scopeAsked ?? []), ...notes.scopeAdditions])].join(' ') : undefined;
  return {
    findings,
    verdict: {
      works: errors.length === 0,
      reasons: errors.map((finding) => `${finding.check}: ${finding.message}`),
      custody: {
        setting: 'TOKEN_CUSTODY',
        configured: settings.custody,
        recommended,
        why:
          notes.vaultBecause.length > 0
            ? `vault mode is needed: ${notes.vaultBecause.join('; ')}`
            : notes.relaySafeBecause.length > 0
              ? `relay is safe: ${notes.relaySafeBecause.join('; ')}`
              : 'not known: the run could not test how the provider refreshes',
      },
      replayWindow: {
        setting: 'TOKEN_REPLAY_WINDOW_SECONDS',
        configured: settings.replayWindowSeconds,
        recommended: notes.replayWindow?.recommended ?? settings.replayWindowSeconds,
        why: notes.replayWindow?.why ?? 'not known: the refresh could not be tested',
      },
      scope: { setting: 'UPSTREAM_SCOPE', add: notes.scopeAdditions, ...(scopeValue ? { value: scopeValue } : {}) },
      providerConsole: notes.console,
    },
  };
}

function assessExchange(exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  const lifetime = exchange.expiresIn === undefined ? `no expires_in (Alexa is told DEFAULT_EXPIRES_IN, ${settings.defaultExpiresIn} s)` : `expires_in ${exchange.expiresIn} s`;
  const granted = exchange.scopeGranted === undefined ? 'not stated (RFC 6749 §5.1: then it is the scope asked for)' : exchange.scopeGranted.join(' ') || '(none)';
  const details: Record<string, string | readonly string[]> = {
    'scope asked': exchange.scopeAsked.join(' '),
    'scope granted': granted,
  };
  if (exchange.identityRead.length > 0) details['identity fields the profile reads'] = exchange.identityRead.map((name) => `${name}: ${exchange.identityFound.includes(name) ? 'present' : 'missing'}`);
  const findings: Finding[] = [
    {
      check: 'link-exchange',
      severity: 'ok',
      message: `tokens issued: token type ${exchange.tokenType ?? 'not stated'}, ${lifetime}, ${exchange.refreshToken ? 'a refresh token' : 'no refresh token'}`,
      details,
    },
  ];
  if (exchange.expiresIn !== undefined && exchange.expiresIn < ALEXA_MINIMUM_LIFETIME_SECONDS) findings.push(shortLifetime('link-exchange', exchange.expiresIn, settings, notes));
  if (exchange.tokenType !== undefined && exchange.tokenType.toLowerCase() !== 'bearer') {
    findings.push({
      check: 'link-exchange',
      severity: 'info',
      message: `token_type is ${exchange.tokenType}, not Bearer: linkbridge tells Alexa Bearer, and the skill sends the token as a Bearer token (the account API step shows whether the API takes it)`,
    });
  }
  if (exchange.accessTokenLength > SAFE_TOKEN_LENGTH) {
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the access token has ${exchange.accessTokenLength} characters; Alexa may refuse tokens longer than ${SAFE_TOKEN_LENGTH}`,
      setting: "the token format in the provider's settings for linkbridge's client",
      fix: 'choose opaque (reference) tokens, or fewer claims in a JWT access token',
    });
  }
  const missingScopes = exchange.scopeGranted === undefined ? [] : exchange.scopeAsked.filter((scope) => scope !== 'offline_access' && !exchange.scopeGranted!.includes(scope));
  if (missingScopes.length > 0) {
    notes.addConsole(`allow the scopes ${missingScopes.join(', ')} for linkbridge's client`);
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the provider granted less than asked: ${missingScopes.join(', ')} missing`,
      setting: "the scopes allowed for linkbridge's client at the provider",
      fix: `allow ${missingScopes.join(', ')} for the client, or leave them out of UPSTREAM_SCOPE if the account API does not need them`,
    });
  }
  const identityMissing = exchange.identityRead.filter((name) => !exchange.identityFound.includes(name));
  if (identityMissing.length > 0) {
    findings.push({
      check: 'link-exchange',
      severity: 'warning',
      message: `the profile reads ${identityMissing.join(', ')} from the code answer, which did not carry ${identityMissing.length === 1 ? 'it' : 'them'}`,
      setting: 'LINKBRIDGE_CONFIG (upstream.profile.token.answer.identity)',
      fix: "point the identity paths at where the provider's answer keeps the user's id, or ask for the scope that adds it (openid for the ID token's sub)",
    });
  }
  return findings;
}

/** An access token Alexa would refuse for its lifetime, from the code exchange or a refresh. */
function shortLifetime(check: LinkCheckId, seconds: number, settings: LinkSettings, notes: VerdictNotes): Finding {
  notes.vaultBecause.push(`the provider's access tokens live ${seconds} s, under Alexa's ${ALEXA_MINIMUM_LIFETIME_SECONDS} s, and in vault mode Alexa gets linkbridge's own`);
  if (settings.custody === 'vault') {
    return {
      check,
      severity: 'info',
      message: `the provider's access tokens live ${seconds} s, under Alexa's ${ALEXA_MINIMUM_LIFETIME_SECONDS} s; in vault mode Alexa gets linkbridge's own tokens, and linkbridge refreshes the provider's`,
    };
  }
  notes.addConsole(`raise the access-token lifetime of linkbridge's client to at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s (an hour is common)`);
  return {
    check,
    severity: 'error',
    message: `the provider's access tokens live ${seconds} s; Alexa needs at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s`,
    setting: "the access-token lifetime in the provider's settings for linkbridge's client, or TOKEN_CUSTODY",
    fix: `raise it to ${ALEXA_MINIMUM_LIFETIME_SECONDS} s or more, or set TOKEN_CUSTODY=vault (Alexa then gets tokens of linkbridge's, which refreshes the provider's itself)`,
  };
}

function assessAccountApi(api: AccountApiFacts): Finding[] {
  const said: Record<string, string> = api.speech === undefined ? {} : { [`Alexa says to "${QUESTION}"`]: api.speech };
  const where = api.url ?? 'the account API';
  const took = api.durationMs === undefined ? '' : ` in ${api.durationMs} ms`;
  switch (api.outcome) {
    case 'profile': {
      const findings: Finding[] = [
        {
          check: 'link-account-api',
          severity: 'ok',
          message: `${where} answered HTTP ${api.httpStatus ?? 200}${took}; the skill read ${api.fieldsFound.length > 0 ? api.fieldsFound.join(', ') : 'no field it can speak'}`,
          details: { ...said, ...(api.fieldsMissing.length > 0 ? { 'fields the skill can speak that the profile lacks': api.fieldsMissing.join(', ') } : {}) },
        },
      ];
      if (!api.fieldsFound.includes('name') && !api.fieldsFound.includes('email')) {
        findings.push({
          check: 'link-account-api',
          severity: 'warning',
          message: 'the profile has neither a name nor an email: the skill can answer "what\'s my name" and "what\'s my email" only with "your account does not list one"',
          setting: 'UPSTREAM_SCOPE (or ACCOUNT_API_URL, or the field map in LINKBRIDGE_CONFIG)',
          fix: 'ask for the scopes that give the name and email (openid profile email for an OpenID provider), or map the API\'s own fields (skill.fieldMap)',
        });
      }
      return findings;
    }
    case 'unauthorized':
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: `${where} refused the new access token (HTTP ${api.httpStatus})${took}: the skill would tell every linked user that the link expired`,
          setting: 'ACCOUNT_API_URL or UPSTREAM_SCOPE',
          fix: "check that ACCOUNT_API_URL is this provider's API for the linked user, and that UPSTREAM_SCOPE asks for what it needs",
          details: said,
        },
      ];
    case 'not_configured':
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: 'there is no account API: ACCOUNT_API_URL is not set and the provider names no userinfo endpoint; the skill would say it is not set up',
          setting: 'ACCOUNT_API_URL',
          fix: "set it to the API that answers with the user's profile for the linked token",
          details: said,
        },
      ];
    default:
      return [
        {
          check: 'link-account-api',
          severity: 'error',
          message: `${where} gave no profile for the new access token (${api.httpStatus === undefined ? api.reason ?? 'no answer' : `HTTP ${api.httpStatus}${api.reason ? `, ${api.reason}` : ''}`})${took}: the skill would apologize for every question`,
          setting: 'ACCOUNT_API_URL',
          fix: "check that it is the API that answers with the user's profile as JSON, and that it is up",
          details: said,
        },
      ];
  }
}

/** A step that had nothing to test (no refresh token, a grant already revoked), printed after the step that says why. */
function notRun(check: LinkCheckId, after: LinkCheckId, message: string): Finding {
  return { check, severity: 'skipped', blockedBy: after, message };
}

/** A duration for people: seconds, minutes, hours or days. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds / 86400)} days`;
}

function assessRefresh(refresh: RefreshFacts, exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes, offlineExplains: boolean): Finding[] {
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

/** A refusal the profile's error map does not read as `invalid_grant`: Alexa would be told `server_error` and keep a dead token. */
function unmappedRefusal(check: LinkCheckId, failure: ProviderRefusal, what: string): Finding {
  const code = failure.providerError ?? `HTTP ${failure.httpStatus}`;
  return {
    check,
    severity: 'error',
    message: `the provider refused ${what} with ${describeRefusal(failure)}, which the profile's error map does not read as invalid_grant: Alexa would be told server_error and keep a dead refresh token instead of asking the user to link again`,
    setting: 'LINKBRIDGE_CONFIG (upstream.profile.errors.rules)',
    fix: `map the provider's ${code} to invalid_grant: {"code": "${code}", "error": "invalid_grant"} (docs/providers.md, Provider profiles)`,
  };
}

function describeRefusal(failure: ProviderRefusal): string {
  if (failure.kind === 'unavailable') return `${failure.reason ?? 'no answer'}${failure.httpStatus ? `, HTTP ${failure.httpStatus}` : ''}`;
  if (isBareStatus(failure)) return failure.providerError!;
  return `${failure.providerError ?? 'an error'}${failure.httpStatus ? `, HTTP ${failure.httpStatus}` : ''}`;
}

/** A refusal with no error of the provider's in it, only a status (`HTTP 404`): a wrong URL or request, not a verdict on the token. */
function isBareStatus(failure: ProviderRefusal): boolean {
  return failure.providerError?.startsWith('HTTP ') ?? false;
}

function assessReuse(reuse: ReuseFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
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

function assessConcurrent(concurrent: ConcurrentFacts): Finding[] {
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

function assessOfflineAccess(openId: OpenIdFacts, exchange: ExchangeFacts, settings: LinkSettings, notes: VerdictNotes): Finding[] {
  const details = {
    'discovery document': openId.documentUrl,
    'scopes_supported lists offline_access': openId.offlineAccessOffered ? 'yes' : 'no',
    grant_types_supported: openId.grantTypesSupported ? openId.grantTypesSupported.join(', ') : 'not listed (RFC 8414: then no refresh grant is promised)',
  };
  const addScope = () => {
    if (!notes.scopeAdditions.includes('offline_access')) notes.scopeAdditions.push('offline_access');
  };
  const scopeFix = `add offline_access to UPSTREAM_SCOPE (${[...new Set([...(settings.scopeSetting ? settings.scopeSetting.split(/\s+/) : exchange.scopeAsked), 'offline_access'])].join(' ')}), then run npm run skill:package and ask smapi update-account-linking-info so Alexa asks for it too`;
  if (!openId.offlineAccessAsked && openId.offlineAccessOffered) {
    addScope();
    if (!openId.refreshTokenIssued) {
      const lasts = exchange.expiresIn === undefined ? 'as long as the first access token' : duration(exchange.expiresIn);
      const severe = exchange.expiresIn === undefined ? 'warning' : exchange.expiresIn < SHORTEST_TOLERABLE_LINK_SECONDS ? 'error' : 'warning';
      return [
        {
          check: 'link-offline-access',
          severity: severe,
          message: `offline_access was not asked for, and the provider issued no refresh token without it: every link ends after ${lasts}`,
          setting: 'UPSTREAM_SCOPE',
          fix: scopeFix,
          details,
        },
      ];
    }
    return [
      {
        check: 'link-offline-access',
        severity: 'warning',
        message: 'offline_access was not asked for: the refresh token the provider issued may end with the sign-in session, and users are unlinked after some days',
        setting: 'UPSTREAM_SCOPE',
        fix: scopeFix,
        details,
      },
    ];
  }
  if (openId.offlineAccessAsked && !openId.refreshTokenIssued) {
    notes.addConsole("allow offline_access and the refresh token grant for linkbridge's client (some providers grant offline_access only with prompt=consent: upstream.profile.authorization.parameters in LINKBRIDGE_CONFIG)");
    return [
      {
        check: 'link-offline-access',
        severity: 'error',
        message: 'offline_access was asked for, but the provider issued no refresh token: every link ends with the first access token',
        setting: "offline_access and the refresh token grant in the provider's settings for linkbridge's client",
        fix: 'allow both for the client; some providers also need prompt=consent in the authorization request (upstream.profile.authorization.parameters)',
        details,
      },
    ];
  }
  if (openId.offlineAccessAsked && openId.offlineAccessGranted === false) {
    notes.addConsole("allow offline_access for linkbridge's client");
    return [
      {
        check: 'link-offline-access',
        severity: 'warning',
        message: 'offline_access was asked for but not granted: the refresh token may end with the sign-in session',
        setting: "offline_access in the provider's settings for linkbridge's client",
        fix: 'allow offline_access for the client',
        details,
      },
    ];
  }
  const asked = openId.offlineAccessAsked ? 'asked for and granted' : 'not asked for (the provider does not offer it)';
  return [{ check: 'link-offline-access', severity: 'ok', message: `offline_access ${asked}; ${openId.refreshTokenIssued ? 'a refresh token was issued' : 'no refresh token was issued'}`, details }];
}

function assessRevocation(revocation: RevocationFacts, provider: string, settings: LinkSettings, notes: VerdictNotes): Finding[] {
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

function assessLatency(facts: LinkFacts, settings: LinkSettings): Finding[] {
  if (facts.calls.length === 0) return [skipped('link-latency', 'link-sign-in', 'needs a provider call')];
  const durations = facts.calls.map((call) => call.durationMs).sort((a, b) => a - b);
  const p50 = durations[Math.ceil(durations.length / 2) - 1];
  const worstCall = facts.calls.reduce((slowest, call) => (call.durationMs > slowest.durationMs ? call : slowest));
  const worst = worstCall.durationMs;
  const details = { calls: facts.calls.map((call) => `${call.call}: ${call.durationMs} ms${call.status === undefined ? '' : ` (HTTP ${call.status})`}`) };
  const summary = `${facts.calls.length} provider call${facts.calls.length === 1 ? '' : 's'}: p50 ${p50} ms, worst ${worst} ms (${worstCall.call})`;
  const slowProvider = 'the provider (or the network between it and linkbridge)';
  if (worst >= ALEXA_TOKEN_BUDGET_MS) {
    return [
      {
        check: 'link-latency',
        severity: 'error',
        message: `${summary}; Alexa gives up on linkbridge's token answer after ${ALEXA_TOKEN_BUDGET_MS} ms and reports that linking failed`,
        setting: slowProvider,
        fix: "run linkbridge in the provider's region, or ask the provider why its token endpoint is slow",
        details,
      },
    ];
  }
  if (worst > settings.upstreamTimeoutMs) {
    return [
      {
        check: 'link-latency',
        severity: 'error',
        message: `${summary}, longer than UPSTREAM_TIMEOUT_MS (${settings.upstreamTimeoutMs} ms): Alexa would be told 503 while the call goes on`,
        setting: 'UPSTREAM_TIMEOUT_MS',
        fix: `raise UPSTREAM_TIMEOUT_MS above ${worst} (4000 at most), or make the provider answer sooner`,
        details,
      },
    ];
  }
  if (p50 > SLOW_PROVIDER_MS) {
    return [
      {
        check: 'link-latency',
        severity: 'warning',
        message: `${summary}: little is left of Alexa's ${ALEXA_TOKEN_BUDGET_MS} ms for the rest of the round trip`,
        setting: slowProvider,
        fix: 'run linkbridge close to the provider',
        details,
      },
    ];
  }
  return [{ check: 'link-latency', severity: 'ok', message: `${summary} (Alexa waits ${ALEXA_TOKEN_BUDGET_MS} ms)`, details }];
}
