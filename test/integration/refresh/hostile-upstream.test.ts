/**
 * The provider and the account API as adversaries: a body that stalls halfway (the deadline holds, also
 * across forced garbage collections), answers far too large, and compressed bombs. linkbridge answers
 * Alexa on time and never reads more than its limit.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FetchTransport, MAX_RESPONSE_BYTES, PooledTransport, TransportError, type OutgoingRequest } from '../../../linking/upstream/http-transport';
import { AccountApiClient } from '../../../skill/account-api.client';
import { Cleanup } from '../../support/cleanup';
import { startHostileServer, type HostileServer } from './hostile-server';
import { alexaRefresh, startInstance } from './instances';
import { RotatingProvider } from './rotating-provider';

jest.setTimeout(60_000);

/**
 * The deadline of the calls that must hit it. Every other call has {@link ROOMY_MS}, so a loaded machine
 * cannot turn a good answer into a timeout.
 */
const STALL_DEADLINE_MS = 300;
const ROOMY_MS = 10_000;

const cleanup = new Cleanup();
let server: HostileServer;
let pooled: PooledTransport;
beforeAll(async () => {
  server = cleanup.add(await startHostileServer(), (started) => started.close());
  pooled = cleanup.add(new PooledTransport({ timeoutMs: ROOMY_MS }), (transport) => transport.close());
});
afterAll(() => cleanup.run());

function tokenCall(path: string): OutgoingRequest {
  return { method: 'POST', url: `${server.url}${path}?client_secret=in-the-query`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=r' };
}

describe.each([
  ['pooled undici', () => pooled],
  ['fetch', () => new FetchTransport(fetch, ROOMY_MS)],
])('the %s transport', (_name, transport) => {
  test('a provider that stalls in the middle of the body hits the deadline', async () => {
    const failure = transport().send(tokenCall('/stall'), { timeoutMs: STALL_DEADLINE_MS });
    await expect(failure).rejects.toBeInstanceOf(TransportError);
    await expect(failure).rejects.toMatchObject({ reason: 'timeout', url: `${server.url}/stall` });
  });

  test.each(['/huge', '/huge-chunked'])('an answer over the limit (%s) is too_large', async (path) => {
    await expect(transport().send(tokenCall(path))).rejects.toMatchObject({ reason: 'too_large', url: `${server.url}${path}` });
  });

  test('a normal compressed answer is read', async () => {
    const answer = await transport().send(tokenCall('/ok'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ access_token: 'fine-access-token' });
  });
});

test.each(['gzip', 'deflate', 'br'] as const)('a %s bomb is stopped at the limit after decompression', async (encoding) => {
  expect(server.bombSizes[encoding]).toBeLessThan(MAX_RESPONSE_BYTES);
  const failure = pooled.send(tokenCall(`/bomb/${encoding}`));
  await expect(failure).rejects.toMatchObject({ reason: 'too_large', causeCode: 'DECODED_SIZE' });
  // The pooled connection is still usable afterwards.
  expect((await pooled.send(tokenCall('/ok'))).status).toBe(200);
});

test('fetch\'s own decompression is counted too: a gzip bomb through the fetch transport is too_large', async () => {
  await expect(new FetchTransport(fetch, ROOMY_MS).send(tokenCall('/bomb/gzip'))).rejects.toMatchObject({ reason: 'too_large' });
});

describe('the account API client', () => {
  test.each(['gzip', 'deflate', 'br'])('a %s bomb is refused after decompression', async (encoding) => {
    await expect(new AccountApiClient(`${server.url}/bomb/${encoding}`, ROOMY_MS).fetchProfile('t')).rejects.toMatchObject({ kind: 'unavailable' });
  });

  test('a compressed profile of normal size is read', async () => {
    expect(await new AccountApiClient(`${server.url}/ok`, ROOMY_MS).fetchProfile('t')).toMatchObject({ name: 'Ada' });
  });

  test('a body that stalls halfway hits the deadline', async () => {
    await expect(new AccountApiClient(`${server.url}/stall`, STALL_DEADLINE_MS).fetchProfile('t')).rejects.toMatchObject({ kind: 'unavailable', reason: 'timeout' });
  });
});

test('deadlines survive forced garbage collections while the body is awaited (node --expose-gc)', async () => {
  const root = join(__dirname, '..', '..', '..');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', join(__dirname, 'gc-deadline.script.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' },
    timeout: 45_000,
  });
  expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ pooled: 'timeout', fetch: 'timeout', accountApi: 'timeout' });
});

describe('through linkbridge', () => {
  test.each(['stall', 'huge', 'bomb/gzip'])('a provider answering refresh with %s: Alexa gets 503 in time, nothing relayed', async (path) => {
    const provider = new RotatingProvider();
    provider.baseUrl = server.url;
    const instance = cleanup.add(
      await startInstance(provider, { STORE_URL: 'memory:', UPSTREAM_TIMEOUT_MS: '300', STORE_LOCK_TTL_MS: '2000', UPSTREAM_TOKEN_URL: `${server.url}/token/${path}` }),
      (started) => started.close(),
    );
    const answer = await alexaRefresh(instance.baseUrl, 'some-refresh-token');
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe('temporarily_unavailable');
    expect(JSON.stringify(answer.body)).not.toContain('xxxx');
  });
});
