/**
 * `npm start` runs the server bundled into one file (tools/build/bundle.ts). The bundle is built here and
 * started as a process: every part that is loaded late or left out of the bundle must still load from it
 * (axios at the first account API call, jose at the first sealed state, undici at the first provider
 * call, better-sqlite3 for the store, oidc-provider for the demo, the AWS SDK for a DynamoDB store).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleServer } from '../../tools/build/bundle';
import { intentRequest, launchRequest } from '../fixtures/skill/envelopes';
import { Cleanup } from '../support/cleanup';
import { describeWithDynamoDb, startDynalite, type Dynalite } from '../support/dynalite';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '..', '..');
const cleanup = new Cleanup();
let bundle: string;
let dataDir: string;
/** The provider's token endpoint and the account API, on loopback. */
let peers: Server;
let peersUrl: string;
const providerCalls: string[] = [];

beforeAll(async () => {
  // Inside the project, so the packages left out of the bundle resolve from its node_modules.
  const outDir = join(ROOT, 'test-artifacts', 'bundle');
  mkdirSync(outDir, { recursive: true });
  bundle = await bundleServer(ROOT, join(outDir, 'linkbridge.js'));
  dataDir = cleanup.add(mkdtempSync(join(tmpdir(), 'linkbridge-bundle-')), (dir) => rmSync(dir, { recursive: true, force: true }));
  peers = cleanup.add(
    createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/token') {
          providerCalls.push(body);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'fresh-access', token_type: 'Bearer', expires_in: 3600, refresh_token: 'fresh-refresh' }));
        } else if (req.url === '/me' && req.headers.authorization === 'Bearer linked-token') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'Ada Lovelace', given_name: 'Ada' }));
        } else res.writeHead(401).end();
      });
    }),
    (server) => new Promise((resolve) => server.close(resolve)),
  );
  peers.listen(0, '127.0.0.1');
  await once(peers, 'listening');
  peersUrl = `http://127.0.0.1:${(peers.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => cleanup.run());

/** Starts the bundle with `env` and resolves once its output matches `ready`. */
async function startBundle(env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = cleanup.add(spawn(process.execPath, [bundle], { cwd: dataDir, env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), (started) => {
    if (started.exitCode === null) started.kill('SIGKILL');
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`the bundle exited with ${code}: ${output.slice(-2000)}`)));
  });
  return child;
}

test('a configured start from the bundle answers the skill, the account API call, a refresh and the health check', async () => {
  const port = await freePort();
  await startBundle(
    {
      PORT: String(port),
      PUBLIC_URL: 'https://linkbridge.example.test',
      ALEXA_CLIENT_ID: 'alexa-client',
      ALEXA_CLIENT_SECRET: 'alexa-secret',
      ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
      UPSTREAM_AUTHORIZATION_URL: 'https://provider.example.test/authorize',
      UPSTREAM_TOKEN_URL: `${peersUrl}/token`,
      UPSTREAM_CLIENT_ID: 'linkbridge',
      UPSTREAM_CLIENT_SECRET: 'upstream-secret',
      UPSTREAM_SCOPE: 'profile',
      ACCOUNT_API_URL: `${peersUrl}/me`,
      STORE_URL: `sqlite:${join(dataDir, 'store.sqlite')}`,
      ALEXA_VERIFY_SIGNATURE: 'false',
    },
    /linkbridge listening/,
  );
  const base = `http://127.0.0.1:${port}`;
  const skill = (envelope: unknown) => fetch(`${base}/alexa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });

  const launch = await skill(launchRequest());
  expect(launch.status).toBe(200);
  expect(JSON.stringify(await launch.json())).toMatch(/outputSpeech/);

  const linked = await skill(intentRequest('GetNameIntent', { accessToken: 'linked-token' }));
  expect(linked.status).toBe(200);
  expect(JSON.stringify(await linked.json())).toContain('Ada Lovelace');

  const refresh = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('alexa-client:alexa-secret').toString('base64')}` },
    body: 'grant_type=refresh_token&refresh_token=old-refresh',
  });
  expect(refresh.status).toBe(200);
  expect(await refresh.json()).toMatchObject({ access_token: 'fresh-access', refresh_token: 'fresh-refresh', token_type: 'Bearer' });
  expect(providerCalls.at(-1)).toContain('refresh_token=old-refresh');

  // A sealed state (jose) on the way to the provider.
  const authorize = await fetch(
    `${base}/oauth/authorize?${new URLSearchParams({ client_id: 'alexa-client', response_type: 'code', state: 'alexa-state', redirect_uri: 'https://pitangui.amazon.com/api/skill/link/M3BVP74N95SP1F' })}`,
    { redirect: 'manual' },
  );
  expect(authorize.status).toBe(302);
  expect(new URL(authorize.headers.get('location')!).searchParams.get('state')).toMatch(/^ey/);

  expect((await fetch(`${base}/healthz`)).status).toBe(200);
}, 30_000);

test('a start with no configuration runs the demo provider from the bundle', async () => {
  const port = await freePort();
  const demoPort = await freePort();
  await startBundle({ PORT: String(port), DEMO_PROVIDER_PORT: String(demoPort), STORE_URL: 'memory:' }, /linkbridge is ready/);
  const discovery = await fetch(`http://127.0.0.1:${demoPort}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  expect(await discovery.json()).toMatchObject({ issuer: `http://localhost:${demoPort}` });
  expect((await fetch(`http://127.0.0.1:${port}/simulator`)).status).toBe(200);
}, 30_000);

describeWithDynamoDb('the bundle with a DynamoDB store', () => {
  let dynamo: Dynalite;
  beforeAll(async () => {
    dynamo = cleanup.add(await startDynalite(), (started) => started.stop());
  });

  test('loads the AWS SDK left out of the bundle and keeps a refresh answer in the table', async () => {
    const port = await freePort();
    await startBundle(
      {
        PORT: String(port),
        PUBLIC_URL: 'https://linkbridge.example.test',
        ALEXA_CLIENT_ID: 'alexa-client',
        ALEXA_CLIENT_SECRET: 'alexa-secret',
        ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
        UPSTREAM_AUTHORIZATION_URL: 'https://provider.example.test/authorize',
        UPSTREAM_TOKEN_URL: `${peersUrl}/token`,
        UPSTREAM_CLIENT_ID: 'linkbridge',
        UPSTREAM_CLIENT_SECRET: 'upstream-secret',
        UPSTREAM_SCOPE: 'profile',
        ACCOUNT_API_URL: `${peersUrl}/me`,
        STORE_URL: await dynamo.createTable('bundle'),
      },
      /linkbridge listening/,
    );
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const refresh = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('alexa-client:alexa-secret').toString('base64')}` },
      body: 'grant_type=refresh_token&refresh_token=bundle-refresh',
    });
    expect(refresh.status).toBe(200);
    expect(JSON.stringify(await dynamo.scan('bundle'))).toMatch(/refresh-answer:/);
  }, 30_000);
});
