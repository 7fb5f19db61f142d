/**
 * What the image does, without Docker: the bundle `npm run build` writes, with `package.json` and
 * `package-lock.json`, goes into a clean folder; the Dockerfile's own production install (`npm ci
 * --omit=dev`, from the npm cache) runs there; then its own `CMD` starts the server with Redis, in front
 * of a real OpenID provider. openid-client plays Alexa: it links through the relay, redeems the code,
 * refreshes, and the skill answers a linked intent. No dev dependency is on disk there (each one fails to
 * resolve), so none can have been loaded; the image's `HEALTHCHECK` command answers from the readiness
 * route, the metrics listener counts the flow, and SIGTERM ends the process cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoProvider, type DemoProvider } from '../../tools/demo/demo-provider';
import { bundleServer } from '../../tools/build/bundle';
import { intentRequest } from '../fixtures/skill/envelopes';
import { FormBrowser } from '../support/browser';
import { Cleanup } from '../support/cleanup';
import { execForm, optionsOf, parseDockerfile } from '../support/dockerfile';
import { freePort } from '../support/free-port';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV } from '../support/test-app';

type OpenIdClient = typeof import('openid-client');

const ROOT = join(__dirname, '..', '..');
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runStage = dockerfile.stages.at(-1)!;

/** The Dockerfile's production install: the `npm ci --omit=dev` of the stage the run stage takes node_modules from. */
function productionInstall(): string[] {
  const copy = runStage.instructions.find((instruction) => instruction.keyword === 'COPY' && instruction.args.includes('/app/node_modules'))!;
  const from = dockerfile.stages.find((stage) => stage.name === optionsOf(copy.args).options.from)!;
  const install = from.instructions.find((instruction) => instruction.keyword === 'RUN' && instruction.args.startsWith('npm ci --omit=dev'))!;
  return install.args.split(/\s+/);
}

/** The run stage's exec-form instruction `keyword` (`CMD`, or `HEALTHCHECK`'s `CMD`). */
function runCommand(keyword: 'CMD' | 'HEALTHCHECK'): string[] {
  const instruction = runStage.instructions.find((candidate) => candidate.keyword === keyword)!;
  const args = keyword === 'HEALTHCHECK' ? optionsOf(instruction.args).rest.replace(/^CMD\s+/, '') : instruction.args;
  return execForm(args)!;
}

/** The environment of a host that has only Node and npm: no npm lifecycle variables of the test run. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') && name !== 'NODE_OPTIONS' && !name.startsWith('LINKBRIDGE_') && !name.startsWith('JEST')) environment[name] = value;
  }
  return { ...environment, ...extra };
}

describeWithRedis('a production install in a clean folder, started as the image starts it', () => {
  const cleanup = new Cleanup();
  let folder: string;
  let redis: RedisServer;
  let provider: DemoProvider;
  let server: ChildProcess;
  let output = '';
  let base: string;
  let metricsPort: number;
  const port = { value: 0 };
  let oidc: OpenIdClient;

  beforeAll(async () => {
    oidc = await import('openid-client');
    folder = cleanup.add(mkdtempSync(join(tmpdir(), 'linkbridge-production-')), (dir) => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(join(ROOT, 'package.json'), join(folder, 'package.json'));
    copyFileSync(join(ROOT, 'package-lock.json'), join(folder, 'package-lock.json'));
    // What `npm run build` writes for the server (tools/build/bundle.ts), written straight into the clean folder.
    await bundleServer(ROOT, join(folder, 'dist', 'linkbridge.js'));

    const [npm, ...install] = productionInstall();
    // From the npm cache when it has every package (the registry only for what it lacks).
    const installed = spawnSync(npm, [...install, '--prefer-offline'], { cwd: folder, env: cleanEnvironment(), encoding: 'utf8', timeout: 8 * 60_000 });
    if (installed.status !== 0) throw new Error(`${[npm, ...install].join(' ')} failed (${installed.status}): ${installed.stderr.slice(-3000)}`);

    redis = cleanup.add(await startRedisServer(), (started) => started.stop());
    port.value = await freePort();
    metricsPort = await freePort();
    base = `http://127.0.0.1:${port.value}`;
    provider = cleanup.add(
      await startDemoProvider({
        port: 0,
        clients: [{ clientId: BASE_TEST_ENV.UPSTREAM_CLIENT_ID, clientSecret: BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET, redirectUris: [`${base}/oauth/callback`] }],
      }),
      (started) => started.close(),
    );

    const [command, ...args] = runCommand('CMD');
    server = cleanup.add(
      spawn(command === 'node' ? process.execPath : command, args, {
        cwd: folder,
        env: cleanEnvironment({
          NODE_ENV: 'production',
          PORT: String(port.value),
          HOST: '127.0.0.1',
          METRICS_PORT: String(metricsPort),
          PUBLIC_URL: base,
          ALEXA_CLIENT_ID: BASE_TEST_ENV.ALEXA_CLIENT_ID,
          ALEXA_CLIENT_SECRET: BASE_TEST_ENV.ALEXA_CLIENT_SECRET,
          ALEXA_VENDOR_IDS: BASE_TEST_ENV.ALEXA_VENDOR_IDS,
          ALEXA_VERIFY_SIGNATURE: 'false',
          UPSTREAM_PRESET: 'oidc',
          UPSTREAM_ISSUER: provider.issuer,
          UPSTREAM_CLIENT_ID: BASE_TEST_ENV.UPSTREAM_CLIENT_ID,
          UPSTREAM_CLIENT_SECRET: BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET,
          UPSTREAM_SCOPE: 'openid profile email',
          ACCOUNT_API_URL: provider.userinfoUrl,
          STORE_URL: redis.url,
          SEALING_KEYS: BASE_TEST_ENV.SEALING_KEYS,
          TRUST_PROXY: 'loopback',
          LOG_LEVEL: 'info',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
      (child) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    );
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (/linkbridge listening/.test(output)) resolve();
      };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      server.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output.slice(-3000)}`)));
    });
  }, 10 * 60_000);
  afterAll(() => cleanup.run());

  test('the folder holds no dev dependency: every one of them fails to resolve there', () => {
    const { devDependencies } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    // A dev dependency that a production dependency also needs (semver, say) is rightly there: the lock file
    // marks the ones nothing in production needs with `dev: true`, and those must be absent.
    const { packages } = JSON.parse(readFileSync(join(folder, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const names = Object.keys(devDependencies).filter((name) => packages[`node_modules/${name}`]?.dev === true);
    expect(names).toEqual(expect.arrayContaining(['typescript', 'esbuild', 'ts-node', 'jest', 'openid-client']));
    const probe = spawnSync(
      process.execPath,
      ['-e', `for (const name of ${JSON.stringify(names)}) { try { require.resolve(name + '/package.json'); console.log('found ' + name); } catch (e) { if (e.code !== 'MODULE_NOT_FOUND') throw e; } }`],
      { cwd: folder, env: cleanEnvironment(), encoding: 'utf8' },
    );
    expect(probe.status).toBe(0);
    expect(probe.stdout).toBe('');
    // The production dependencies the bundle leaves out are there, and load.
    const loads = spawnSync(process.execPath, ['-e', "require('better-sqlite3'); require('ioredis'); require('undici'); console.log('loaded')"], { cwd: folder, env: cleanEnvironment(), encoding: 'utf8' });
    expect(loads.stdout.trim()).toBe('loaded');
    const typescript = spawnSync(process.execPath, ['-e', "require.resolve('typescript')"], { cwd: folder, env: cleanEnvironment(), encoding: 'utf8' });
    expect(typescript.status).not.toBe(0);
    expect(typescript.stderr).toContain("Cannot find module 'typescript'");
  });

  test('links through the relay with openid-client, refreshes, and the skill answers a linked intent', async () => {
    const secret = BASE_TEST_ENV.ALEXA_CLIENT_SECRET;
    const config = new oidc.Configuration(
      { issuer: base, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token` },
      BASE_TEST_ENV.ALEXA_CLIENT_ID,
      undefined,
      oidc.ClientSecretBasic(secret),
    );
    oidc.allowInsecureRequests(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: ALEXA_REDIRECT_URI,
      scope: 'openid profile email',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const landing = new URL(await new FormBrowser().signIn(authorizationUrl.toString(), ALEXA_REDIRECT_URI));
    const tokens = await oidc.authorizationCodeGrant(config, landing, { pkceCodeVerifier: verifier, expectedState: state });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    const answer = await fetch(`${base}/alexa`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(intentRequest('GetNameIntent', { accessToken: refreshed.access_token })),
    });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(await answer.json())).toContain('Ada Lovelace');

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^linkbridge_code_redemptions_total\{outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^linkbridge_refreshes_total\{outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^linkbridge_skill_requests_total\{request="GetNameIntent",outcome="answered"\} 1$/m);
    for (const value of [tokens.access_token, tokens.refresh_token!, refreshed.access_token, secret]) expect(metrics.includes(value)).toBe(false);
  }, 60_000);

  test('the image\'s HEALTHCHECK command passes against the readiness route', () => {
    const [command, ...args] = runCommand('HEALTHCHECK');
    const check = spawnSync(command === 'node' ? process.execPath : command, args, { cwd: folder, env: cleanEnvironment({ PORT: String(port.value) }), encoding: 'utf8', timeout: 10_000 });
    expect(check.status).toBe(0);
    const elsewhere = spawnSync(command === 'node' ? process.execPath : command, args, { cwd: folder, env: cleanEnvironment({ PORT: String(metricsPort) }), encoding: 'utf8', timeout: 10_000 });
    expect(elsewhere.status).toBe(1);
  });

  test('SIGTERM stops the server cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/"signal":"SIGTERM"/);
  }, 30_000);
});
