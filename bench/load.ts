import autocannon from 'autocannon';
import { Client } from 'undici';
import type { TargetProcess } from './processes';

/** One HTTP request the load repeats; `body` may differ per request (a fresh refresh token each time). */
export interface RequestShape {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | (() => string);
}

/** What one load phase measured. */
export interface Measurement {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Latency percentiles, microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** The server process's own CPU time per request, microseconds. */
  readonly cpuPerRequest: number;
  /** Answers that were not 2xx, and connection errors or timeouts; a valid run has none. */
  readonly failures: number;
}

/**
 * Loads `server` with `connections` concurrent keep-alive connections for `seconds`, after a
 * warm-up of one second, and reads the server's own CPU time around the measured phase.
 * With one connection a plain loop measures latency to the microsecond (autocannon keeps
 * milliseconds, too coarse for a request that takes one); with more, autocannon.
 */
export async function measure(server: TargetProcess, shape: RequestShape, connections: number, seconds: number): Promise<Measurement> {
  const run = connections === 1 ? sequentialLoad : concurrentLoad;
  await run(shape, connections, 1);
  const cpuBefore = await server.cpuMicroseconds();
  const result = await run(shape, connections, seconds);
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  return { ...result, cpuPerRequest: result.requests > 0 ? cpu / result.requests : Number.NaN };
}

type LoadResult = Omit<Measurement, 'cpuPerRequest'>;

async function concurrentLoad(shape: RequestShape, connections: number, seconds: number): Promise<LoadResult> {
  const body = shape.body;
  const result = await autocannon({
    url: shape.url,
    method: 'POST',
    headers: shape.headers,
    connections,
    duration: seconds,
    ...(typeof body === 'string' ? { body } : { requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: body() }) }] }),
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50 * 1000,
    p99: result.latency.p99 * 1000,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function sequentialLoad(shape: RequestShape, _connections: number, seconds: number): Promise<LoadResult> {
  const url = new URL(shape.url);
  const client = new Client(url.origin, { pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const deadline = process.hrtime.bigint() + BigInt(seconds * 1e9);
  try {
    while (process.hrtime.bigint() < deadline) {
      const body = typeof shape.body === 'string' ? shape.body : shape.body();
      const started = process.hrtime.bigint();
      const response = await client.request({ path: url.pathname, method: 'POST', headers: shape.headers, body });
      await response.body.dump();
      latencies.push(Number(process.hrtime.bigint() - started) / 1000);
      if (response.statusCode < 200 || response.statusCode > 299) failures += 1;
    }
  } finally {
    await client.close();
  }
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { requests: latencies.length, requestsPerSecond: latencies.length / seconds, p50: percentile(50), p99: percentile(99), failures };
}
