/**
 * Discovery of `UPSTREAM_ISSUER` goes through the provider transport like every call to the provider: one
 * deadline over the whole exchange (fired here by the test, never measured), a bounded body, no redirect
 * followed. Each failure stops the start with `UPSTREAM_ISSUER` and what the URL did.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
import { resolveProviderProfile } from '../../../linking/providers/presets';
import { MAX_RESPONSE_BYTES, PooledTransport } from '../../../linking/upstream/http-transport';
import { buildDeps } from '../../../deps';
import { ConfigError } from '../../../models/config';
import { Cleanup } from '../../support/cleanup';
import { ManualTimers } from '../../support/manual-timers';
import { CapturedLogs, captureLogger, testConfig } from '../../support/test-app';
import { startTrickleServer, type TrickleServer } from '../../support/trickle-server';

const TIMEOUT_MS = 1500;
const METADATA_PATH = '/.well-known/openid-configuration';

/** A document larger than any answer linkbridge reads from the provider. */
const oversized = JSON.stringify({ authorization_endpoint: 'https://idp.test/auth', token_endpoint: 'https://idp.test/token', padding: 'x'.repeat(MAX_RESPONSE_BYTES) });

function oidcConfig(issuer: string) {
  return testConfig({ UPSTREAM_PRESET: 'oidc', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: issuer, UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) });
}

const cleanup = new Cleanup();
let server: TrickleServer;
beforeAll(async () => {
  server = cleanup.add(
    await startTrickleServer({
      '/big/.well-known/openid-configuration': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(oversized),
      '/moved/.well-known/openid-configuration': (res) => res.writeHead(302, { location: '/elsewhere/.well-known/openid-configuration' }).end(),
      '/elsewhere/.well-known/openid-configuration': (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ authorization_endpoint: 'https://elsewhere.test/auth', token_endpoint: 'https://elsewhere.test/token' })),
    }),
    (started) => started.close(),
  );
});
afterAll(() => cleanup.run());

test('a metadata document that trickles forever ends at the deadline, which covers the whole exchange', async () => {
  const timers = new ManualTimers();
  const transport = cleanup.add(new PooledTransport({ timeoutMs: TIMEOUT_MS, timers }), (pooled) => pooled.close());
  const resolving = resolveProviderProfile(oidcConfig(`${server.url}/slow`).upstream, transport);
  let settled = false;
  void resolving.then(
    () => (settled = true),
    () => (settled = true),
  );
  const answer = await server.nextTrickle(10);
  expect(settled).toBe(false);
  expect(timers.pendingDelays).toEqual([TIMEOUT_MS]);

  timers.fireAll();
  await expect(resolving).rejects.toBeInstanceOf(ConfigError);
  await expect(resolving).rejects.toThrow(`UPSTREAM_ISSUER: no authorization server metadata: ${server.url}/slow${METADATA_PATH} did not answer within ${TIMEOUT_MS} ms (UPSTREAM_TIMEOUT_MS)`);
  await answer.closed;
});

test.each([
  ['pooled undici', () => cleanup.add(new PooledTransport({ timeoutMs: TIMEOUT_MS }), (pooled) => pooled.close())],
  ['an injected fetch', () => fetch],
])('a document larger than linkbridge reads is refused (%s)', async (_name, network) => {
  await expect(resolveProviderProfile(oidcConfig(`${server.url}/big`).upstream, network())).rejects.toThrow(
    `UPSTREAM_ISSUER: no authorization server metadata: ${server.url}/big${METADATA_PATH} answered with a document larger than linkbridge reads`,
  );
});

test('a redirect is not followed (pooled undici): the start says so, and the other URL is never asked', async () => {
  const transport = cleanup.add(new PooledTransport({ timeoutMs: TIMEOUT_MS }), (pooled) => pooled.close());
  await expect(resolveProviderProfile(oidcConfig(`${server.url}/moved`).upstream, transport)).rejects.toThrow(
    `UPSTREAM_ISSUER: no authorization server metadata: ${server.url}/moved${METADATA_PATH} answered HTTP 302, a redirect, which linkbridge does not follow`,
  );
  expect(server.paths).not.toContain('/elsewhere/.well-known/openid-configuration');
});

test('a redirect is not followed (an injected fetch)', async () => {
  await expect(resolveProviderProfile(oidcConfig(`${server.url}/moved`).upstream, fetch)).rejects.toThrow(
    `UPSTREAM_ISSUER: no authorization server metadata: ${server.url}/moved${METADATA_PATH} could not be fetched`,
  );
  expect(server.paths).not.toContain('/elsewhere/.well-known/openid-configuration');
});

test('a document that is not a JSON object is named as such', async () => {
  const answering = (text: string): typeof fetch => async () => new Response(text, { headers: { 'content-type': 'application/json' } });
  for (const text of ['[]', '"issuer"', '<html>']) {
    await expect(resolveProviderProfile(oidcConfig('https://idp.test').upstream, answering(text))).rejects.toThrow(`https://idp.test${METADATA_PATH} answered with no JSON object`);
  }
});

test('buildDeps discovers through its provider transport, so the start refuses a document larger than linkbridge reads', async () => {
  const config = oidcConfig(`${server.url}/big`);
  await expect(buildDeps(config, captureLogger(new CapturedLogs()))).rejects.toThrow(`${server.url}/big${METADATA_PATH} answered with a document larger than linkbridge reads`);
});
