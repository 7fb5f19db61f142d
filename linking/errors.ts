import { errorBody, type ErrorBody } from '../models/error-body';
import { describeCause } from '../models/logger';
import { BodyReadError } from '../models/read-body';
import { StoreUnavailableError } from '../models/store';
import { isProviderFailure, judge, type ProviderFailure } from './upstream-errors';

/**
 * The linking middleware's errors: one class per RFC 6749 error code, and {@link errorOut}, the one
 * function that decides what of a failure the client sees and what only the log sees.
 *
 * Each error carries the RFC code, a description written for the client, and apart from it an internal
 * cause that is only logged. A description never holds a setting name, a value from the request that
 * could be a secret, or an internal message: what the developer needs to know goes to the flow log.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization endpoint)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint)
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  /** HTTP status on the token endpoint: 400, and 401 only for `invalid_client` (RFC 6749 §5.2). */
  readonly status: number = 400;
  /** The linking flow the failed request belongs to, once known, so its log line carries the flow id. */
  flowId?: string;

  constructor(
    readonly description: string,
    readonly internalCause?: unknown,
  ) {
    super(description);
  }
}

/**
 * `invalid_request`: a parameter missing, repeated or malformed, or a request otherwise malformed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
}

/**
 * `invalid_request` answered with 405: the token endpoint takes POST only.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2 ("The client MUST use the HTTP POST method")
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6 (405 Method Not Allowed)
 */
export class MethodNotAllowedError extends InvalidRequestError {
  override readonly status = 405;

  constructor(readonly allow: string) {
    super(`this endpoint accepts ${allow} only`);
  }
}

/**
 * `invalid_client`: client authentication failed. 401, with `WWW-Authenticate` when the client used
 * HTTP Basic; `usedBasic` tells the response which.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidClientError extends OAuthError {
  readonly error = 'invalid_client';
  override readonly status = 401;

  constructor(
    description: string,
    readonly usedBasic: boolean,
  ) {
    super(description);
  }
}

/**
 * `invalid_grant`: the code or refresh token is invalid, expired, reused or bound to someone else.
 * Alexa unlinks the user on it, so only a grant that is really dead gets it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
}

/**
 * `unauthorized_client`: this client may not use this grant or response type.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UnauthorizedClientError extends OAuthError {
  readonly error = 'unauthorized_client';
}

/**
 * `unsupported_grant_type`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
}

/**
 * `unsupported_response_type`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class UnsupportedResponseTypeError extends OAuthError {
  readonly error = 'unsupported_response_type';
}

/**
 * `invalid_scope`: the scope is invalid, unknown or malformed (here: as the provider judged it).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidScopeError extends OAuthError {
  readonly error = 'invalid_scope';
}

/**
 * `access_denied`: the user (or the provider) refused.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class AccessDeniedError extends OAuthError {
  readonly error = 'access_denied';
}

/**
 * `temporarily_unavailable`: the server cannot serve the request now (the provider timed out or failed,
 * the store did not answer). On the token endpoint this is 503, so Alexa retries rather than mistaking
 * a passing failure for a dead grant.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class TemporarilyUnavailableError extends OAuthError {
  readonly error = 'temporarily_unavailable';
  override readonly status = 503;
}

/**
 * `server_error`: an unexpected condition. Its description is generic; what happened is the internal
 * cause, for the log.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  override readonly status = 500;
}

/** What the client is told of a failure nothing more specific describes. */
const UNEXPECTED = 'linkbridge could not complete this request; try again later';

/** A failure, split into what the client sees and what only the log sees. */
export interface ErrorOut {
  /** The failure as an RFC 6749 error: code, status and the description the client gets. */
  readonly error: OAuthError;
  /** What the client sees: the JSON body at the token endpoint, the redirect's parameters at the others. */
  readonly body: ErrorBody;
  /** What only the log sees: the internal cause, as its class and message. */
  readonly cause: string | undefined;
}

/**
 * The one function that decides what a client sees of a failure and what only the log sees, as
 * node-oidc-provider's `err_out` does. Failures are told apart by their type, never by their message:
 * - an {@link OAuthError} is answered as it is;
 * - a request body that cannot be read (`models/read-body.ts`) is `invalid_request` (400, RFC 6749 §5.2);
 * - a store that does not answer is `503 temporarily_unavailable`, so Alexa retries;
 * - a failed provider call gets what `judge` in `upstream-errors.ts` decides;
 * - anything else is `server_error` with a generic description, its message kept for the log.
 */
export function errorOut(failure: unknown): ErrorOut {
  const error = toOAuthError(failure);
  return { error, body: errorBody(error.error, error.description), cause: describeCause(error.internalCause) };
}

function toOAuthError(failure: unknown): OAuthError {
  if (failure instanceof OAuthError) return failure;
  if (failure instanceof BodyReadError) return new InvalidRequestError(`the request body cannot be read: ${failure.message}`, failure);
  if (failure instanceof StoreUnavailableError) return new TemporarilyUnavailableError('linkbridge could not reach its store; try again', failure);
  if (isProviderFailure(failure)) return providerFailureError(failure);
  return new ServerError(UNEXPECTED, failure);
}

function providerFailureError(failure: ProviderFailure): OAuthError {
  switch (judge(failure)) {
    case 'retry':
      return new TemporarilyUnavailableError('the account provider is not answering now; try again', failure);
    case 'invalid_grant':
      return new InvalidGrantError('the account provider rejected the grant', failure);
    case 'invalid_scope':
      return new InvalidScopeError('the account provider rejected the scope', failure);
    default:
      return new ServerError('the account provider refused the token request', failure);
  }
}

/**
 * What the person on an error page can do: start linking again (`start_over`), wait and try again
 * (`retry`), or nothing but tell the skill's developer (`contact`), because a setting is wrong.
 */
export type PageAdvice = 'start_over' | 'retry' | 'contact';

/** The developer's side of an error page: never shown in production, always logged. */
export interface PageErrorDetails {
  readonly status?: number;
  readonly advice?: PageAdvice;
  /** What to check, in a developer's words: settings, parameters. */
  readonly hint?: string;
  /** The setting to check, when one is the likely cause (`ALEXA_VENDOR_IDS`). */
  readonly setting?: string;
  readonly cause?: unknown;
}

/**
 * A request that cannot be answered with a redirect (bad `client_id`, bad `redirect_uri`, or a
 * sealed state that cannot be trusted): the user gets an error page. `title` and `explanation` are for
 * the person holding the phone, in plain words; `hint` and `setting` are for the developer.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 ("MUST NOT automatically redirect")
 */
export class LinkingPageError extends Error {
  readonly status: number;
  readonly advice: PageAdvice;
  readonly hint?: string;
  readonly setting?: string;
  readonly internalCause?: unknown;

  constructor(
    readonly title: string,
    readonly explanation: string,
    details: PageErrorDetails = {},
  ) {
    super(title);
    this.status = details.status ?? 400;
    this.advice = details.advice ?? 'start_over';
    this.hint = details.hint;
    this.setting = details.setting;
    this.internalCause = details.cause;
  }
}

/**
 * The page for a failure before the redirect back to Alexa can be trusted: a page error as it is,
 * anything else a page that says what {@link errorOut} makes of it (retry later for a passing failure),
 * its cause kept for the log.
 */
export function pageOut(failure: unknown): LinkingPageError {
  if (failure instanceof LinkingPageError) return failure;
  const { error } = errorOut(failure);
  if (error instanceof TemporarilyUnavailableError) {
    return new LinkingPageError('Linking is unavailable for a moment', 'This service could not finish linking your account just now.', { status: 503, advice: 'retry', cause: error.internalCause ?? failure });
  }
  return new LinkingPageError('Something went wrong', 'This service could not finish linking your account.', { status: 500, advice: 'retry', cause: error.internalCause ?? failure });
}
