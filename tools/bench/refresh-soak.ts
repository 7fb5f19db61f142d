/* eslint-disable no-console -- a benchmark reports on the console */
/**
 * Bounded soak of the idempotent refresh: simulated Alexa clients refresh their links without pause
 * through two linkbridge instances sharing one store (Redis when `redis-server` is installed, else an
 * SQLite file), in front of a provider that rotates refresh tokens, revokes the grant on reuse, and
 * fails 10 % of calls before processing them. Alexa's behaviour is played in full: it gives up after
 * 4.5 s, retries with the same token on 503, sometimes loses an answer and presents the old token again,
 * and sometimes refreshes twice at once.
 *
 * Passes when no link is lost (no grant revoked, no `invalid_grant`) and every answer came inside
 * 4.5 s. Prints a JSON summary; exits 1 on failure.
 *
 *   npm run bench:soak                      # 30 s, 20 links
 *   SOAK_SECONDS=120 SOAK_LINKS=50 npm run bench:soak
 *   SOAK_STORE=sqlite npm run bench:soak    # one SQLite file shared by both instances
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alexaRefresh, startInstance, type Instance, type TokenAnswer } from '../../test/integration/refresh/instances';
import { ProviderOutage, RotatingProvider } from '../../test/integration/refresh/rotating-provider';
import { redisAvailable, startRedisServer, type RedisServer } from '../../test/support/redis-server';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const LINKS = Number(process.env.SOAK_LINKS ?? 20);
const FAILURE_RATE = Number(process.env.SOAK_FAILURE_RATE ?? 0.1);
/** Share of provider calls slower than Alexa's wait (they finish in the background). */
const SLOW_RATE = Number(process.env.SOAK_SLOW_RATE ?? 0.02);
const SLOW_MS = 5000;
/** `redis` (the default when redis-server is installed) or `sqlite`. */
const STORE = process.env.SOAK_STORE ?? (redisAvailable ? 'redis' : 'sqlite');
const ALEXA_WAIT_MS = 4500;
/** Share of successful answers Alexa "loses" and retries with the old token. */
const LOST_ANSWER_RATE = 0.05;
/** Share of refreshes Alexa sends twice at once. */
const DUPLICATE_RATE = 0.05;

interface Stats {
  answers: number;
  byStatus: Record<string, number>;
  latencies: number[];
  overDeadline: number;
  linksLost: number;
  refreshes: number;
  lostAnswersReplayed: number;
}

async function main(): Promise<void> {
  const provider = await new RotatingProvider().start();
  let redis: RedisServer | undefined;
  let directory: string | undefined;
  const instances: Instance[] = [];
  try {
    let storeUrl: string;
    if (STORE === 'redis') {
      redis = await startRedisServer();
      storeUrl = redis.url;
    } else {
      directory = mkdtempSync(join(tmpdir(), 'linkbridge-soak-'));
      storeUrl = `sqlite:${join(directory, 'soak.sqlite')}`;
    }
    provider.beforeProcessing = () => {
      if (Math.random() < FAILURE_RATE) throw new ProviderOutage();
    };
    provider.beforeAnswering = async () => {
      if (Math.random() < SLOW_RATE) await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    };
    const env = { STORE_URL: storeUrl, LOG_LEVEL: 'warn', UPSTREAM_TIMEOUT_MS: '3000' };
    instances.push(await startInstance(provider, env), await startInstance(provider, env));

    const stats: Stats = { answers: 0, byStatus: {}, latencies: [], overDeadline: 0, linksLost: 0, refreshes: 0, lostAnswersReplayed: 0 };
    const endsAt = Date.now() + SECONDS * 1000;
    const links = Array.from({ length: LINKS }, () => provider.issueGrant().refreshToken);
    await Promise.all(links.map((first) => alexaClient(first, instances, stats, endsAt)));

    const revoked = links.filter((first) => !provider.grantIntact(first)).length;
    stats.latencies.sort((a, b) => a - b);
    const at = (q: number) => Math.round(stats.latencies[Math.min(stats.latencies.length - 1, Math.floor(q * stats.latencies.length))] ?? 0);
    const summary = {
      store: redis ? 'redis' : 'sqlite',
      seconds: SECONDS,
      links: LINKS,
      providerFailureRate: FAILURE_RATE,
      providerSlowRate: SLOW_RATE,
      refreshesCompleted: stats.refreshes,
      answers: stats.answers,
      answersByStatus: stats.byStatus,
      latencyMs: { p50: at(0.5), p99: at(0.99), max: Math.round(stats.latencies.at(-1) ?? 0) },
      answersOver4500ms: stats.overDeadline,
      lostAnswersReplayed: stats.lostAnswersReplayed,
      providerCalls: provider.calls.refresh_token,
      grantsRevoked: revoked,
      linksLost: stats.linksLost,
    };
    const passed = revoked === 0 && stats.linksLost === 0 && stats.overDeadline === 0 && stats.refreshes > 0;
    console.log(JSON.stringify({ ...summary, passed }, null, 2));
    process.exitCode = passed ? 0 : 1;
  } finally {
    for (const instance of instances) await instance.close();
    await provider.close();
    await redis?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

/** One Alexa link: refreshes until the time is up, retrying like Alexa. */
async function alexaClient(firstToken: string, instances: Instance[], stats: Stats, endsAt: number): Promise<void> {
  let token = firstToken;
  while (Date.now() < endsAt) {
    const instance = instances[Math.floor(Math.random() * instances.length)];
    const attempts = Math.random() < DUPLICATE_RATE ? [timed(instance, token, stats), timed(instances[0], token, stats)] : [timed(instance, token, stats)];
    const answers = await Promise.all(attempts);
    const answer = answers.find((one) => one?.status === 200) ?? answers[0];
    if (answer?.status === 200) {
      if (Math.random() < LOST_ANSWER_RATE) {
        // The answer never reached Alexa: it presents the old token again and must get the same pair.
        const again = await timed(instances[0], token, stats);
        if (again?.status === 200 && again.body.refresh_token !== answer.body.refresh_token) stats.linksLost += 1;
        if (again?.status === 200) stats.lostAnswersReplayed += 1;
      }
      token = answer.body.refresh_token;
      stats.refreshes += 1;
    } else if (answer?.status === 400 && answer.body.error === 'invalid_grant') {
      stats.linksLost += 1;
      return;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** One token request as Alexa sends it: it stops waiting after 4.5 s. */
async function timed(instance: Instance, token: string, stats: Stats): Promise<TokenAnswer | undefined> {
  const started = performance.now();
  let answer: TokenAnswer | undefined;
  try {
    answer = await Promise.race([
      alexaRefresh(instance.baseUrl, token),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ALEXA_WAIT_MS + 500).unref()),
    ]);
  } catch {
    answer = undefined;
  }
  const elapsed = performance.now() - started;
  stats.answers += 1;
  stats.latencies.push(elapsed);
  if (!answer || elapsed > ALEXA_WAIT_MS) stats.overDeadline += 1;
  const status = answer ? String(answer.status) : 'no answer';
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  return answer && elapsed <= ALEXA_WAIT_MS ? answer : undefined;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
