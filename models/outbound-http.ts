/**
 * What every call linkbridge makes across the network shares, whoever makes it: the shape of a request
 * and of its answer, the transport that sends one, and how a call that produced no answer fails. The
 * provider's token calls and discovery (`linking/upstream/`) and the skill's account API
 * (`skill/account-api.client.ts`) each have a transport of their own; all of them bound the whole exchange
 * with one {@link Deadline} (`models/deadline.ts`) and read the answer with one bounded reader
 * (`models/bounded-body.ts`).
 */

/** An HTTP request, fully built. */
export interface OutgoingRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The answer, read whole. */
export interface IncomingResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** The call did not produce an answer: it ran out of time, the network failed, or the answer was too large. */
export class TransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network' | 'too_large',
    /** The URL without its query, which may carry a secret. */
    readonly url: string,
    readonly causeCode?: string,
  ) {
    super(`${reason} calling ${url}${causeCode ? ` (${causeCode})` : ''}`);
  }
}

/** What one call may set for itself. */
export interface CallOptions {
  /**
   * The deadline of this call instead of the transport's own (the token grants: Alexa is answered on
   * time and the call may go on in the background, see `linking/grants/provider-call-once.ts`).
   */
  readonly timeoutMs?: number;
}

/** Sends one request and reads its whole answer, within a deadline and a size limit, following no redirect. */
export interface HttpTransport {
  send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse>;
}

/** Header values as Node gives them, one string each (repeated headers joined by `, `, RFC 9110 §5.3). */
export function flattenHeaders(headers: Readonly<Record<string, string | string[] | number | undefined | null>>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/** True when the answer says, before a byte of it is read, that it is larger than `maxBytes`. */
export function declaredTooLarge(headers: Readonly<Record<string, string>>, maxBytes: number): boolean {
  return Number(headers['content-length']) > maxBytes;
}

/** Codes a client or the system gives a call that ran out of time before linkbridge's own deadline did. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * What a failed call becomes: a {@link TransportError} passes through; any other error is `timeout` when
 * the call's deadline had fired (whatever the client made of the abort), else `network`, with the code of
 * the error or of its cause (`ECONNREFUSED`, `ENOTFOUND`) so a typo in a URL does not look like an outage.
 */
export function transportErrorOf(error: unknown, loggedUrl: string, deadlineExpired: boolean): TransportError {
  if (error instanceof TransportError) return error;
  if (deadlineExpired) return new TransportError('timeout', loggedUrl);
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const causeCode = typeof code === 'string' ? code : undefined;
  const timeout = name === 'TimeoutError' || (causeCode !== undefined && TIMEOUT_CODES.has(causeCode));
  return new TransportError(timeout ? 'timeout' : 'network', loggedUrl, causeCode);
}
