/**
 * The one shape of every refusal linkbridge sends, RFC 6749 §5.2's: a code and a description written
 * for the client. The token endpoint sends it as JSON, the authorization endpoints as the parameters of
 * the redirect back to Alexa (§4.1.2.1), `POST /alexa` and the app's 404 and 5xx as JSON too. Only this
 * function builds it, so no other place can put an internal message, a stack or a setting name in it:
 * the description is always text written for the client, and causes go to the log.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface ErrorBody {
  /** An RFC 6749 code (`invalid_request`, `server_error`, …), or `not_found` for an unknown route. */
  readonly error: string;
  readonly error_description: string;
}

/** The body of a refusal: `code` and `description`, a text written for the client. */
export function errorBody(code: string, description: string): ErrorBody {
  return { error: code, error_description: description };
}
