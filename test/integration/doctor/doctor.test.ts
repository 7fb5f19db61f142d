/**
 * `npm run doctor` against real peers on loopback: node-oidc-provider (the demo provider) as the upstream
 * and its userinfo endpoint as the account API. A good configuration passes; each broken one is named
 * by its own finding, with the setting to change, and exits non-zero.
 */
import { startDemoProvider, type DemoProvider } from '../../../tools/demo/demo-provider';
import type { Finding } from '../../../tools/doctor/report';
import { runDoctor } from '../../../tools/doctor/run-doctor';
import { AccountApiServer } from '../../support/account-api-server';
import { Cleanup } from '../../support/cleanup';
import { TEST_SEALING_KEY, TestClock } from '../../support/test-app';
import { freePort } from '../../support/free-port';

const PUBLIC_URL = 'https://linkbridge.example.com';
const UPSTREAM_CLIENT_ID = 'linkbridge-at-provider';
const UPSTREAM_CLIENT_SECRET = 'provider-issued-secret';

const cleanup = new Cleanup();
let provider: DemoProvider;
let closedPort: number;

beforeAll(async () => {
  provider = cleanup.add(
    await startDemoProvider({
      port: 0,
      clients: [{ clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET, redirectUris: [`${PUBLIC_URL}/oauth/callback`] }],
    }),
    (started) => started.close(),
  );
  closedPort = await freePort();
});
afterAll(() => cleanup.run());

/** What a deployment would set, pointed at the loopback provider. */
function goodEnv(): Record<string, string> {
  return {
    PUBLIC_URL,
    ALEXA_CLIENT_ID: 'alexa-skill',
    ALEXA_CLIENT_SECRET: 'alexa-secret-value',
    ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
    UPSTREAM_ISSUER: provider.issuer,
    UPSTREAM_CLIENT_ID,
    UPSTREAM_CLIENT_SECRET,
    UPSTREAM_SCOPE: 'openid profile email',
    ACCOUNT_API_URL: provider.userinfoUrl,
    STORE_URL: 'sqlite:/var/lib/linkbridge/linkbridge.sqlite',
    SEALING_KEYS: `k1:${TEST_SEALING_KEY}`,
  };
}

/** The provider's endpoints set one by one, with no issuer: nothing is discovered. */
function withoutDiscovery(): Record<string, string | undefined> {
  return { UPSTREAM_ISSUER: undefined, UPSTREAM_AUTHORIZATION_URL: `${provider.issuer}/auth`, UPSTREAM_TOKEN_URL: `${provider.issuer}/token` };
}

/** Real fetch on loopback; every call takes `delayMs` on the test clock, so durations are exact. */
function deps(delayMs = 40) {
  const clock = new TestClock();
  const timedFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    clock.advanceSeconds(delayMs / 1000);
    return response;
  };
  return { fetch: timedFetch, clock };
}

function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.severity === 'error');
}

test('a good configuration passes every check and exits 0', async () => {
  const { report, exitCode } = await runDoctor(goodEnv(), deps());
  expect(errorsOf(report.findings)).toEqual([]);
  expect(report.findings.filter((finding) => finding.severity === 'warning')).toEqual([]);
  expect(exitCode).toBe(0);
  const ok = new Set(report.findings.filter((finding) => finding.severity === 'ok').map((finding) => finding.check));
  expect([...ok].sort()).toEqual(
    ['account-api', 'authorization-endpoint', 'config', 'discovery', 'latency', 'public-url', 'scope', 'token-endpoint', 'token-lifetime'].sort(),
  );
  expect(report.findings.find((finding) => finding.check === 'token-endpoint')?.message).toMatch(/invalid_grant/);
  expect(report.findings.find((finding) => finding.check === 'latency')?.message).toBe('the token endpoint answered in 40 ms (Alexa waits 4500 ms)');
});

test('prints the redirect URI to register at the provider and the Alexa redirect URLs accepted', async () => {
  const { report } = await runDoctor(goodEnv(), deps());
  const details = report.findings.filter((finding) => finding.check === 'redirect-uris').map((finding) => finding.details);
  expect(details).toContainEqual({ 'redirect URI': `${PUBLIC_URL}/oauth/callback` });
  expect(details).toContainEqual({
    'accepted redirect URLs': [
      'https://alexa.amazon.co.jp/api/skill/link/M3BVP74N95SP1F',
      'https://layla.amazon.com/api/skill/link/M3BVP74N95SP1F',
      'https://pitangui.amazon.com/api/skill/link/M3BVP74N95SP1F',
    ],
  });
});

test('with UPSTREAM_PRESET=oidc the provider is read from its OpenID Connect discovery document only, as the service reads it', async () => {
  const requested: string[] = [];
  const base = deps();
  const recording: typeof fetch = (input, init) => {
    requested.push(String(input));
    return base.fetch(input, init);
  };
  const { report, exitCode } = await runDoctor({ ...goodEnv(), UPSTREAM_PRESET: 'oidc' }, { ...base, fetch: recording });
  expect(errorsOf(report.findings)).toEqual([]);
  expect(exitCode).toBe(0);
  expect(report.findings.find((finding) => finding.check === 'discovery')?.message).toBe(`metadata found at ${provider.issuer}/.well-known/openid-configuration`);
  expect(requested.filter((url) => url.includes('/.well-known/'))).not.toContain(`${provider.issuer}/.well-known/oauth-authorization-server`);
});

test("without UPSTREAM_SCOPE and ACCOUNT_API_URL the provider's discovery document gives both, as the service would use them", async () => {
  const { report, exitCode } = await runDoctor({ ...goodEnv(), UPSTREAM_SCOPE: undefined, ACCOUNT_API_URL: undefined }, deps());
  expect(errorsOf(report.findings)).toEqual([]);
  expect(exitCode).toBe(0);
  expect(report.findings.find((finding) => finding.check === 'scope')?.message).toBe('requests: openid profile email');
  expect(report.findings.find((finding) => finding.check === 'account-api')?.message).toMatch(
    new RegExp(`^${provider.userinfoUrl} \\(ACCOUNT_API_URL is not set: the provider's userinfo endpoint\\) answered HTTP (400|401)`),
  );
});

/** Each broken configuration: what it changes, and the one error it must produce. */
const BROKEN: Array<[string, () => Record<string, string | undefined>, { check: string; setting: string | RegExp; message: RegExp }]> = [
  [
    'wrong token URL path',
    () => ({ UPSTREAM_TOKEN_URL: `${provider.issuer}/oauth/tokens` }),
    { check: 'token-endpoint', setting: 'UPSTREAM_TOKEN_URL', message: /answered HTTP 404.*no token endpoint at this path/ },
  ],
  [
    'unreachable token host or port',
    () => ({ UPSTREAM_TOKEN_URL: `http://127.0.0.1:${closedPort}/token` }),
    { check: 'token-endpoint', setting: 'UPSTREAM_TOKEN_URL', message: /token: nothing accepts connections at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/ },
  ],
  [
    'unreachable issuer',
    () => ({ UPSTREAM_ISSUER: `http://127.0.0.1:${closedPort}` }),
    { check: 'discovery', setting: 'UPSTREAM_ISSUER', message: /oauth-authorization-server: nothing accepts connections/ },
  ],
  [
    'wrong client secret at the provider',
    () => ({ UPSTREAM_CLIENT_SECRET: 'a-secret-the-provider-never-issued' }),
    { check: 'token-endpoint', setting: 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET', message: /HTTP 401 invalid_client.*refused linkbridge's client credentials/ },
  ],
  ['HTTP PUBLIC_URL', () => ({ PUBLIC_URL: 'http://linkbridge.example.com' }), { check: 'public-url', setting: 'PUBLIC_URL', message: /is not HTTPS/ }],
  ['PUBLIC_URL on another port', () => ({ PUBLIC_URL: 'https://linkbridge.example.com:8443' }), { check: 'public-url', setting: 'PUBLIC_URL', message: /port 8443: Alexa calls only port 443/ }],
  ['no scope, and no discovery to give one', () => ({ ...withoutDiscovery(), UPSTREAM_SCOPE: undefined }), { check: 'scope', setting: 'UPSTREAM_SCOPE', message: /no scope is requested/ }],
  [
    'unreachable account API',
    () => ({ ACCOUNT_API_URL: `http://127.0.0.1:${closedPort}/me` }),
    { check: 'account-api', setting: 'ACCOUNT_API_URL', message: /nothing accepts connections at 127\.0\.0\.1/ },
  ],
  ['account API at a wrong path', () => ({ ACCOUNT_API_URL: `${provider.issuer}/profile` }), { check: 'account-api', setting: 'ACCOUNT_API_URL', message: /HTTP 404 without a token: there is no API at this path/ }],
  [
    'account API not set, and no userinfo endpoint to fall back on',
    () => ({ ...withoutDiscovery(), ACCOUNT_API_URL: undefined }),
    { check: 'account-api', setting: 'ACCOUNT_API_URL', message: /is not set and the provider names no userinfo endpoint/ },
  ],
  [
    'lower-case vendor id',
    () => ({ ALEXA_VENDOR_IDS: 'm3bvp74n95sp1f' }),
    { check: 'redirect-uris', setting: 'ALEXA_VENDOR_IDS', message: /vendor ids are upper case \(did you mean M3BVP74N95SP1F\?\).*ask smapi get-vendor-list/ },
  ],
  ['token lifetime under 360 s', () => ({ DEFAULT_EXPIRES_IN: '300' }), { check: 'token-lifetime', setting: 'DEFAULT_EXPIRES_IN', message: /DEFAULT_EXPIRES_IN: expects a whole number from 360/ }],
  [
    'no provider at all (demo mode)',
    () => ({ UPSTREAM_ISSUER: undefined, UPSTREAM_CLIENT_ID: undefined, UPSTREAM_CLIENT_SECRET: undefined, UPSTREAM_SCOPE: undefined }),
    { check: 'config', setting: 'UPSTREAM_ISSUER', message: /demo mode/ },
  ],
  [
    'provider credentials without an issuer or endpoints',
    () => ({ UPSTREAM_ISSUER: undefined }),
    { check: 'config', setting: 'UPSTREAM_AUTHORIZATION_URL', message: /would refuse to start: UPSTREAM_AUTHORIZATION_URL: is required/ },
  ],
];

test.each(BROKEN)('%s: its own error, with the setting to change and how, and exit code 1', async (_name, change, expected) => {
  const { report, exitCode } = await runDoctor({ ...goodEnv(), ...change() }, deps());
  const errors = errorsOf(report.findings);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ check: expected.check, setting: expected.setting, message: expect.stringMatching(expected.message) });
  expect(errors[0].fix).toEqual(expect.any(String));
  expect(exitCode).toBe(1);
});

test('the broken configurations give as many different messages as there are of them', async () => {
  const messages = new Set<string>();
  for (const [, change] of BROKEN) {
    const { report } = await runDoctor({ ...goodEnv(), ...change() }, deps());
    messages.add(errorsOf(report.findings)[0].message);
  }
  expect(messages.size).toBe(BROKEN.length);
});

test('a provider slower than Alexa waits is an error; a slow one a warning', async () => {
  const tooSlow = await runDoctor(goodEnv(), deps(4600));
  expect(errorsOf(tooSlow.report.findings)).toMatchObject([{ check: 'latency', message: expect.stringMatching(/took 4600 ms; Alexa gives up after 4500 ms/) }]);
  expect(tooSlow.exitCode).toBe(1);

  const slow = await runDoctor(goodEnv(), deps(2500));
  expect(slow.exitCode).toBe(0);
  expect(slow.report.findings.filter((finding) => finding.severity === 'warning')).toMatchObject([{ check: 'latency', message: expect.stringMatching(/took 2500 ms/) }]);
});

test('any account API that refuses a request without a token passes; one that answers it is a warning', async () => {
  const api = cleanup.add(await new AccountApiServer().start(), (started) => started.stop());
  api.behaviour = { status: 401, body: { message: 'token required' } };
  const refusing = await runDoctor({ ...goodEnv(), ACCOUNT_API_URL: api.url }, deps());
  expect(refusing.report.findings.filter((finding) => finding.check === 'account-api')).toMatchObject([{ severity: 'ok', message: expect.stringMatching(/answered HTTP 401 without a token/) }]);
  expect(api.requests[0].authorization).toBeUndefined();

  api.behaviour = { status: 200, body: { name: 'Ada' } };
  const open = await runDoctor({ ...goodEnv(), ACCOUNT_API_URL: api.url }, deps());
  expect(open.report.findings.filter((finding) => finding.check === 'account-api')).toMatchObject([{ severity: 'warning', setting: 'ACCOUNT_API_URL' }]);
  expect(open.exitCode).toBe(0);
});

test('no secret reaches the report', async () => {
  const { report } = await runDoctor({ ...goodEnv(), UPSTREAM_CLIENT_SECRET: 'a-secret-the-provider-never-issued' }, deps());
  const text = JSON.stringify(report);
  for (const secret of ['a-secret-the-provider-never-issued', 'alexa-secret-value', TEST_SEALING_KEY]) expect(text).not.toContain(secret);
});
