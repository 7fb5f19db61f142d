import { fork } from 'node:child_process';
import { createHash, createVerify, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import pino from 'pino';
import { Pool } from 'undici';
import { PooledTransport } from '../../linking/upstream/http-transport';
import { systemClock } from '../../models/clock';
import { createLogger } from '../../models/logger';
import { SealedStore } from '../../models/sealed.store';
import { SqliteStore } from '../../models/sqlite.store';
import type { Store } from '../../models/store';
import { AccountApiClient } from '../../skill/account-api.client';
import { AlexaRequestVerifier } from '../../skill/request-verifier/alexa-request-verifier';
import { launchRequest } from '../../test/fixtures/skill/envelopes';
import { alexaTestChain, signBody, type AlexaTestChain } from '../../test/support/test-certificates';

/** CPU microseconds per operation, two ways of doing it side by side, measured in the process that runs them. */
export interface MicroResult {
  readonly label: string;
  readonly first: number;
  readonly second: number;
}

/**
 * Costs paid on every request, measured in isolation: checking a request signature once the
 * certificate is known (linkbridge's verifier, then the stock adapter's way), writing one request
 * log line to /dev/null (linkbridge's logger, then the 54 redaction paths it had), and the client
 * side of one call to the provider's token endpoint (a pooled undici client, then `fetch` with
 * `AbortSignal.timeout`), and one account API call through the skill's axios instance (keep-alive, no
 * redirects, one deadline for the whole exchange) against `axios.get` as its defaults have it (redirects
 * followed, a socket timeout). Then where a relayed refresh's CPU goes: one provider call through
 * linkbridge's transport (deadline, size limit) against a bare pooled call, and the store's work for
 * one rotated refresh (look, lock, look again, write the answer; the lock then lapses) on the sealed SQLite store
 * against the bare SQLite store under it.
 */
export async function runMicroBenchmarks(chain: AlexaTestChain, providerTokenUrl: string, accountApiUrl: string, iterations = 3000): Promise<MicroResult[]> {
  const body = JSON.stringify(launchRequest());
  const signature = signBody(body, chain.leaf.keys.privateKey);
  const headers = { signaturecertchainurl: 'https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem', 'signature-256': signature };
  const verifier = new AlexaRequestVerifier({ trustedRoots: [chain.root.pem], fetchCertificateChain: async () => chain.chainPem });
  const envelope: unknown = JSON.parse(body);
  await verifier.verify(body, headers, envelope);
  // What ask-sdk-express-adapter does per request once its cache holds the PEM: parse it, then verify.
  const stockVerify = () => createVerify('RSA-SHA256').update(body, 'utf8').verify(chain.leaf.pem, signature, 'base64');

  const sink = pino.destination({ dest: '/dev/null', sync: true });
  const ours = createLogger('info', sink).child({ route: 'alexa' });
  const secretKeys = ['access_token', 'accessToken', 'refresh_token', 'refreshToken', 'id_token', 'code', 'code_verifier', 'codeVerifier', 'client_secret'];
  const moreKeys = ['clientSecret', 'password', 'token', 'state', 'authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie'];
  // The logger as it was: 54 redaction paths, 36 of them wildcards.
  const before = pino(
    {
      level: 'info',
      base: { service: 'linkbridge' },
      redact: { paths: [...secretKeys, ...moreKeys].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    sink,
  ).child({ route: 'alexa' });
  const line = (logger: pino.Logger) => logger.info({ requestId: '6f1c0a4e-2b1d-4c39-9d7e-0c5a1f3e2b77', method: 'POST', path: '/alexa', status: 200, ms: 3 }, 'request');

  const form = { method: 'POST' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=bench' };
  const pool = new Pool(new URL(providerTokenUrl).origin, { connections: 4 });
  const pooled = async () => {
    const response = await pool.request({ ...form, path: new URL(providerTokenUrl).pathname, headersTimeout: 3000, bodyTimeout: 3000 });
    await response.body.text();
  };
  const fetched = async () => {
    const response = await fetch(providerTokenUrl, { ...form, signal: AbortSignal.timeout(3000), redirect: 'error' });
    await response.text();
  };
  const transport = new PooledTransport({ timeoutMs: 3000 });
  const throughTransport = () => transport.send({ ...form, url: providerTokenUrl });
  const accountApi = new AccountApiClient(accountApiUrl, 3000);
  const tunedAccountApiCall = () => accountApi.fetchProfile('bench-linked-access-token');
  const defaultAccountApiCall = () => axios.get(accountApiUrl, { headers: { Authorization: 'Bearer bench-linked-access-token' }, timeout: 3000 });
  const storeDirectory = mkdtempSync(join(tmpdir(), 'linkbridge-bench-store-'));
  const bareStore = new SqliteStore(join(storeDirectory, 'bare.sqlite'), systemClock);
  const sealedStore = new SealedStore(new SqliteStore(join(storeDirectory, 'sealed.sqlite'), systemClock), [{ kid: 'k1', secret: randomBytes(32) }]);
  const answer = JSON.stringify({
    response: { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 3600, refresh_token: randomBytes(24).toString('base64url') },
    issuedAt: Date.now(),
  });
  try {
    return [
      {
        label: 'signature check, certificate cached: linkbridge verifier vs stock (PEM parsed per request)',
        ...(await comparePair(iterations, () => verifier.verify(body, headers, envelope), stockVerify)),
      },
      {
        label: 'one request log line: chosen fields vs 54 redaction paths',
        ...(await comparePair(iterations * 10, () => line(ours), () => line(before))),
      },
      {
        label: 'client side of one provider call: undici `Pool` vs `fetch` + `AbortSignal.timeout`',
        ...(await comparePair(iterations / 3, pooled, fetched)),
      },
      {
        label: 'client side of one account API call: the skill’s axios instance vs `axios.get` with its defaults',
        ...(await comparePair(iterations / 3, tunedAccountApiCall, defaultAccountApiCall)),
      },
      {
        label: 'provider call: linkbridge’s transport (deadline, size limit) vs a bare undici `Pool` call',
        ...(await comparePair(iterations / 3, throughTransport, pooled)),
      },
      {
        label: 'store work of one rotated refresh (get, lock, get, put; the lock lapses): sealed SQLite vs bare SQLite',
        ...(await comparePair(iterations, () => refreshStoreWork(sealedStore, answer), () => refreshStoreWork(bareStore, answer))),
      },
    ];
  } finally {
    await pool.close();
    await transport.close();
    await Promise.all([bareStore.close(), sealedStore.close()]);
    rmSync(storeDirectory, { recursive: true, force: true });
  }
}

/** The store operations the refresh grant makes for a token it has not seen, in its order. */
async function refreshStoreWork(store: Store, answer: string): Promise<void> {
  const digest = createHash('sha256').update(randomBytes(16)).digest('base64url');
  const answerKey = `refresh-answer:${digest}`;
  const lockKey = `lock:refresh:${digest}`;
  const owner = randomUUID();
  const now = Date.now();
  await store.get(answerKey);
  await store.lock(lockKey, owner, now + 15_000);
  await store.get(answerKey);
  // The stored answer stands for the lock, which lapses on its own (linking/grants/provider-call-once.ts).
  await store.put(answerKey, answer, now + 600_000);
}

/**
 * CPU microseconds per operation of `first` and of `second`, measured in turns: both warmed up, then
 * five blocks of each taken alternately, so neither gains from running later (a hotter JIT, warmer
 * caches) or loses to a burst of other work on the machine.
 */
async function comparePair(iterations: number, first: () => unknown, second: () => unknown): Promise<{ first: number; second: number }> {
  // As many rounds of warm-up as measured ones: deep call stacks (axios, undici) reach optimised code only
  // after some thousands of calls, and it is that steady state a server lives in.
  for (let i = 0; i < iterations; i += 1) {
    await first();
    await second();
  }
  const block = Math.max(1, Math.round(iterations / 5));
  const used = { first: 0, second: 0 };
  for (let turn = 0; turn < 5; turn += 1) {
    used.first += await cpuOf(block, first);
    used.second += await cpuOf(block, second);
  }
  return { first: used.first / (block * 5), second: used.second / (block * 5) };
}

/** CPU microseconds (user + system) this process spent running `operation` `count` times. */
async function cpuOf(count: number, operation: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i += 1) await operation();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * The per-operation costs measured in a process of their own (`fork` of this file with the provider's
 * token URL and the account API's URL as arguments), so the bench's own heap (every latency of every
 * phase) adds no garbage-collection work to them. The results come back over the IPC channel.
 */
export function runMicroBenchmarksApart(providerTokenUrl: string, accountApiUrl: string): Promise<MicroResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [providerTokenUrl, accountApiUrl], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (results: MicroResult[]) => resolve(results));
    child.once('exit', (code) => reject(new Error(`the per-operation measurements ended with code ${code} before reporting`)));
  });
}

if (require.main === module && process.send) {
  const [providerTokenUrl, accountApiUrl] = process.argv.slice(2);
  runMicroBenchmarks(alexaTestChain(), providerTokenUrl!, accountApiUrl!).then(
    (results) => process.send!(results, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`per-operation measurements failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
