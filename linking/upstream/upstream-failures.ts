import type { RfcError } from '../../models/provider-profile';

/**
 * Why a call to the provider failed, as facts: what the provider said (or that it said nothing), the URL
 * called without its query, the HTTP status or network cause. Whether Alexa should retry is decided in
 * one place, `judge` in `upstream-errors.ts`.
 */

/** The settings that decide a token call's URL, as a failure's hint names them. */
export const TOKEN_URL_SETTING = 'UPSTREAM_TOKEN_URL (or UPSTREAM_ISSUER / the preset it comes from)';
export const REFRESH_URL_SETTING = 'UPSTREAM_REFRESH_URL (or the preset it comes from)';
/** Where the revocation endpoint comes from: the profile, which discovery or the preset fills in. */
export const REVOCATION_URL_SETTING = "the provider's revocation endpoint (revocation_endpoint in its discovery document, the preset, or upstream.profile.revocationUrl in LINKBRIDGE_CONFIG)";

/** The provider answered with an error of its own (an RFC 6749 §5.2 body, or its own shape). */
export class UpstreamRejectedError extends Error {
  /** How long the call took, in milliseconds; set by the client once the call is over. */
  durationMs?: number;
  /** The setting that decides the URL called ({@link TOKEN_URL_SETTING} or {@link REFRESH_URL_SETTING}); set by the client. */
  urlSetting?: string;

  constructor(
    /** The provider's error code as it sent it (`bad_verification_code`, `40029`, `invalid_code`). */
    readonly error: string,
    readonly httpStatus: number,
    /** What the profile's error map says it means; `undefined` when the map does not know it. */
    readonly meaning: RfcError | undefined,
    readonly url: string,
  ) {
    super(`the provider rejected the token request: ${error} (HTTP ${httpStatus})`);
  }
}

/**
 * The provider could not be reached in time, failed (5xx, 429), answered with a redirect (which
 * linkbridge does not follow: a token request is not sent to another address) or with something unreadable.
 */
export class UpstreamUnavailableError extends Error {
  /** How long the call took, in milliseconds; set by the client once the call is over. */
  durationMs?: number;
  /** The setting that decides the URL called ({@link TOKEN_URL_SETTING} or {@link REFRESH_URL_SETTING}); set by the client. */
  urlSetting?: string;

  constructor(
    readonly reason: 'timeout' | 'network' | 'server' | 'redirect' | 'unreadable' | 'too_large',
    readonly url: string,
    readonly httpStatus?: number,
    /** The network error's code (`ECONNREFUSED`, `ENOTFOUND`), when there is one. */
    readonly causeCode?: string,
  ) {
    super(`the provider's token endpoint is unavailable: ${reason}${httpStatus ? ` (HTTP ${httpStatus})` : ''}${causeCode ? ` (${causeCode})` : ''}`);
  }
}

/**
 * The provider sent the user back to the callback without a usable code: with its own `error`
 * parameter, or with none and no code (or an empty or repeated one).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class CallbackWithoutCode extends Error {
  constructor(
    /** The provider's `error` parameter, shortened; `undefined` when it sent none. */
    readonly providerError: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

/** One token call that got tokens, for the flow log. Failures carry the same facts on the error. */
export interface UpstreamCall {
  /** The URL without its query. */
  readonly url: string;
  readonly status: number;
  readonly durationMs: number;
}

/** The URL without its query (a GET token call carries the code and the secret there), for errors and logs. */
export function urlForLogs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
