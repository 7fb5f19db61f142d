/**
 * The one place linkbridge's calls to the provider cross the network. Request building and response
 * reading live elsewhere; this module only sends and receives bytes, within a deadline.
 */

/** An HTTP request to the provider, fully built. */
export interface OutgoingRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The provider's answer, read whole. */
export interface IncomingResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** The call did not produce an answer: it ran out of time, or the network failed. */
export class TransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network' | 'too_large',
    readonly url: string,
    readonly causeCode?: string,
  ) {
    super(`${reason} calling ${url}${causeCode ? ` (${causeCode})` : ''}`);
  }
}

/** Sends one request to the provider. */
export interface HttpTransport {
  send(request: OutgoingRequest): Promise<IncomingResponse>;
}

/** A transport over `fetch` with a deadline for the call. */
export class FetchTransport implements HttpTransport {
  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
  ) {}

  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const urlForLogs = withoutQuery(request.url);
    try {
      const response = await this.fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: deadline,
        redirect: 'error',
      });
      const text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      return { status: response.status, headers, text };
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new TransportError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', urlForLogs, typeof code === 'string' ? code : undefined);
    }
  }
}

/** The URL without its query (it may hold codes or secrets on a GET token call), for the logs. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
