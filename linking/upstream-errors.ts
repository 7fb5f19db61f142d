import type { RfcError } from '../models/provider-profile';
import { TOKEN_URL_SETTING, UpstreamRejectedError, UpstreamUnavailableError } from './upstream/upstream-failures';

/** A call to the provider's token endpoint that failed, as facts (`upstream/upstream-failures.ts`). */
export type ProviderFailure = UpstreamRejectedError | UpstreamUnavailableError;

export function isProviderFailure(error: unknown): error is ProviderFailure {
  return error instanceof UpstreamRejectedError || error instanceof UpstreamUnavailableError;
}

/**
 * What Alexa is told of a failed provider call: `retry` (503 `temporarily_unavailable`), or a final
 * answer. Alexa unlinks the user on `invalid_grant`, and may retry on a 503.
 */
export type Verdict = 'retry' | 'invalid_grant' | 'invalid_scope' | 'server_error';

/**
 * The one place that decides transient versus terminal. Transient: no answer in time, a network
 * failure, an answer over the size limit, a redirect, HTTP 5xx or 429 (JSON body or not), and an error
 * the provider itself calls passing (`temporarily_unavailable`, `server_error`, in any status, HTTP 200
 * included) or that the profile maps to one of them. Terminal `invalid_grant`: only what the profile maps
 * to it (or the provider's own `invalid_grant`), because Alexa unlinks on it. Anything else is
 * linkbridge's or the provider's set-up, never the user's: `server_error`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (`server_error`, `temporarily_unavailable`)
 */
export function judge(failure: ProviderFailure): Verdict {
  if (failure instanceof UpstreamUnavailableError) {
    // An answer linkbridge cannot read is not going to read better on a retry.
    return failure.reason === 'unreadable' ? 'server_error' : 'retry';
  }
  const meaning: RfcError | undefined = failure.meaning;
  if (meaning === 'temporarily_unavailable' || meaning === 'server_error') return 'retry';
  if (meaning === 'invalid_grant' || meaning === 'invalid_scope') return meaning;
  return 'server_error';
}

/** linkbridge's own credentials at the provider. */
export const PROVIDER_CREDENTIALS_SETTING = 'UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET';

/** Which setting to check for a failed call, in words a developer can act on (the flow log's `check`). */
export function whatToCheck(failure: ProviderFailure): string {
  // The setting that decides the URL called: a refresh at an endpoint of its own names UPSTREAM_REFRESH_URL.
  const urlSetting = failure.urlSetting ?? TOKEN_URL_SETTING;
  if (failure instanceof UpstreamUnavailableError) {
    switch (failure.reason) {
      case 'timeout':
        return `the provider's status, or UPSTREAM_TIMEOUT_MS; a host that never answers can also be a wrong ${urlSetting}`;
      case 'network':
        return failure.causeCode === 'ENOTFOUND' || failure.causeCode === 'EAI_AGAIN'
          ? `the host name in ${urlSetting}: it does not resolve`
          : failure.causeCode === 'ECONNREFUSED'
            ? `the port in ${urlSetting}: nothing accepts connections there`
            : `the scheme, host and port in ${urlSetting}`;
      case 'server':
        return "the provider's status page; linkbridge told Alexa to try again";
      case 'redirect':
        return `${urlSetting}: the token endpoint answered with a redirect, which linkbridge does not follow (a moved endpoint, http instead of https, a missing or extra slash, or a maintenance page); Alexa was told to try again`;
      default:
        return `UPSTREAM_PRESET or LINKBRIDGE_CONFIG (upstream.profile.token.answer): the answer is not where the profile reads it; or ${urlSetting} is not a token endpoint`;
    }
  }
  if (failure.httpStatus === 404 || failure.httpStatus === 405) return `the path in ${urlSetting}: there is no token endpoint there`;
  if (isCredentialsRefusal(failure) || failure.httpStatus === 401) return PROVIDER_CREDENTIALS_SETTING;
  if (failure.meaning === 'invalid_grant') {
    return 'the code was refused: used twice, expired, or the redirect URI registered at the provider is not PUBLIC_URL/oauth/callback (PUBLIC_URL)';
  }
  if (failure.meaning === 'invalid_scope') return 'UPSTREAM_SCOPE';
  if (failure.meaning === 'temporarily_unavailable' || failure.meaning === 'server_error') return "the provider's status page; linkbridge told Alexa to try again";
  return `UPSTREAM_PRESET or LINKBRIDGE_CONFIG (upstream.profile.errors) for what the provider's error means; ${urlSetting}`;
}

/** The provider said linkbridge's own client credentials are wrong. */
export function isCredentialsRefusal(failure: ProviderFailure): boolean {
  return failure instanceof UpstreamRejectedError && (failure.meaning === 'invalid_client' || failure.meaning === 'unauthorized_client');
}
