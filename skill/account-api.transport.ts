/**
 * How the skill's account API calls cross the network: axios, as the skill has always used, bounded like
 * every other outbound call by the shared deadline and body reader (`models/deadline.ts`,
 * `models/bounded-body.ts`).
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable, Transform } from 'node:stream';
import type { AxiosInstance } from 'axios';
import { decoders, readLimited } from '../models/bounded-body';
import { Deadline, type DeadlineTimers } from '../models/deadline';
import {
  declaredTooLarge,
  flattenHeaders,
  TransportError,
  transportErrorOf,
  type CallOptions,
  type HttpTransport,
  type IncomingResponse,
  type OutgoingRequest,
} from '../models/outbound-http';

/** What bounds one account API call. */
export interface AxiosTransportLimits {
  /** The deadline over the whole exchange, unless the call sets its own. */
  readonly timeoutMs: number;
  /** Largest answer read, counted on the wire and again after decompression. */
  readonly maxResponseBytes: number;
  /** What the deadline runs on; Node's timers unless a test fires them. */
  readonly timers?: DeadlineTimers;
}

/**
 * An {@link HttpTransport} on axios. axios hands over the body as it arrives (`responseType: 'stream'`,
 * `decompress: false`) and the shared reader decompresses and counts it under the one deadline, which
 * also aborts the request itself: a server that trickles its answer byte by byte cannot hold a call past
 * it. The instance keeps connections alive, follows no redirect and sets no socket-inactivity timer (an
 * axios `timeout` in Node is only that); axios errors never leave this class, since they hold the
 * request's headers and so the user's token.
 */
export class AxiosTransport implements HttpTransport {
  private instance?: AxiosInstance;

  constructor(private readonly limits: AxiosTransportLimits) {}

  /**
   * axios and its instance, made at the first call: loading axios is about a tenth of linkbridge's
   * start-up, and a launch or an unlinked user never calls the account API.
   */
  private get http(): AxiosInstance {
    if (this.instance) return this.instance;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
    const axios = require('axios') as typeof import('axios');
    this.instance = axios.create({
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'stream',
      decompress: false,
      // The shared reader counts the body; axios's own count of a stream would wrap it in one more.
      maxContentLength: -1,
      transformResponse: [],
      // Only the codings the shared reader undoes (axios would also announce `compress`).
      headers: { 'Accept-Encoding': 'gzip, deflate, br' },
    });
    return this.instance;
  }

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const loggedUrl = withoutQuery(request.url);
    // Before the deadline starts: the first call loads axios.
    const client = this.http;
    const deadline = new Deadline(options?.timeoutMs ?? this.limits.timeoutMs, this.limits.timers);
    try {
      const response = await client.request<Readable>({
        url: request.url,
        method: request.method,
        headers: request.headers,
        data: request.body,
        signal: deadline.signal,
      });
      // The headers are the own fields of axios's headers object, as Node gave them.
      const headers = flattenHeaders(response.headers as Record<string, string | string[] | undefined>);
      const body = response.data;
      let decoderStreams: Transform[];
      try {
        if (declaredTooLarge(headers, this.limits.maxResponseBytes)) throw new TransportError('too_large', loggedUrl, 'CONTENT_LENGTH');
        decoderStreams = decoders(headers['content-encoding'], loggedUrl);
      } catch (error) {
        // Not read: the connection is dropped rather than left holding an unread body.
        body.destroy();
        throw error;
      }
      const text = await readLimited(body, decoderStreams, this.limits.maxResponseBytes, loggedUrl, deadline.signal);
      return { status: response.status, headers, text };
    } catch (error) {
      throw transportErrorOf(error, loggedUrl, deadline.expired);
    } finally {
      deadline.clear();
    }
  }
}

/** The URL without its query (which may carry a secret), for errors and logs. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
