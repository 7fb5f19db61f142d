import { Pool } from 'undici';
import type { TargetProcess } from './processes';

/** One HTTP request the load repeats; `body` may differ per request (a fresh refresh token each time). */
export interface RequestShape {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | (() => string);
}

/** What the load phases of one path measured, added up over its slices. */
export interface Measurement {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Latency percentiles, microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** The server process's own CPU time per request, microseconds. */
  readonly cpuPerRequest: number;
  /** Answers that were not 2xx, and connection errors; a valid run has none. */
  readonly failures: number;
}

/**
 * Keeps `connections` keep-alive connections to one server busy, each sending its next request as
 * soon as the last is answered (closed-loop, like autocannon), and records every latency to the
 * microsecond. Load runs in slices, so the bench can interleave paths: the machine is shared, and
 * what other work it does then falls on every path alike. Around each slice the server reports its
 * own CPU time.
 */
export class LoadGenerator {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly latencies: number[] = [];
  private requests = 0;
  private failures = 0;
  private cpuMicroseconds = 0;
  private seconds = 0;

  constructor(
    private readonly server: TargetProcess,
    private readonly shape: RequestShape,
    private readonly connections: number,
  ) {
    const url = new URL(shape.url);
    this.pool = new Pool(url.origin, { connections, pipelining: 1 });
    this.path = url.pathname;
  }

  /** Loads the server for `seconds` without recording (JIT, connections, caches). */
  async warmUp(seconds: number): Promise<void> {
    await this.drive(seconds, () => undefined);
  }

  /** Loads the server for `seconds` and adds what it measured. */
  async slice(seconds: number): Promise<void> {
    const cpuBefore = await this.server.cpuMicroseconds();
    const answered = await this.drive(seconds, (latency, ok) => {
      this.latencies.push(latency);
      if (!ok) this.failures += 1;
    });
    this.cpuMicroseconds += (await this.server.cpuMicroseconds()) - cpuBefore;
    this.requests += answered;
    this.seconds += seconds;
  }

  result(): Measurement {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
    return {
      requests: this.requests,
      requestsPerSecond: this.requests / this.seconds,
      p50: percentile(50),
      p99: percentile(99),
      cpuPerRequest: this.cpuMicroseconds / this.requests,
      failures: this.failures,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async drive(seconds: number, record: (latencyMicroseconds: number, ok: boolean) => void): Promise<number> {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
    let answered = 0;
    const loop = async () => {
      while (process.hrtime.bigint() < deadline) {
        const body = typeof this.shape.body === 'string' ? this.shape.body : this.shape.body();
        const started = process.hrtime.bigint();
        let ok = false;
        try {
          const response = await this.pool.request({ path: this.path, method: 'POST', headers: this.shape.headers, body });
          await response.body.dump();
          ok = response.statusCode >= 200 && response.statusCode < 300;
        } catch {
          ok = false;
        }
        answered += 1;
        record(Number(process.hrtime.bigint() - started) / 1000, ok);
      }
    };
    await Promise.all(Array.from({ length: this.connections }, loop));
    return answered;
  }
}
