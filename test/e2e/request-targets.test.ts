/**
 * Request targets in every form RFC 9112 §3.2 names, and the malformed ones a fuzzer sends, written as raw
 * bytes to every route of a real linkbridge process (demo mode: the embedded provider runs in the same
 * process). After each batch the process must still be running and serving; at the end the same process
 * links an account end to end (openid-client playing Alexa, the demo oidc-provider upstream) and the
 * skill answers with the linked account.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2 (origin-, absolute-, authority- and asterisk-form)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { intentRequest } from '../fixtures/skill/envelopes';
import { FormBrowser } from '../support/browser';
import { Cleanup } from '../support/cleanup';
import { freePort } from '../support/free-port';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const cleanup = new Cleanup();
let child: ChildProcess;
let output = '';
let port: number;
let providerPort: number;
let base: string;

beforeAll(async () => {
  port = await freePort();
  providerPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = cleanup.add(
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        DEMO_PROVIDER_PORT: String(providerPort),
        STORE_URL: 'memory:',
        // The skill is called directly below, as Alexa would call it, without a signing certificate.
        ALEXA_VERIFY_SIGNATURE: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    async (started) => {
      if (started.exitCode !== null) return;
      started.kill('SIGKILL');
      await once(started, 'exit');
    },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('linkbridge is ready')) {
    if (child.exitCode !== null) throw new Error(`linkbridge exited at start:\n${output}`);
    if (Date.now() > deadline) throw new Error(`linkbridge did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 90_000);
afterAll(() => cleanup.run());

/** The status code of the first answer to `bytes` written raw; `undefined` when the connection closed with none. */
async function raw(bytes: Buffer | string, target = port): Promise<number | undefined> {
  const socket = new Socket();
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.connect(target, '127.0.0.1');
  await once(socket, 'connect');
  // Written, not ended: a client that half-closes tells Node's server to drop answers still being made.
  socket.write(bytes);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([once(socket, 'close'), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  socket.destroy();
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(received)?.[1];
  return status === undefined ? undefined : Number(status);
}

function requestLine(method: string, target: string | Buffer, headers = 'Host: x\r\n'): Buffer {
  return Buffer.concat([Buffer.from(`${method} `), Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'), Buffer.from(` HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`)]);
}

/** Every target form, for one route: good, bad and strange. */
function targetsFor(path: string): Array<{ name: string; target: string | Buffer }> {
  const query = '?state=x&code=y&client_id=c&redirect_uri=r';
  return [
    { name: 'origin-form', target: `${path}${query}` },
    { name: 'absolute-form, good authority', target: `http://linkbridge.example${path}${query}` },
    { name: 'absolute-form, https', target: `https://127.0.0.1:${port}${path}${query}` },
    { name: 'absolute-form, bad authority (percent)', target: `http://exa%mple.test${path}${query}` },
    { name: 'absolute-form, bad authority (port)', target: `http://host:99999${path}` },
    { name: 'absolute-form, bad authority (brackets)', target: `http://[::1${path}` },
    { name: 'absolute-form, empty authority', target: `http://${path}` },
    { name: 'absolute-form, other scheme', target: `ftp://example.test${path}` },
    { name: 'absolute-form, no slashes', target: `http:${path}` },
    { name: 'authority-form', target: 'linkbridge.example:443' },
    { name: 'asterisk-form', target: '*' },
    { name: 'malformed percent-encoding', target: `${path}?state=%&code=%E0%A4%A&x=%zz` },
    { name: 'malformed percent-encoding in the path', target: `${path}%%2` },
    { name: 'overlong UTF-8 percent-encoding', target: `${path}?state=%C0%AF%E0%80%AF&code=%F0%80%80%AF` },
    { name: 'encoded slash and dot segments', target: `${path}/..%2f..%2fetc` },
    { name: 'control bytes', target: Buffer.from(`${path}?state=\x01\x7f`, 'latin1') },
    { name: 'non-ASCII bytes', target: Buffer.concat([Buffer.from(`${path}?state=`), Buffer.from([0xc3, 0xa9, 0xff, 0xfe])]) },
    { name: 'doubled slashes', target: `/${path}//${query}` },
    { name: 'backslashes', target: `${path.replace(/\//g, '\\')}${query}` },
    { name: 'very long path', target: `${path}/${'a'.repeat(20_000)}` },
    { name: 'very long query', target: `${path}?state=${'s'.repeat(7000)}&code=${'c'.repeat(7000)}` },
    { name: 'empty target', target: '' },
  ];
}

const ROUTES = ['/oauth/authorize', '/oauth/callback', '/oauth/token', '/alexa', '/healthz', '/', '/privacy', '/simulator', '/simulator/link', '/simulator/api/session', '/nope'];

async function stillServing(): Promise<void> {
  expect(child.exitCode).toBeNull();
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
}

describe.each(ROUTES)('every request target form to %s', (path) => {
  test('each gets an HTTP answer below 500, and the process keeps serving', async () => {
    const answers: Record<string, Array<number | undefined>> = {};
    for (const { name, target } of targetsFor(path)) {
      answers[name] = [];
      for (const method of ['GET', 'POST', 'OPTIONS']) answers[name].push(await raw(requestLine(method, target, method === 'POST' ? 'Host: x\r\nContent-Length: 0\r\n' : 'Host: x\r\n')));
      // A cookie that does not decode, where the simulator reads its session cookie.
      answers[name].push(await raw(requestLine('GET', target, 'Host: x\r\nCookie: linkbridge_simulator=%E0%A4%A; other=%\r\n')));
    }
    const unanswered = Object.entries(answers).filter(([, statuses]) => statuses.some((status) => status === undefined || status >= 500));
    expect(unanswered).toEqual([]);
    // The request the service was first stopped by: now a 4xx.
    if (path === '/oauth/callback') expect(answers['absolute-form, bad authority (percent)']).toEqual([400, 400, 400, 400]);
    await stillServing();
  });
});

test('the embedded demo provider, in the same process, answers a bad authority and keeps serving', async () => {
  for (const target of ['http://exa%mple.test/interaction/x', 'http://[::1/.well-known/openid-configuration', '*', 'host:443']) {
    const status = await raw(requestLine('GET', target), providerPort);
    expect(status).toBeDefined();
    expect(status!).toBeLessThan(500);
  }
  const discovery = await fetch(`http://127.0.0.1:${providerPort}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  await stillServing();
});

test('the same process then links an account end to end and answers the skill', async () => {
  const oidc = await import('openid-client');
  const redirectUri = `${base}/simulator/link`;
  const config = new oidc.Configuration(
    { issuer: base, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token` },
    'linkbridge-demo-alexa',
    undefined,
    oidc.ClientSecretBasic('linkbridge-demo-alexa-secret'),
  );
  oidc.allowInsecureRequests(config);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const landing = new URL(await new FormBrowser().signIn(authorizationUrl.toString(), redirectUri));
  const tokens = await oidc.authorizationCodeGrant(config, landing, { pkceCodeVerifier: verifier, expectedState: state });

  const answer = await fetch(`${base}/alexa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(intentRequest('GetNameIntent', { accessToken: tokens.access_token })),
  });
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { response: { outputSpeech: { ssml: string } } };
  expect(body.response.outputSpeech.ssml).toContain('Ada Lovelace');
  expect(child.exitCode).toBeNull();
  // Unreadable targets are logged without their text.
  expect(output).toContain('"path":"(unreadable request target)"');
  expect(output).not.toContain('exa%mple');
});
