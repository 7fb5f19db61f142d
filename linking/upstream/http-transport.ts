/**
 * The one place linkbridge's calls to the provider cross the network. Request building and response
 * reading live elsewhere; this module only sends and receives bytes, within a deadline and a size limit.
 */
import { Readable, type Transform } from 'node:stream';
import type { Agent } from 'undici';
import { decoders, readLimited } from '../../models/bounded-body';
import { Deadline, type DeadlineTimers } from '../../models/deadline';
import { declaredTooLarge, flattenHeaders, TransportError, transportErrorOf, type CallOptions, type HttpTransport, type IncomingResponse, type OutgoingRequest } from '../../models/outbound-http';
import { urlForLogs } from './upstream-failures';

export { TransportError, type CallOptions, type HttpTransport, type IncomingResponse, type OutgoingRequest } from '../../models/outbound-http';

/**
 * Largest provider answer read, counted after decompression. A token answer with an ID token is a few
 * kilobytes; Alexa itself takes tokens of at most a couple of kilobytes.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** undici's pool and its `request`, loaded at the first call. */
interface Undici {
  readonly agent: Agent;
  readonly request: typeof import('undici').request;
}

/** What bounds one call: the deadline covers the whole exchange, headers and body alike. */
export interface TransportLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
  /** What the deadline runs on; Node's timers unless a test fires them. */
  readonly timers?: DeadlineTimers;
}

/**
 * The production transport: undici's pooled keep-alive `Agent` and `request`. One {@link Deadline}
 * aborts the call wherever it is, body included; the answer is decompressed here (gzip, deflate, br)
 * and counted after decompression, so a compressed bomb stops at the limit (`models/bounded-body.ts`).
 * undici follows no redirect unless told to: a 3xx is an answer like any other.
 */
export class PooledTransport implements HttpTransport {
  private undici: Undici | undefined;
  private readonly maxBytes: number;

  constructor(private readonly limits: TransportLimits) {
    this.maxBytes = limits.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  /**
   * undici and its pool, made at the first call: loading undici is about a fifth of linkbridge's
   * start-up, and an instance that only answers the skill never calls the provider.
   */
  private pool(): Undici {
    if (this.undici) return this.undici;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
    const undici = require('undici') as typeof import('undici');
    const agent = new undici.Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connections: 64,
      // Off: the per-call deadline below bounds headers and body together.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: 5000 },
    });
    this.undici = { agent, request: undici.request };
    return this.undici;
  }

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const loggedUrl = urlForLogs(request.url);
    // Before the deadline starts: the first call loads undici.
    const { agent, request: undiciRequest } = this.pool();
    const deadline = new Deadline(options?.timeoutMs ?? this.limits.timeoutMs, this.limits.timers);
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: agent,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: deadline.signal,
      });
      const headers = flattenHeaders(response.headers);
      let decoderStreams: Transform[];
      try {
        if (declaredTooLarge(headers, this.maxBytes)) throw new TransportError('too_large', loggedUrl, 'CONTENT_LENGTH');
        decoderStreams = decoders(headers['content-encoding'], loggedUrl);
      } catch (error) {
        // Not read: the connection is dropped rather than left holding an unread body.
        response.body.destroy();
        throw error;
      }
      const text = await readLimited(response.body, decoderStreams, this.maxBytes, loggedUrl, deadline.signal);
      return { status: response.statusCode, headers, text };
    } catch (error) {
      throw transportErrorOf(error, loggedUrl, deadline.expired);
    } finally {
      deadline.clear();
    }
  }

  /** Closes the pooled connections (at shutdown). */
  async close(): Promise<void> {
    await this.undici?.agent.close();
  }
}

/** What a {@link FetchTransport} may be given besides its deadline. */
export interface FetchTransportOptions {
  readonly maxResponseBytes?: number;
  readonly timers?: DeadlineTimers;
}

/**
 * A transport over an injected `fetch` (tests, or a runtime's own `fetch`), with the same deadline and
 * size limit, and `redirect: 'error'`. `fetch` decompresses by itself; the bytes are counted after it did.
 */
export class FetchTransport implements HttpTransport {
  private readonly maxBytes: number;

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
    private readonly options: FetchTransportOptions = {},
  ) {
    this.maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const loggedUrl = urlForLogs(request.url);
    const deadline = new Deadline(options?.timeoutMs ?? this.timeoutMs, this.options.timers);
    try {
      const response = await this.fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: deadline.signal,
        redirect: 'error',
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      if (declaredTooLarge(headers, this.maxBytes) && !headers['content-encoding']) {
        await response.body?.cancel().catch(() => undefined);
        throw new TransportError('too_large', loggedUrl, 'CONTENT_LENGTH');
      }
      const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
      const text = await readLimited(body, [], this.maxBytes, loggedUrl, deadline.signal);
      return { status: response.status, headers, text };
    } catch (error) {
      throw transportErrorOf(error, loggedUrl, deadline.expired);
    } finally {
      deadline.clear();
    }
  }
}

/**
 * The transport for the provider's calls (token calls and discovery): pooled undici, or `fetchImpl`
 * when one is injected. `timeoutMs` bounds each call unless the call's own {@link CallOptions} say otherwise.
 */
export function createTransport(timeoutMs: number, fetchImpl?: typeof fetch, timers?: DeadlineTimers): HttpTransport {
  return fetchImpl ? new FetchTransport(fetchImpl, timeoutMs, { timers }) : new PooledTransport({ timeoutMs, timers });
}
