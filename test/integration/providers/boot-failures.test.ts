/**
 * Boot stops with a message naming the variable or field, the way `main.ts` starts: `loadConfig`, then
 * `buildDeps` (which resolves the profile, with discovery).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildDeps } from '../../../deps';
import { ConfigError, loadConfig } from '../../../models/config';
import { Cleanup } from '../../support/cleanup';
import { BASE_TEST_ENV, CapturedLogs, captureLogger } from '../../support/test-app';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function boot(env: Record<string, string | undefined>, file?: unknown): Promise<unknown> {
  const config = loadConfig({ ...BASE_TEST_ENV, ...env, ...(file ? { LINKBRIDGE_CONFIG: 'linkbridge.json' } : {}) }, () => JSON.stringify(file));
  const deps = await buildDeps(config, captureLogger(new CapturedLogs()), { fetch: globalThis.fetch });
  cleanup.add(deps.store, (store) => store.close());
  return deps;
}

async function bootFailure(env: Record<string, string | undefined>, file?: unknown): Promise<ConfigError> {
  const failure = await boot(env, file).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(ConfigError);
  return failure as ConfigError;
}

test('an unknown preset names UPSTREAM_PRESET and the presets there are', async () => {
  const error = await bootFailure({ UPSTREAM_PRESET: 'gitlab' });
  expect(error.message).toBe('UPSTREAM_PRESET: expects one of oauth2 | oidc | github | wechat | wechat-official | facebook | slack | x, got "gitlab"');
});

test('a profile missing an endpoint names the variable and the file field', async () => {
  const error = await bootFailure({ UPSTREAM_TOKEN_URL: undefined }, { upstream: { profile: { name: 'acme' } } });
  expect(error.problems.map((problem) => problem.variable)).toEqual(['UPSTREAM_TOKEN_URL']);
  expect(error.message).toMatch(/upstream\.profile\.token\.url in LINKBRIDGE_CONFIG/);
});

test('an unknown profile field names it, with its path', async () => {
  const error = await bootFailure({}, { upstream: { profile: { token: { answer: { accessTokenPath: 'access_token' } } } } });
  expect(error.message).toBe('LINKBRIDGE_CONFIG: upstream.profile.token.answer.accessTokenPath: is not a known field here');
});

describe('an oidc issuer whose discovery cannot be fetched names UPSTREAM_ISSUER and why', () => {
  const oidcEnv = { UPSTREAM_PRESET: 'oidc', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined };

  test('nothing listens there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await bootFailure({ ...oidcEnv, UPSTREAM_ISSUER: `http://127.0.0.1:${port}` });
    expect(error.message).toBe(`UPSTREAM_ISSUER: no authorization server metadata: http://127.0.0.1:${port}/.well-known/openid-configuration could not be fetched (ECONNREFUSED)`);
  });

  test('the issuer has no metadata document', async () => {
    const server = cleanup.add(
      createServer((_req, res) => res.writeHead(404).end('not found')),
      (started) => new Promise<void>((resolve) => started.close(() => resolve())),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await bootFailure({ ...oidcEnv, UPSTREAM_ISSUER: `http://127.0.0.1:${port}` });
    expect(error.message).toMatch(/^UPSTREAM_ISSUER: .*openid-configuration answered HTTP 404$/);
  });
});
