/**
 * OAuth 2.0 errors. Each carries the RFC code, a description that is safe to show the client and, apart
 * from it, an internal cause that is only logged.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization endpoint)
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  /** HTTP status on the token endpoint. */
  readonly status: number = 400;
  /** The linking flow the failed request belongs to, once known, so its log line carries the flow id. */
  flowId?: string;

  constructor(
    readonly description: string,
    readonly internalCause?: unknown,
  ) {
    super(description);
  }

  /** The RFC 6749 §5.1/§5.2 JSON body. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** RFC 6749 §5.2: missing, repeated or malformed parameter. */
export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
}

/**
 * RFC 6749 §5.2: client authentication failed. 401 and `WWW-Authenticate` when the client used HTTP
 * Basic; `usedBasic` tells the response which.
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

/** RFC 6749 §5.2: the code or refresh token is invalid, expired, reused or bound to someone else. */
export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
}

/** RFC 6749 §5.2 and §4.1.2.1. */
export class UnauthorizedClientError extends OAuthError {
  readonly error = 'unauthorized_client';
}

/** RFC 6749 §5.2. */
export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
}

/** RFC 6749 §4.1.2.1. */
export class UnsupportedResponseTypeError extends OAuthError {
  readonly error = 'unsupported_response_type';
}

/** RFC 6749 §5.2 and §4.1.2.1. */
export class InvalidScopeError extends OAuthError {
  readonly error = 'invalid_scope';
}

/** RFC 6749 §4.1.2.1: the user (or the provider) refused. */
export class AccessDeniedError extends OAuthError {
  readonly error = 'access_denied';
}

/**
 * RFC 6749 §4.1.2.1: the server cannot serve the request now (the upstream timed out or failed).
 * On the token endpoint this is 503, so Alexa does not mistake a passing failure for a dead grant.
 */
export class TemporarilyUnavailableError extends OAuthError {
  readonly error = 'temporarily_unavailable';
  override readonly status = 503;
}

/** RFC 6749 §4.1.2.1: an unexpected condition; the public text never holds internals. */
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  override readonly status = 500;
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

/** The internal cause for the logs: a class name and message, never a value from the request. */
export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.constructor.name}: ${cause.message}` : String(cause);
}

/** Any failure as an OAuth error: itself when it is one, otherwise `server_error` with `description`. */
export function asOAuthError(error: unknown, description: string): OAuthError {
  return error instanceof OAuthError ? error : new ServerError(description, error);
}
