/**
 * The one place linkbridge's calls to the provider cross the network. Request building and response
 * reading live elsewhere; this module only sends and receives bytes, within a deadline and a size limit.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Agent } from 'undici';
import { urlForLogs } from './upstream-failures';

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

/** The call did not produce an answer: it ran out of time, the network failed, or the answer was too large. */
export class TransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network' | 'too_large',
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
   * time and the call may go on in the background, see `grants/provider-call-once.ts`).
   */
  readonly timeoutMs?: number;
}

/** Sends one request to the provider. */
export interface HttpTransport {
  send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse>;
}

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
}

/**
 * The production transport: undici's pooled keep-alive `Agent` and `request`. The deadline is a
 * timer that holds its `AbortController` (nothing can collect it while the call runs) and aborts the
 * call wherever it is, body included; the answer is decompressed here (gzip, deflate, br) and counted
 * after decompression, so a compressed bomb stops at the limit.
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
    const deadline = new Deadline(options?.timeoutMs ?? this.limits.timeoutMs);
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: agent,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: deadline.signal,
      });
      const headers = flattenHeaders(response.headers);
      const declared = Number(headers['content-length']);
      let decoderStreams: Transform[];
      try {
        if (Number.isFinite(declared) && declared > this.maxBytes) throw new TransportError('too_large', loggedUrl, 'CONTENT_LENGTH');
        decoderStreams = decoders(headers['content-encoding'], loggedUrl);
      } catch (error) {
        // Not read: the connection is dropped rather than left holding an unread body.
        response.body.destroy();
        throw error;
      }
      const text = await readLimited(response.body, decoderStreams, this.maxBytes, loggedUrl, deadline.signal);
      return { status: response.statusCode, headers, text };
    } catch (error) {
      throw toTransportError(error, loggedUrl, deadline.expired);
    } finally {
      deadline.clear();
    }
  }

  /** Closes the pooled connections (at shutdown). */
  async close(): Promise<void> {
    await this.undici?.agent.close();
  }
}

/**
 * A transport over an injected `fetch` (tests, or a runtime's own `fetch`), with the same deadline and
 * size limit. `fetch` decompresses by itself; the bytes are counted after it did.
 */
export class FetchTransport implements HttpTransport {
  private readonly maxBytes: number;

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
    maxResponseBytes = MAX_RESPONSE_BYTES,
  ) {
    this.maxBytes = maxResponseBytes;
  }

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const loggedUrl = urlForLogs(request.url);
    const deadline = new Deadline(options?.timeoutMs ?? this.timeoutMs);
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
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > this.maxBytes && !headers['content-encoding']) {
        await response.body?.cancel().catch(() => undefined);
        throw new TransportError('too_large', loggedUrl, 'CONTENT_LENGTH');
      }
      const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
      const text = await readLimited(body, [], this.maxBytes, loggedUrl, deadline.signal);
      return { status: response.status, headers, text };
    } catch (error) {
      throw toTransportError(error, loggedUrl, deadline.expired);
    } finally {
      deadline.clear();
    }
  }
}

/**
 * A deadline for one call. The timer keeps a strong reference to the controller until it fires or is
 * cleared, unlike `AbortSignal.timeout()`, which a garbage collection can take while a body is still
 * arriving. Unref'd: a call in flight does not keep a stopping process alive on its own.
 */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  expired = false;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new TransportDeadlineReached());
    }, timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

class TransportDeadlineReached extends Error {
  override readonly name = 'TimeoutError';
}

/** Reads the body through `decoders`, counting bytes before and after them; throws past `maxBytes`. */
async function readLimited(body: Readable, decoderStreams: Transform[], maxBytes: number, loggedUrl: string, signal: AbortSignal): Promise<string> {
  if (decoderStreams.length === 0) return readPlain(body, maxBytes, loggedUrl, signal);
  const chunks: Buffer[] = [];
  let decoded = 0;
  // Remembered here: once the pipeline tears the streams down, the error it reports may be the
  // body's own abort rather than the reason it was torn down.
  let overLimit: 'SIZE' | 'DECODED_SIZE' | undefined;
  const limit = (code: 'SIZE' | 'DECODED_SIZE') => {
    overLimit ??= code;
    return new TransportError('too_large', loggedUrl, code);
  };
  try {
    // A variable number of decoders: the typed overloads of `pipeline` cannot express it.
    await (pipeline as (...streams: unknown[]) => Promise<void>)(
      body,
      byteLimit(maxBytes, () => limit('SIZE')),
      ...decoderStreams,
      async function collect(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          decoded += chunk.length;
          if (decoded > maxBytes) throw limit(decoderStreams.length > 0 ? 'DECODED_SIZE' : 'SIZE');
          chunks.push(chunk);
        }
      },
      { signal },
    );
  } catch (error) {
    if (overLimit) throw new TransportError('too_large', loggedUrl, overLimit);
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The common answer, not encoded: read in place. A stream pipeline costs several times the rest of
 * the call; with nothing to decode there is nothing for it to do. The deadline's signal destroys the
 * body (a `fetch` body converted from a web stream does not end on its own when its call is aborted).
 */
async function readPlain(body: Readable, maxBytes: number, loggedUrl: string, signal: AbortSignal): Promise<string> {
  if (signal.aborted) throw signal.reason;
  const abort = () => body.destroy(signal.reason as Error);
  signal.addEventListener('abort', abort, { once: true });
  const chunks: Buffer[] = [];
  let seen = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > maxBytes) {
        body.destroy();
        throw new TransportError('too_large', loggedUrl, 'SIZE');
      }
      chunks.push(chunk);
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** Counts the bytes as they come off the wire. */
function byteLimit(maxBytes: number, tooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge());
      else done(null, chunk);
    },
  });
}

/** Decoders for `Content-Encoding`, last applied first (RFC 9110 §8.4). */
function decoders(contentEncoding: string | undefined, loggedUrl: string): Transform[] {
  if (!contentEncoding) return [];
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding && coding !== 'identity');
  if (codings.length > 2) throw new TransportError('network', loggedUrl, 'CONTENT_ENCODING');
  return codings.reverse().map((coding) => {
    // A small output chunk, so the size check runs every few kilobytes of inflated data.
    const options = { chunkSize: 16 * 1024 };
    if (coding === 'gzip' || coding === 'x-gzip') return createGunzip(options);
    if (coding === 'deflate') return createInflate(options);
    if (coding === 'br') return createBrotliDecompress(options);
    throw new TransportError('network', loggedUrl, 'CONTENT_ENCODING');
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function toTransportError(error: unknown, loggedUrl: string, timedOut: boolean): TransportError {
  if (error instanceof TransportError) return error;
  if (timedOut) return new TransportError('timeout', loggedUrl);
  const name = (error as { name?: unknown }).name;
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  const causeCode = typeof code === 'string' ? code : undefined;
  const timeout = name === 'TimeoutError' || causeCode === 'UND_ERR_HEADERS_TIMEOUT' || causeCode === 'UND_ERR_BODY_TIMEOUT' || causeCode === 'UND_ERR_CONNECT_TIMEOUT';
  return new TransportError(timeout ? 'timeout' : 'network', loggedUrl, causeCode);
}

/**
 * The transport for the provider's token calls: pooled undici, or `fetchImpl` when one is injected.
 * `timeoutMs` bounds each call unless the call's own {@link CallOptions} say otherwise.
 */
export function createTransport(timeoutMs: number, fetchImpl?: typeof fetch): HttpTransport {
  return fetchImpl ? new FetchTransport(fetchImpl, timeoutMs) : new PooledTransport({ timeoutMs });
}
