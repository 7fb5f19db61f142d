/**
 * What the link assessments share: the notes each step leaves for the verdict, and how a refusal, a step
 * with nothing to test and a duration are put in words.
 */
import type { ProviderRefusal } from '../provider-adapter';
import type { Finding, LinkCheckId } from '../report';

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

/** What the steps say the verdict needs, gathered as they are assessed. */
export class VerdictNotes {
  readonly vaultBecause: string[] = [];
  readonly relaySafeBecause: string[] = [];
  readonly scopeAdditions: string[] = [];
  readonly console: string[] = [];
  replayWindow?: { recommended: number; why: string };

  addConsole(line: string): void {
    if (!this.console.includes(line)) this.console.push(line);
  }
}

/** A step that had nothing to test (no refresh token, a grant already revoked), printed after the step that says why. */
export function notRun(check: LinkCheckId, after: LinkCheckId, message: string): Finding {
  return { check, severity: 'skipped', blockedBy: after, message };
}

/** A duration for people: seconds, minutes, hours or days. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds / 86400)} days`;
}

/** A refusal the profile's error map does not read as `invalid_grant`: Alexa would be told `server_error` and keep a dead token. */
export function unmappedRefusal(check: LinkCheckId, failure: ProviderRefusal, what: string): Finding {
  const code = failure.providerError ?? `HTTP ${failure.httpStatus}`;
  return {
    check,
    severity: 'error',
    message: `the provider refused ${what} with ${describeRefusal(failure)}, which the profile's error map does not read as invalid_grant: Alexa would be told server_error and keep a dead refresh token instead of asking the user to link again`,
    setting: 'LINKBRIDGE_CONFIG (upstream.profile.errors.rules)',
    fix: `map the provider's ${code} to invalid_grant: {"code": "${code}", "error": "invalid_grant"} (docs/providers.md, Provider profiles)`,
  };
}

/** A refusal in a few words: the provider's error and status, or why there was no answer. */
export function describeRefusal(failure: ProviderRefusal): string {
  if (failure.kind === 'unavailable') return `${failure.reason ?? 'no answer'}${failure.httpStatus ? `, HTTP ${failure.httpStatus}` : ''}`;
  if (isBareStatus(failure)) return failure.providerError!;
  return `${failure.providerError ?? 'an error'}${failure.httpStatus ? `, HTTP ${failure.httpStatus}` : ''}`;
}

/** A refusal with no error of the provider's in it, only a status (`HTTP 404`): a wrong URL or request, not a verdict on the token. */
export function isBareStatus(failure: ProviderRefusal): boolean {
  return failure.providerError?.startsWith('HTTP ') ?? false;
}
