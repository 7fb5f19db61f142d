/**
 * `npm run doctor` against real peers on loopback: node-oidc-provider (the demo provider) as the upstream
 * and its userinfo endpoint as the account API. A good configuration passes; each broken one is named
 * by its own finding, with the setting to change, and exits non-zero.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoProvider, type DemoProvider } from '../../../tools/demo/demo-provider';
import { CHECK_NAMES, formatReport, type Finding } from '../../../tools/doctor/report';
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
/** Where `npm run skill:package` would have written `accountLinking.json`; empty unless a test writes it. */
let workingDirectory: string;

beforeAll(async () => {
  provider = cleanup.add(
    await startDemoProvider({
      port: 0,
      clients: [{ clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET, redirectUris: [`${PUBLIC_URL}/oauth/callback`] }],
    }),
    (started) => started.close(),
  );
  closedPort = await freePort();
  workingDirectory = cleanup.add(mkdtempSync(join(tmpdir(), 'doctor-')), (directory) => rmSync(directory, { recursive: true, force: true }));
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
  return { fetch: timedFetch, clock, accountLinkingPath: join(workingDirectory, 'accountLinking.json') };
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
  [
    'no scope, and no discovery to give one',
    () => ({ ...withoutDiscovery(), UPSTREAM_SCOPE: undefined }),
    { check: 'config', setting: 'UPSTREAM_SCOPE', message: /would refuse to start: UPSTREAM_SCOPE: is not set/ },
  ],
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
    { check: 'config', setting: 'ALEXA_VENDOR_IDS', message: /vendor ids are upper case \(did you mean M3BVP74N95SP1F\?\).*ask smapi get-vendor-list/ },
  ],
  ['token lifetime under 360 s', () => ({ DEFAULT_EXPIRES_IN: '300' }), { check: 'config', setting: 'DEFAULT_EXPIRES_IN', message: /DEFAULT_EXPIRES_IN: expects a whole number from 360/ }],
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

describe('one error per cause; what depends on it is skipped, after it, naming it', () => {
  /** The report's lines: no skipped check is printed before the error it waits on. */
  function expectSkipsAfterTheirErrors(findings: readonly Finding[]) {
    const text = formatReport({ ok: false, errors: 1, warnings: 0, findings });
    const firstError = text.indexOf('[ERROR]');
    expect(firstError).toBeGreaterThan(0);
    expect(text.indexOf('[skip]')).toBeGreaterThan(firstError);
  }

  test('a misspelt preset: one error naming UPSTREAM_PRESET; nothing else is an error', async () => {
    const { report, exitCode } = await runDoctor({ ...goodEnv(), UPSTREAM_PRESET: 'odic', UPSTREAM_SCOPE: undefined, ACCOUNT_API_URL: undefined }, deps());
    expect(errorsOf(report.findings)).toEqual([expect.objectContaining({ check: 'config', setting: 'UPSTREAM_PRESET', message: expect.stringMatching(/expects one of .*got "odic"/) })]);
    expect(report.findings.find((finding) => finding.message === 'every variable is valid')).toBeUndefined();
    const skipped = report.findings.filter((finding) => finding.severity === 'skipped');
    expect(skipped.map((finding) => finding.check)).toEqual(expect.arrayContaining(['scope', 'account-api', 'token-endpoint']));
    for (const finding of skipped) expect(finding).toMatchObject({ blockedBy: 'config', message: expect.stringMatching(/, and the configuration check above failed$/) });
    expectSkipsAfterTheirErrors(report.findings);
    expect(exitCode).toBe(1);
  });

  test('a wrong issuer: one discovery error; the scope, account API and endpoints wait on it', async () => {
    const { report } = await runDoctor({ ...goodEnv(), UPSTREAM_ISSUER: `http://127.0.0.1:${closedPort}`, UPSTREAM_SCOPE: undefined, ACCOUNT_API_URL: undefined }, deps());
    expect(errorsOf(report.findings)).toEqual([expect.objectContaining({ check: 'discovery', setting: 'UPSTREAM_ISSUER' })]);
    const waiting = report.findings.filter((finding) => finding.severity === 'skipped').map((finding) => [finding.check, finding.blockedBy]);
    expect(waiting).toEqual([
      ['authorization-endpoint', 'discovery'],
      ['token-endpoint', 'discovery'],
      ['latency', 'discovery'],
      ['scope', 'discovery'],
      ['account-api', 'discovery'],
      ['account-linking', 'discovery'],
    ]);
    expectSkipsAfterTheirErrors(report.findings);
  });

  test('missing required variables: all listed at once, one error each, and every other check skipped', async () => {
    const { report } = await runDoctor({ ...goodEnv(), ALEXA_CLIENT_ID: undefined, ALEXA_CLIENT_SECRET: undefined, ALEXA_VENDOR_IDS: undefined }, deps());
    expect(errorsOf(report.findings).map((finding) => finding.setting)).toEqual(['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS']);
    expect(report.findings.filter((finding) => finding.severity === 'skipped')).toHaveLength(Object.keys(CHECK_NAMES).length - 1);
    expectSkipsAfterTheirErrors(report.findings);
  });

  test('a token endpoint that does not answer: its error, then latency skipped naming it', async () => {
    const { report } = await runDoctor({ ...goodEnv(), UPSTREAM_TOKEN_URL: `http://127.0.0.1:${closedPort}/token` }, deps());
    expect(report.findings.find((finding) => finding.check === 'latency')).toMatchObject({ severity: 'skipped', blockedBy: 'token-endpoint', message: expect.stringMatching(/the provider token endpoint check above failed/) });
  });
});

describe("accountLinking.json: what Alexa is told, against what this configuration expects", () => {
  /** The file `npm run skill:package` writes for goodEnv() without UPSTREAM_SCOPE (discovery gives openid profile email). */
  function written(changes: Record<string, unknown> = {}) {
    return {
      accountLinkingRequest: {
        type: 'AUTH_CODE',
        authorizationUrl: `${PUBLIC_URL}/oauth/authorize`,
        clientId: 'alexa-skill',
        scopes: ['openid', 'profile', 'email'],
        domains: ['127.0.0.1'],
        skipOnEnablement: false,
        accessTokenUrl: `${PUBLIC_URL}/oauth/token`,
        clientSecret: 'alexa-secret-value',
        accessTokenScheme: 'HTTP_BASIC',
        defaultTokenExpirationInSeconds: 3600,
        ...changes,
      },
    };
  }
  const env = () => ({ ...goodEnv(), UPSTREAM_SCOPE: undefined, ACCOUNT_API_URL: undefined });
  async function doctorWith(file: unknown) {
    writeFileSync(join(workingDirectory, 'accountLinking.json'), JSON.stringify(file));
    try {
      return (await runDoctor(env(), deps())).report.findings.filter((finding) => finding.check === 'account-linking');
    } finally {
      rmSync(join(workingDirectory, 'accountLinking.json'), { force: true });
    }
  }

  test('none written yet: the scopes skill:package will write, which are the ones linkbridge asks for', async () => {
    const { report } = await runDoctor(env(), deps());
    expect(report.findings.filter((finding) => finding.check === 'account-linking')).toEqual([
      expect.objectContaining({ severity: 'info', details: { scopes: ['openid', 'profile', 'email'] } }),
    ]);
  });

  test('a file that matches passes', async () => {
    expect(await doctorWith(written())).toEqual([expect.objectContaining({ severity: 'ok', message: expect.stringMatching(/matches this configuration; Alexa asks for openid profile email/) })]);
  });

  test('Alexa asking for fewer scopes than the account API needs is a warning saying what the skill will lack', async () => {
    const findings = await doctorWith(written({ scopes: ['openid'] }));
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        setting: 'accountLinking.json (npm run skill:package)',
        message: expect.stringMatching(/Alexa will ask for openid .*fewer scopes than linkbridge asks for and the account API needs \(openid profile email\).*grants no profile, email/),
      }),
    ]);
  });

  test('other scopes than linkbridge asks for are said, too', async () => {
    expect(await doctorWith(written({ scopes: ['openid', 'profile', 'email', 'address'] }))).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/lists the scopes openid profile email address, but linkbridge asks the provider for openid profile email/) }),
    ]);
  });

  test('another client id, secret or URL is an error, and the secret is never shown', async () => {
    const findings = await doctorWith(written({ clientId: 'old-skill', clientSecret: 'an-old-secret', accessTokenUrl: 'https://old.example.com/oauth/token' }));
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/access token URL is "https:\/\/old\.example\.com\/oauth\/token".*client id is "old-skill", not "alexa-skill".*client secret differs/) })]);
    expect(JSON.stringify(findings)).not.toContain('an-old-secret');
    expect(JSON.stringify(findings)).not.toContain('alexa-secret-value');
  });
});

test('UPSTREAM_TOKEN_URL moved without the refresh URL of a preset that refreshes elsewhere: a warning naming UPSTREAM_REFRESH_URL', async () => {
  const env = { ...goodEnv(), UPSTREAM_ISSUER: undefined, UPSTREAM_PRESET: 'wechat', UPSTREAM_SCOPE: undefined, UPSTREAM_TOKEN_URL: `${provider.issuer}/token`, UPSTREAM_AUTHORIZATION_URL: `${provider.issuer}/auth` };
  const { report } = await runDoctor(env, deps());
  expect(report.findings.filter((finding) => finding.setting === 'UPSTREAM_REFRESH_URL')).toEqual([expect.objectContaining({ check: 'config', severity: 'warning' })]);
});
