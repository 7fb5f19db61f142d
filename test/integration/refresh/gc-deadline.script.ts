/* eslint-disable no-console -- the result goes to the parent test on stdout */
/**
 * Run by hostile-upstream.test.ts as `node --expose-gc`: calls a server that stalls mid-body, forces
 * garbage collections while the body is awaited, and prints which clients still hit their deadline.
 */
import { AccountApiClient } from '../../../skill/account-api.client';
import { FetchTransport, PooledTransport } from '../../../linking/upstream/http-transport';
import { startHostileServer } from './hostile-server';

const DEADLINE_MS = 400;
/** Far past the deadline: reaching it means the deadline was lost. */
const GIVE_UP_MS = 8000;

async function outcome(call: () => Promise<unknown>): Promise<string> {
  const collector = setInterval(() => (globalThis as { gc?: () => void }).gc!(), 20);
  const giveUp = new Promise<string>((resolve) => setTimeout(() => resolve('no-deadline'), GIVE_UP_MS).unref());
  try {
    return await Promise.race([
      call().then(
        () => 'answered',
        (error: { reason?: string }) => error.reason ?? 'error',
      ),
      giveUp,
    ]);
  } finally {
    clearInterval(collector);
  }
}

async function main(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('run with --expose-gc');
  const server = await startHostileServer();
  const request = { method: 'POST' as const, url: `${server.url}/stall`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' };
  const results = {
    pooled: await outcome(() => new PooledTransport({ timeoutMs: DEADLINE_MS }).send(request)),
    fetch: await outcome(() => new FetchTransport(fetch, DEADLINE_MS).send(request)),
    accountApi: await outcome(() => new AccountApiClient(`${server.url}/stall`, DEADLINE_MS).fetchProfile('gc-test-token')),
  };
  console.log(JSON.stringify(results));
  await server.close();
  process.exit(0);
}

void main();
