import type { Logger } from '../models/logger';
import type { RfcError } from '../models/provider-profile';
import { InvalidGrantError, InvalidScopeError, OAuthError, ServerError, TemporarilyUnavailableError } from './errors';
import { TOKEN_URL_SETTING, UpstreamRejectedError, UpstreamUnavailableError } from './upstream/upstream-failures';

/** Whether Alexa may retry (transient: 503) or the answer is final (terminal). */
type Verdict = { readonly kind: 'transient' } | { readonly kind: 'terminal'; readonly error: 'invalid_grant' | 'invalid_scope' | 'server_error' };

const CREDENTIALS_SETTING = 'UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET';

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

/** Which setting to check for a failed call, in words a developer can act on. */
function whatToCheck(error: UpstreamRejectedError | UpstreamUnavailableError): string {
  // The setting that decides the URL called: a refresh at an endpoint of its own names UPSTREAM_REFRESH_URL.
  const urlSetting = error.urlSetting ?? TOKEN_URL_SETTING;
  if (error instanceof UpstreamUnavailableError) {
    switch (error.reason) {
      case 'timeout':
        return `the provider's status, or UPSTREAM_TIMEOUT_MS; a host that never answers can also be a wrong ${urlSetting}`;
      case 'network':
        return error.causeCode === 'ENOTFOUND' || error.causeCode === 'EAI_AGAIN'
          ? `the host name in ${urlSetting}: it does not resolve`
          : error.causeCode === 'ECONNREFUSED'
            ? `the port in ${urlSetting}: nothing accepts connections there`
            : `the scheme, host and port in ${urlSetting}`;
      case 'server':
        return "the provider's status page; linkbridge told Alexa to try again";
      default:
        return `UPSTREAM_PRESET or LINKBRIDGE_CONFIG (upstream.profile.token.answer): the answer is not where the profile reads it; or ${urlSetting} is not a token endpoint`;
    }
  }
  if (error.httpStatus === 404 || error.httpStatus === 405) return `the path in ${urlSetting}: there is no token endpoint there`;
  if (error.meaning === 'invalid_client' || error.meaning === 'unauthorized_client' || error.httpStatus === 401) return CREDENTIALS_SETTING;
  if (error.meaning === 'invalid_grant') {
    return "the code was refused: used twice, expired, or the redirect URI registered at the provider is not PUBLIC_URL/oauth/callback (PUBLIC_URL)";
  }
  if (error.meaning === 'invalid_scope') return 'UPSTREAM_SCOPE';
  return `UPSTREAM_PRESET or LINKBRIDGE_CONFIG (upstream.profile.errors) for what the provider's error means; ${urlSetting}`;
}

/**
 * Logs a failed token call once, with the flow id the `log` carries: the URL called (no query values),
 * the HTTP status or network cause, the provider's error code, how long it took, what Alexa is told
 * and which setting to check, so a typo in a URL does not look like an outage. Returns the error
 * Alexa gets. Callers that send the answer themselves log it; {@link toOAuthError} logs it too.
 */
export function upstreamFailureToOAuthError(error: unknown, log: Logger): OAuthError {
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
  log.warn({ ...facts, durationMs: error.durationMs, outcome, check: whatToCheck(error) }, 'the call to the provider failed');

  if (verdict.kind === 'transient') return new TemporarilyUnavailableError('the account provider did not answer in time; try again', error);
  if (verdict.error === 'invalid_grant') return new InvalidGrantError('the account provider rejected the grant', error);
  if (verdict.error === 'invalid_scope') return new InvalidScopeError('the account provider rejected the scope', error);
  if (error instanceof UpstreamRejectedError && (error.meaning === 'invalid_client' || error.meaning === 'unauthorized_client')) {
    log.error({ upstreamUrl: error.url }, `the provider rejected linkbridge's client credentials: check ${CREDENTIALS_SETTING}`);
  }
  return error instanceof UpstreamUnavailableError
    ? new ServerError('the account provider answered with an unreadable token response', error)
    : new ServerError('the account provider refused the token request', error);
}

/**
 * Translates an upstream failure into the error Alexa gets at the token endpoint, and logs both the
 * failed call ({@link upstreamFailureToOAuthError}) and the answer Alexa is about to get, under the
 * flow id the `log` carries.
 */
export function toOAuthError(error: unknown, log: Logger): OAuthError {
  const oauthError = upstreamFailureToOAuthError(error, log);
  log.info({ answer: oauthError.error, status: oauthError.status }, `answer to Alexa: ${oauthError.status} ${oauthError.error}`);
  return oauthError;
}
