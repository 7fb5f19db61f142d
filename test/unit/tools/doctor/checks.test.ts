/** The checks that need no network: each problem named with its setting, each good value passed. */
import { checkConfig } from '../../../../tools/doctor/config.check';
import { classifyFailure, probe } from '../../../../tools/doctor/http-probe';
import { checkLatency } from '../../../../tools/doctor/latency.check';
import { checkPublicUrl } from '../../../../tools/doctor/public-url.check';
import { checkRedirectUris } from '../../../../tools/doctor/redirect-uris.check';
import { formatReport, summarize, type Finding } from '../../../../tools/doctor/report';
import { checkScope } from '../../../../tools/doctor/scope.check';
import { BASE_TEST_ENV, TestClock, testConfig } from '../../../support/test-app';

const severities = (findings: Finding[]) => findings.map((finding) => `${finding.severity} ${finding.setting ?? ''}`.trim());

describe('public URL', () => {
  test.each([
    ['https://linkbridge.example.com', 'ok'],
    ['https://linkbridge.example.com/prefix', 'ok'],
    ['http://linkbridge.example.com', 'error PUBLIC_URL'],
    ['https://linkbridge.example.com:8443', 'error PUBLIC_URL'],
    ['https://localhost', 'error PUBLIC_URL'],
    ['https://203.0.113.7', 'error PUBLIC_URL'],
  ])('%s: %s', (url, expected) => {
    expect(severities(checkPublicUrl(testConfig({ PUBLIC_URL: url })))).toEqual([expected]);
  });
});

describe('scope', () => {
  const openId = { documentUrl: 'https://p.test/.well-known/openid-configuration', openId: true, scopesSupported: ['openid', 'profile', 'email', 'offline_access'] };

  test('none requested is an error that suggests what an OpenID provider offers', () => {
    expect(checkScope([], openId)).toMatchObject([{ severity: 'error', setting: 'UPSTREAM_SCOPE', fix: expect.stringMatching(/openid profile email/) }]);
    expect(checkScope([])).toMatchObject([{ severity: 'error', setting: 'UPSTREAM_SCOPE' }]);
  });

  test('a scope the provider does not list, and offline_access left out, are warnings', () => {
    expect(severities(checkScope(['openid', 'profile', 'emial'], openId))).toEqual(['ok', 'warning UPSTREAM_SCOPE', 'warning UPSTREAM_SCOPE']);
    expect(checkScope(['openid', 'profile', 'emial'], openId)[1].message).toMatch(/does not list emial/);
    expect(checkScope(['openid', 'email', 'offline_access'], openId)[0].message).toBe('requests: openid email offline_access');
    expect(severities(checkScope(['openid', 'email', 'offline_access'], openId))).toEqual(['ok']);
  });
});

describe('latency', () => {
  const answered = (durationMs: number) => ({ answered: true as const, url: 'https://p.test/token', status: 400, headers: {}, text: '', durationMs });

  test.each([
    [300, 3000, 'ok'],
    [2500, 3000, 'warning the provider (or the network between it and linkbridge)'],
    [3500, 3000, 'error UPSTREAM_TIMEOUT_MS'],
    [3500, 4000, 'warning the provider (or the network between it and linkbridge)'],
    [4500, 4000, 'error the provider (or the network between it and linkbridge)'],
  ])('%i ms with UPSTREAM_TIMEOUT_MS=%i: %s', (took, timeout, expected) => {
    expect(severities(checkLatency(testConfig({ UPSTREAM_TIMEOUT_MS: String(timeout) }), answered(took)))).toEqual([expected]);
  });
});

describe('configuration', () => {
  test('a variable the service refuses is one configuration error, with how to fix it', () => {
    expect(checkConfig({ ...BASE_TEST_ENV, DEFAULT_EXPIRES_IN: '120' }).findings).toMatchObject([
      { check: 'config', severity: 'error', setting: 'DEFAULT_EXPIRES_IN', fix: expect.stringMatching(/at least 360 seconds/) },
    ]);
    expect(checkConfig({ ...BASE_TEST_ENV, ALEXA_CLIENT_SECRET: undefined }).findings).toMatchObject([
      { check: 'config', severity: 'error', setting: 'ALEXA_CLIENT_SECRET', fix: expect.stringMatching(/Account Linking page/) },
    ]);
  });

  test('every variable the service refuses, at once, each an error of its own', () => {
    const { config, findings } = checkConfig({ ...BASE_TEST_ENV, ALEXA_CLIENT_ID: undefined, ALEXA_CLIENT_SECRET: undefined, ALEXA_VENDOR_IDS: undefined });
    expect(config).toBeUndefined();
    expect(severities(findings)).toEqual(['error ALEXA_CLIENT_ID', 'error ALEXA_CLIENT_SECRET', 'error ALEXA_VENDOR_IDS']);
  });

  test('a setting the service warns about at start is a warning here too', () => {
    const { findings } = checkConfig({ ...BASE_TEST_ENV, UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_SCOPE: undefined, STORE_URL: 'sqlite:data/x.sqlite' });
    expect(findings).toMatchObject([{ severity: 'ok' }, { severity: 'warning', setting: 'UPSTREAM_REFRESH_URL', message: expect.stringMatching(/does not move/) }]);
  });

  test('settings that fail users later are warnings: no SEALING_KEYS, a memory store, no signature check', () => {
    const { findings } = checkConfig({ ...BASE_TEST_ENV, SEALING_KEYS: undefined, STORE_URL: 'memory:', ALEXA_VERIFY_SIGNATURE: 'false' });
    expect(severities(findings)).toEqual(['ok', 'warning SEALING_KEYS', 'warning STORE_URL', 'warning ALEXA_VERIFY_SIGNATURE']);
  });
});

test('redirect URIs: only non-Alexa redirect URLs accepted is an error naming ALEXA_VENDOR_IDS', () => {
  const config = testConfig({ ALEXA_VENDOR_IDS: undefined, ALEXA_REDIRECT_URLS: 'https://example.com/cb' });
  expect(severities(checkRedirectUris(config))).toEqual(['info', 'error ALEXA_VENDOR_IDS']);
});

describe('network failures', () => {
  test.each([
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'timeout'],
    [new TypeError('fetch failed', { cause: { code: 'EAI_AGAIN' } }), 'dns'],
    [new TypeError('fetch failed', { cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }), 'timeout'],
    [new TypeError('fetch failed', { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }), 'tls'],
    [new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }), 'network'],
  ])('%s is %s', (error, reason) => {
    expect(classifyFailure(error).reason).toBe(reason);
  });

  test('a probe measures its duration on the injected clock and never prints the query', async () => {
    const clock = new TestClock();
    const exchange = await probe(
      {
        clock,
        fetch: async () => {
          clock.advanceSeconds(1.25);
          return new Response('{}', { status: 200 });
        },
      },
      { method: 'GET', url: 'https://p.test/token?client_secret=s3cret' },
      1000,
    );
    expect(exchange).toMatchObject({ answered: true, durationMs: 1250, url: 'https://p.test/token' });
  });
});

test('a skipped check is printed after the check it waits on, whatever their order', () => {
  const { report } = summarize([
    { check: 'public-url', severity: 'skipped', blockedBy: 'discovery', message: 'waits' },
    { check: 'account-api', severity: 'skipped', blockedBy: 'discovery', message: 'waits too' },
    { check: 'discovery', severity: 'error', message: 'no metadata' },
    { check: 'config', severity: 'ok', message: 'every variable is valid' },
  ]);
  expect(report.findings.map((finding) => `${finding.check} ${finding.severity}`)).toEqual(['config ok', 'discovery error', 'public-url skipped', 'account-api skipped']);
});

test('the text report lists each finding with its setting and fix, then a verdict', () => {
  const { report, exitCode } = summarize([
    { check: 'scope', severity: 'error', message: 'no scope is requested', setting: 'UPSTREAM_SCOPE', fix: 'set UPSTREAM_SCOPE' },
    { check: 'config', severity: 'ok', message: 'every variable is valid' },
  ]);
  expect(exitCode).toBe(1);
  expect(formatReport(report)).toBe(
    [
      'linkbridge doctor',
      '',
      '[ok]    configuration: every variable is valid',
      '[ERROR] scope: no scope is requested',
      '        setting: UPSTREAM_SCOPE',
      '        fix: set UPSTREAM_SCOPE',
      '',
      '1 error, 0 warnings: linking will fail until the errors are fixed.',
      '',
    ].join('\n'),
  );
  expect(summarize([{ check: 'config', severity: 'warning', message: 'x' }]).exitCode).toBe(0);
});
