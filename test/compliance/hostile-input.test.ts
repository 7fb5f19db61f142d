/**
 * A few thousand generated malformed requests against every route: fuzzed, repeated and nested
 * parameters, huge headers and bodies, wrong methods and content types. Whatever arrives: no 5xx, no
 * redirect outside the provider and Alexa's allowlist, no crash, and no secret in the logs.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (never redirect to an unchecked URI), #section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1 (open redirectors)
 */
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { createApp } from '../../app';
import { Cleanup } from '../support/cleanup';
import { basic, FakeProvider, json } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, TestClock, testDeps } from '../support/test-app';

jest.setTimeout(120_000);

/** How many generated requests; bounded so the suite stays a few seconds long. */
const REQUESTS = 3000;
const CONCURRENCY = 8;

/** A small deterministic generator (mulberry32), so a failure can be replayed with the same seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const random = generator(SEED);

const ROUTES = ['/oauth/authorize', '/oauth/callback', '/oauth/token', '/alexa', '/healthz', '/oauth/token/', '/oauth//callback', '/OAUTH/TOKEN', '/nope', '/oauth/authorize/..%2ftoken'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const NAMES = [
  'client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code', 'code_challenge', 'code_challenge_method', 'grant_type',
  'refresh_token', 'code_verifier', 'client_secret', 'error', 'error_description', '__proto__', 'constructor', 'a[b]', 'a[b][c][d]', 'x[]', '',
];
const EVIL_REDIRECTS = ['https://evil.example/api/skill/link/M3BVP74N95SP1F', `${ALEXA_REDIRECT_URI}/../evil`, `${ALEXA_REDIRECT_URI}?x=1`, `${ALEXA_REDIRECT_URI}#f`, 'javascript:alert(1)', '//evil.example', `${ALEXA_REDIRECT_URI.toUpperCase()}`, `${ALEXA_REDIRECT_URI}%00`];

/** Values a secret check can find later: anything sent as a code, token or secret. */
const presentedSecrets = new Set<string>();

function value(name: string, states: readonly string[]): string {
  const kinds: Array<() => string> = [
    () => '',
    () => 'x'.repeat(random.int(6000)),
    () => '%',
    () => '%E0%A4%A',
    () => '\u0000\u0001\u00ff',
    () => '𝓤𝓷𝓲𝓬𝓸𝓭𝓮' + '\uD800',
    () => random.pick(EVIL_REDIRECTS),
    () => ALEXA_REDIRECT_URI,
    () => BASE_TEST_ENV.ALEXA_CLIENT_ID,
    () => random.pick(['code', 'token', 'id_token', 'code token', 'CODE']),
    () => random.pick(['authorization_code', 'refresh_token', 'password', 'client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer']),
    () => random.pick(['S256', 'plain', 's256']),
    () => (states.length > 0 ? random.pick(states) : 'no-state'),
    () => `${random.pick(states.length > 0 ? states : ['a.b.c.d.e'])}x`,
    () => JSON.stringify({ nested: { deep: [1, 2, { x: 'y' }] } }),
    () => `secret-${random.int(1e9).toString(36)}-${random.int(1e9).toString(36)}`,
  ];
  const generated = random.pick(kinds)();
  if (['code', 'refresh_token', 'client_secret', 'code_verifier'].includes(name) && generated.startsWith('secret-')) presentedSecrets.add(generated);
  return generated;
}

/** Percent-encodes any string, lone surrogates included (as the UTF-8 replacement character). */
function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

function query(states: readonly string[]): string {
  const parts: string[] = [];
  const count = random.int(12);
  for (let i = 0; i < count; i += 1) {
    const name = random.pick(NAMES);
    const text = value(name, states);
    // Mostly encoded, sometimes raw (with what an HTTP client lets through), sometimes repeated.
    const encoded = random.next() < 0.8 ? encode(text) : text.replace(/[^\x21-\x7e]/g, '%').replace(/#/g, '%23');
    parts.push(`${encodeURIComponent(name)}=${encoded}`);
    if (random.next() < 0.1) parts.push(`${encodeURIComponent(name)}=${encoded}`);
  }
  return parts.join('&');
}

interface Generated {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

function generate(states: readonly string[]): Generated {
  const route = random.pick(ROUTES);
  const method = random.next() < 0.6 ? (route === '/oauth/token' ? 'POST' : 'GET') : random.pick(METHODS);
  const search = random.next() < 0.9 ? `?${query(states)}` : '';
  const headers: Record<string, string> = {};
  if (random.next() < 0.5) {
    const secret = random.next() < 0.5 ? BASE_TEST_ENV.ALEXA_CLIENT_SECRET : `secret-${random.int(1e9).toString(36)}`;
    if (secret.startsWith('secret-')) presentedSecrets.add(secret);
    headers.authorization = random.pick([
      basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, secret),
      `Basic ${Buffer.from(`${'a'.repeat(random.int(3000))}:${secret}`).toString('base64')}`,
      'Basic !!!not-base64!!!',
      'Basic ',
      `Bearer ${secret}`,
      `Basic ${Buffer.from(':').toString('base64')}`,
      `Basic ${Buffer.from('%E0%A4%A:%').toString('base64')}`,
    ]);
  }
  if (random.next() < 0.03) headers['x-huge'] = 'h'.repeat(20_000 + random.int(20_000));
  if (random.next() < 0.05) headers.cookie = 'c'.repeat(random.int(8000));
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' && random.next() < 0.9) {
    headers['content-type'] = random.pick([
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded; charset=koi8-r',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=utf-16',
      '',
    ]);
    body = random.pick<() => Buffer>([
      () => Buffer.from(query(states)),
      () => Buffer.from(JSON.stringify({ grant_type: 'refresh_token', refresh_token: { $gt: '' } })),
      () => Buffer.from('x'.repeat(17 * 1024 + random.int(200_000))),
      () => Buffer.from(Array.from({ length: random.int(4000) }, () => random.int(256))),
      () => Buffer.from(`grant_type=refresh_token&refresh_token=${encode(value('refresh_token', states))}`),
      () => Buffer.from(`grant_type=authorization_code&code=${encode(value('code', states))}&redirect_uri=${encodeURIComponent(ALEXA_REDIRECT_URI)}&grant_type=refresh_token`),
      () => Buffer.from('--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nrefresh_token\r\n--x--'),
    ])();
  }
  return { method, path: `${route}${search}`, headers, body };
}

interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly request: Generated;
}

function send(baseUrl: string, agent: Agent, generated: Generated): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    let req;
    try {
      req = httpRequest(`${baseUrl}${generated.path}`, { method: generated.method, headers: generated.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, request: generated }));
        res.on('error', () => resolve(undefined));
      });
    } catch {
      // The HTTP client itself refused to send it (invalid characters): nothing reached the server.
      resolve(undefined);
      return;
    }
    // A server that closes the connection on a request too large to read is answering, not crashing.
    req.on('error', () => resolve(undefined));
    req.end(generated.body);
  });
}

/** Requests no HTTP client library would produce, by what is wrong with them. */
const RAW_REQUESTS: ReadonlyArray<readonly [name: string, raw: string]> = [
  ['Content-Length and Transfer-Encoding together', 'GET /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['a negative Content-Length', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
  ['a NUL in the target', 'GET /oauth/authorize?\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['a 70 kB target', `GET /oauth/callback?state=${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['a body shorter than its Content-Length', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=refresh'],
];

/** Sends a raw request line and headers that no HTTP client library would produce; resolves with what came back. */
function sendRaw(port: number, raw: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.connect(port, '127.0.0.1', () => socket.end(raw));
  });
}

const cleanup = new Cleanup();
let server: Server;
let baseUrl = '';
let port = 0;
const logs = new CapturedLogs();
const provider = new FakeProvider();
const clock = new TestClock();
beforeAll(async () => {
  provider.respond = (request) =>
    request.body.get('refresh_token')?.startsWith('secret-') || request.body.get('code')
      ? json(200, { access_token: 'issued-access-token-value', token_type: 'bearer', expires_in: 3600, refresh_token: 'issued-refresh-token-value' })
      : json(400, { error: 'invalid_grant' });
  const deps = await testDeps({ env: { LOG_LEVEL: 'trace', UPSTREAM_TIMEOUT_MS: '2000' }, logs, clock, fetch: provider.fetch });
  cleanup.add(deps.store, (store) => store.close());
  server = cleanup.add(createServer(createApp(deps)), (started) => {
    started.closeAllConnections();
    return new Promise<void>((resolve) => started.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
});
afterAll(() => cleanup.run());

/** Where a redirect may go: the provider's authorization endpoint or exactly an allowlisted Alexa URI. */
function allowedRedirect(location: string): boolean {
  const withoutParams = location.split(/[?#]/)[0];
  return withoutParams === BASE_TEST_ENV.UPSTREAM_AUTHORIZATION_URL || withoutParams === ALEXA_REDIRECT_URI;
}

test(`${REQUESTS} generated malformed requests: no 5xx, no foreign redirect, no crash, no secret in the logs (seed ${SEED}); ${RAW_REQUESTS.length} raw ones: each answered with a 4xx`, async () => {
  const agent = cleanup.add(new Agent({ keepAlive: true, maxSockets: CONCURRENCY }), (made) => made.destroy());
  // Real sealed states, so fuzzed callbacks also get past the state check now and then.
  const states: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const answer = await fetch(`${baseUrl}/oauth/authorize?${new URLSearchParams({ client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID, response_type: 'code', redirect_uri: ALEXA_REDIRECT_URI, state: `s${i}` })}`, { redirect: 'manual' });
    states.push(new URL(answer.headers.get('location')!).searchParams.get('state')!);
  }

  const answers: Answer[] = [];
  let unsent = 0;
  for (let sent = 0; sent < REQUESTS; sent += CONCURRENCY) {
    const batch = await Promise.all(Array.from({ length: Math.min(CONCURRENCY, REQUESTS - sent) }, () => send(baseUrl, agent, generate(states))));
    for (const answer of batch) {
      if (answer) answers.push(answer);
      else unsent += 1;
    }
    // A second per batch: the callback's rate bound lets some of them through to the store.
    clock.advanceSeconds(1);
  }

  // Almost everything reached the server and got an answer.
  expect(answers.length).toBeGreaterThan(REQUESTS * 0.9);
  expect(unsent).toBeLessThan(REQUESTS * 0.1);
  const serverErrors = answers.filter((answer) => answer.status >= 500);
  expect(serverErrors.map((answer) => `${answer.status} ${answer.request.method} ${answer.request.path.slice(0, 200)}`)).toEqual([]);
  const foreign = answers.filter((answer) => answer.location !== undefined && !allowedRedirect(answer.location));
  expect(foreign.map((answer) => answer.location!.slice(0, 200))).toEqual([]);
  // The fuzz went deep: codes were issued and redeemed, and errors of every kind came back.
  const statuses = new Set(answers.map((answer) => answer.status));
  for (const status of [200, 302, 400, 401, 404, 405]) expect(statuses).toContain(status);

  // Raw requests no client library would send: each gets a status line with a 4xx. A connection that
  // closes, or times out, with no answer at all is a failure too: the sender learns nothing.
  const rawAnswers: Array<{ request: string; status: string }> = [];
  for (const [name, raw] of RAW_REQUESTS) {
    const answer = await sendRaw(port, raw);
    rawAnswers.push({ request: name, status: /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? `no status line (got ${JSON.stringify(answer.slice(0, 40))})` });
  }
  expect(rawAnswers.filter((answer) => !/^4\d\d$/.test(answer.status))).toEqual([]);

  // Still alive and serving.
  expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

  // No secret that was presented or issued is in the logs.
  const logText = logs.text;
  expect(logText.length).toBeGreaterThan(0);
  expect(presentedSecrets.size).toBeGreaterThan(100);
  for (const secret of [...presentedSecrets, BASE_TEST_ENV.ALEXA_CLIENT_SECRET, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET, 'issued-access-token-value', 'issued-refresh-token-value', ...states]) {
    expect(logText.includes(secret)).toBe(false);
  }
});
