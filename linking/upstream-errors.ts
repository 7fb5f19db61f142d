import type { Logger } from '../models/logger';
import type { RfcError } from '../models/provider-profile';
import { InvalidGrantError, InvalidScopeError, OAuthError, ServerError, TemporarilyUnavailableError } from './errors';
import { UpstreamRejectedError, UpstreamUnavailableError } from './upstream/upstream-failures';

/** Whether Alexa may retry (transient: 503) or the answer is final (terminal). */
type Verdict = { readonly kind: 'transient' } | { readonly kind: 'terminal'; readonly error: 'invalid_grant' | 'invalid_scope' | 'server_error' };

/**
 * The one place that decides transient versus terminal. Transient: no answer in time, a network
 * failure, an answer over the size limit, HTTP 5xx or 429 (JSON body or not), or an error the profile maps to
 * `temporarily_unavailable`. Terminal `invalid_grant`: only what the profile maps to it (or the
 * provider's own `invalid_grant`), because Alexa unlinks on it. Anything else is linkbridge's or the
 * provider's fault, never the user's: `server_error`.
 */
function judge(error: UpstreamRejectedError | UpstreamUnavailableError): Verdict {
  if (error instanceof UpstreamUnavailableError) {
    // An oversized answer is most likely an error page from something in front of the provider: retry.
    return error.reason === 'unreadable' ? { kind: 'terminal', error: 'server_error' } : { kind: 'transient' };
  }
  const meaning: RfcError | undefined = error.meaning;
  if (meaning === 'temporarily_unavailable') return { kind: 'transient' };
  if (meaning === 'invalid_grant' || meaning === 'invalid_scope') return { kind: 'terminal', error: meaning };
  return { kind: 'terminal', error: 'server_error' };
}

/**
 * Translates an upstream failure into the error Alexa gets, and logs it once: the URL called (no query
 * values), the HTTP status or network cause and the provider's error code, with the flow id the `log`
 * carries, so a typo in a URL does not look like an outage.
 */
export function toOAuthError(error: unknown, log: Logger): OAuthError {
  if (error instanceof OAuthError) return error;
  if (!(error instanceof UpstreamRejectedError) && !(error instanceof UpstreamUnavailableError)) {
    return new ServerError('linkbridge could not complete the token request', error);
  }
  const verdict = judge(error);
  const facts =
    error instanceof UpstreamRejectedError
      ? { upstreamUrl: error.url, upstreamStatus: error.httpStatus, providerError: error.error.slice(0, 64), meaning: error.meaning ?? 'unmapped' }
      : { upstreamUrl: error.url, upstreamStatus: error.httpStatus, cause: error.causeCode ?? error.reason };
  const outcome = verdict.kind === 'transient' ? 'temporarily_unavailable' : verdict.error;
  log.warn({ ...facts, outcome }, 'the call to the provider failed');

  if (verdict.kind === 'transient') return new TemporarilyUnavailableError('the account provider did not answer in time; try again', error);
  if (verdict.error === 'invalid_grant') return new InvalidGrantError('the account provider rejected the grant', error);
  if (verdict.error === 'invalid_scope') return new InvalidScopeError('the account provider rejected the scope', error);
  if (error instanceof UpstreamRejectedError && (error.meaning === 'invalid_client' || error.meaning === 'unauthorized_client')) {
    log.error({ upstreamUrl: error.url }, 'the provider rejected linkbridge\'s client credentials: check UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET');
  }
  return error instanceof UpstreamUnavailableError
    ? new ServerError('the account provider answered with an unreadable token response', error)
    : new ServerError('the account provider refused the token request', error);
}
