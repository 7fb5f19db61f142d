/**
 * The account API client: what it sends and how it reads each answer, through a transport the test plays;
 * then its own axios transport against a real server on loopback that trickles its answer forever. The
 * deadline runs on timers the test fires, so the tests prove the whole exchange, body included, ends when
 * the deadline does, without measuring how long anything took; the skill then answers well inside
 * Alexa's 8 s.
 * @see ../../../../shared/ALEXA-LINKING.md "The skill side"
 */
import { gzipSync } from 'node:zlib';
import { TransportError, type CallOptions, type HttpTransport, type IncomingResponse, type OutgoingRequest } from '../../../models/outbound-http';
import { AccountApiClient, AccountApiError, accountApiTransport, MAX_PROFILE_BYTES } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { intentRequest } from '../../fixtures/skill/envelopes';
import { Cleanup } from '../../support/cleanup';
import { ManualTimers } from '../../support/manual-timers';
import { CapturedLogs, captureLogger, testConfig, testDeps } from '../../support/test-app';
import { startTrickleServer, type TrickleServer } from '../../support/trickle-server';

const TOKEN = 'trickle-test-access-token';
const TIMEOUT_MS = 200;

/** A transport the test plays: records each request and answers with `answer`. */
class ScriptedTransport implements HttpTransport {
  readonly calls: Array<{ readonly request: OutgoingRequest; readonly options?: CallOptions }> = [];

  constructor(private readonly answer: () => IncomingResponse) {}

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    this.calls.push({ request, options });
    return this.answer();
  }
}

const answering = (status: number, text: string) => new ScriptedTransport(() => ({ status, headers: { 'content-type': 'application/json' }, text }));

describe('the client, over a transport the test plays', () => {
  test('sends GET with the bearer token and asks for JSON, with the configured deadline', async () => {
    const transport = answering(200, '{"name":"Ada"}');
    expect(await new AccountApiClient('https://api.test/me', 1234, transport).fetchProfile(TOKEN)).toEqual({ name: 'Ada' });
    expect(transport.calls).toEqual([
      { request: { method: 'GET', url: 'https://api.test/me', headers: { accept: 'application/json', authorization: `Bearer ${TOKEN}` } }, options: { timeoutMs: 1234 } },
    ]);
  });

  test.each([401, 403])('HTTP %i means the token was refused: the link must be renewed', async (status) => {
    await expect(new AccountApiClient('https://api.test/me', 1000, answering(status, '{}')).fetchProfile(TOKEN)).rejects.toMatchObject({ kind: 'unauthorized', httpStatus: status });
  });

  test.each([
    ['HTTP 500', answering(500, '{}'), { kind: 'unavailable', httpStatus: 500 }],
    ['HTTP 302 (redirects are not followed)', answering(302, ''), { kind: 'unavailable', httpStatus: 302 }],
    ['a body that is not JSON', answering(200, '<html>'), { kind: 'unavailable', httpStatus: 200, reason: 'not a JSON object' }],
    ['a JSON array', answering(200, '[{"name":"Ada"}]'), { kind: 'unavailable', httpStatus: 200, reason: 'not a JSON object' }],
    ['a JSON string', answering(200, '"Ada"'), { kind: 'unavailable', httpStatus: 200, reason: 'not a JSON object' }],
  ])('%s is unavailable', async (_label, transport, expected) => {
    await expect(new AccountApiClient('https://api.test/me', 1000, transport).fetchProfile(TOKEN)).rejects.toMatchObject(expected);
  });

  test.each([
    ['a timeout', new TransportError('timeout', 'https://api.test/me'), 'timeout'],
    ['a refused connection', new TransportError('network', 'https://api.test/me', 'ECONNREFUSED'), 'network (ECONNREFUSED)'],
    ['a compressed bomb', new TransportError('too_large', 'https://api.test/me', 'DECODED_SIZE'), 'too_large (DECODED_SIZE)'],
    [
      'an error holding the request',
      Object.assign(new Error(`request failed with Authorization: Bearer ${TOKEN}`), { config: { headers: { Authorization: `Bearer ${TOKEN}` } } }),
      'network',
    ],
  ])('a call with no answer (%s) is unavailable with its reason, and the error carries no token', async (_label, thrown, reason) => {
    const transport = new ScriptedTransport(() => {
      throw thrown;
    });
    const failure = new AccountApiClient('https://api.test/me', 1000, transport).fetchProfile(TOKEN);
    await expect(failure).rejects.toBeInstanceOf(AccountApiError);
    await expect(failure).rejects.toMatchObject({ kind: 'unavailable', reason });
    // Nothing of the failed call travels with the error: not in its message, not as its cause.
    await expect(failure).rejects.not.toThrow(TOKEN);
    await expect(failure).rejects.not.toHaveProperty('cause');
  });

  test('with no ACCOUNT_API_URL nothing is called', async () => {
    const transport = answering(200, '{}');
    await expect(new AccountApiClient(undefined, 1000, transport).fetchProfile(TOKEN)).rejects.toMatchObject({ kind: 'not_configured' });
    expect(transport.calls).toHaveLength(0);
  });

  test('buildDeps gives the skill\'s client the injected transport', async () => {
    const transport = answering(200, '{"name":"Grace"}');
    const deps = await testDeps({ env: { ACCOUNT_API_URL: 'https://api.test/userinfo' }, accountApiTransport: transport });
    expect(await deps.skill!.accountApi!.fetchProfile(TOKEN)).toEqual({ name: 'Grace' });
    expect(transport.calls.map((call) => call.request.url)).toEqual(['https://api.test/userinfo']);
  });
});

describe('its axios transport, against a server on loopback', () => {
  const cleanup = new Cleanup();
  let server: TrickleServer;
  beforeAll(async () => {
    server = cleanup.add(
      await startTrickleServer({
        '/huge': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'x'.repeat(1024 * 1024) })),
        '/gzip': (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify({ name: 'Ada Lovelace' }))),
      }),
      (started) => started.close(),
    );
  });
  afterAll(() => cleanup.run());
  const client = (path: string, timers: ManualTimers) => new AccountApiClient(`${server.url}${path}`, TIMEOUT_MS, accountApiTransport(TIMEOUT_MS, timers));

  test('a server that trickles its answer forever holds the call until the deadline, which ends it and its connection', async () => {
    const timers = new ManualTimers();
    const call = client('/me', timers).fetchProfile(TOKEN);
    let settled = false;
    void call.then(
      () => (settled = true),
      () => (settled = true),
    );
    const answer = await server.nextTrickle(10);
    expect(settled).toBe(false);
    expect(timers.pendingDelays).toEqual([TIMEOUT_MS]);

    timers.fireAll();
    await expect(call).rejects.toBeInstanceOf(AccountApiError);
    await expect(call).rejects.toMatchObject({ kind: 'unavailable', reason: 'timeout' });
    // The connection is dropped, not left reading a body nobody wants.
    await answer.closed;
  });

  test('the user hears the short apology once the deadline passes, and the token stays out of the logs', async () => {
    const logs = new CapturedLogs();
    const timers = new ManualTimers();
    const skill = buildSkill(testConfig(), captureLogger(logs), { accountApi: client('/me', timers) });
    const answered = skill.invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }));
    await server.nextTrickle(5);
    timers.fireAll();
    const response = await answered;
    expect(response.response.outputSpeech).toEqual({
      type: 'SSML',
      ssml: '<speak>Sorry, I could not reach your account just now. Please try again in a moment.</speak>',
    });
    expect(response.response.shouldEndSession).toBe(true);
    expect(logs.text).toContain('timeout');
    expect(logs.text).not.toContain(TOKEN);
  });

  test('a timely answer clears its deadline', async () => {
    const timers = new ManualTimers();
    expect(await client('/gzip', timers).fetchProfile(TOKEN)).toEqual({ name: 'Ada Lovelace' });
    expect(timers.pendingDelays).toEqual([]);
  });

  test(`an answer far larger than any profile (over ${MAX_PROFILE_BYTES / 1024} KiB) is refused, not read into memory`, async () => {
    await expect(client('/huge', new ManualTimers()).fetchProfile(TOKEN)).rejects.toMatchObject({
      kind: 'unavailable',
      reason: 'too_large (SIZE)',
    });
  });
});
