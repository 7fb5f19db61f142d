import type { Clock } from '../../models/clock';
import { urlForLogs } from '../../linking/upstream/upstream-failures';

/** What the doctor reaches the outside through: the network and the time, both replaceable in tests. */
export interface DoctorDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
}

/** One HTTP request the doctor sends. */
export interface ProbeRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Why a request got no answer; each points at a different mistake. */
export type NoAnswerReason = 'dns' | 'refused' | 'timeout' | 'tls' | 'network';

/** The outcome of one request: an answer (any status), or no answer and why. */
export type Exchange =
  | {
      readonly answered: true;
      readonly url: string;
      readonly status: number;
      /** Lower-case header names. */
      readonly headers: Readonly<Record<string, string>>;
      readonly text: string;
      readonly durationMs: number;
    }
  | {
      readonly answered: false;
      readonly url: string;
      readonly reason: NoAnswerReason;
      /** The system error code (`ENOTFOUND`, `ECONNREFUSED`, …), or the error's own words when it has no code. */
      readonly code?: string;
      readonly durationMs: number;
    };

/**
 * Sends one request and reports what happened, never throwing for a network failure. Redirects are not
 * followed: a redirecting endpoint is itself a finding. The duration is measured with the injected clock.
 */
export async function probe(deps: DoctorDeps, request: ProbeRequest, timeoutMs: number): Promise<Exchange> {
  const started = deps.clock.now();
  const url = urlForLogs(request.url);
  try {
    const response = await deps.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    return { answered: true, url, status: response.status, headers, text, durationMs: deps.clock.now() - started };
  } catch (error) {
    const { reason, code } = classifyFailure(error);
    return { answered: false, url, reason, code, durationMs: deps.clock.now() - started };
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Sorts a fetch failure by the system error code undici puts in `cause.code`. */
export function classifyFailure(error: unknown): { reason: NoAnswerReason; code?: string } {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { reason: 'timeout' };
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === undefined) {
    const words = cause?.message;
    return { reason: 'network', code: typeof words === 'string' && words !== '' ? words.slice(0, 120) : undefined };
  }
  if (DNS_CODES.has(code)) return { reason: 'dns', code };
  if (code === 'ECONNREFUSED') return { reason: 'refused', code };
  if (TIMEOUT_CODES.has(code)) return { reason: 'timeout', code };
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.startsWith('CERT_') || code.includes('SELF_SIGNED') || code.startsWith('UNABLE_TO_')) {
    return { reason: 'tls', code };
  }
  return { reason: 'network', code };
}

/** A sentence for a request that got no answer, naming the host and port that were tried. */
export function describeNoAnswer(exchange: Extract<Exchange, { answered: false }>): string {
  const target = hostAndPort(exchange.url);
  const code = exchange.code ? ` (${exchange.code})` : '';
  switch (exchange.reason) {
    case 'dns':
      return `the host name ${new URL(exchange.url).hostname} does not resolve${code}: a typo in the host, or a name only your own network knows`;
    case 'refused':
      return `nothing accepts connections at ${target}${code}: a wrong port, or the server is not running`;
    case 'timeout':
      return `${target} did not answer in time${code}: a firewall drops the connection, or the server hangs`;
    case 'tls':
      return `the TLS handshake with ${target} failed${code}: the server's certificate is not trusted or does not match the host name`;
    case 'network':
      return `the connection to ${target} failed${code}`;
  }
}

export function hostAndPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}

/** Reads a JSON object body, or `undefined` when the body is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
