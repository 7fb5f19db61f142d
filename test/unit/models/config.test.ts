import { ConfigError, loadConfig } from '../../../models/config';
import { BASE_TEST_ENV } from '../../support/test-app';

function load(env: Record<string, string | undefined>, readFile?: (path: string) => string) {
  return loadConfig({ ...BASE_TEST_ENV, ...env }, readFile);
}

function expectConfigError(run: () => unknown, variable: string) {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).variable).toBe(variable);
  expect((caught as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
}

describe('loadConfig', () => {
  test('reads the documented defaults', () => {
    const config = loadConfig({ ...BASE_TEST_ENV, PUBLIC_URL: undefined, STORE_URL: undefined });
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.linkMode).toBe('code');
    expect(config.upstream.preset).toBe('oauth2');
    expect(config.storeUrl).toBe('sqlite:data/linkbridge.sqlite');
    expect(config.codeTtlSeconds).toBe(300);
    expect(config.stateTtlSeconds).toBe(600);
    expect(config.demo).toBe(false);
  });

  test('builds the redirect allowlist from vendor ids for all three Alexa regions, plus exact extras', () => {
    const config = load({ ALEXA_VENDOR_IDS: 'AAA111, BBB222', ALEXA_REDIRECT_URLS: 'http://localhost:4000/cb' });
    expect([...config.alexa.redirectUrls].sort()).toEqual(
      [
        'http://localhost:4000/cb',
        'https://alexa.amazon.co.jp/api/skill/link/AAA111',
        'https://alexa.amazon.co.jp/api/skill/link/BBB222',
        'https://layla.amazon.com/api/skill/link/AAA111',
        'https://layla.amazon.com/api/skill/link/BBB222',
        'https://pitangui.amazon.com/api/skill/link/AAA111',
        'https://pitangui.amazon.com/api/skill/link/BBB222',
      ].sort(),
    );
  });

  test('is frozen', () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PUBLIC_URL: 'linkbridge.example' }, 'PUBLIC_URL'],
    [{ LINK_MODE: 'hybrid' }, 'LINK_MODE'],
    [{ ALEXA_CLIENT_ID: undefined }, 'ALEXA_CLIENT_ID'],
    [{ ALEXA_CLIENT_SECRET: '' }, 'ALEXA_CLIENT_SECRET'],
    [{ ALEXA_VENDOR_IDS: undefined }, 'ALEXA_VENDOR_IDS'],
    [{ ALEXA_VENDOR_IDS: 'bad/id' }, 'ALEXA_VENDOR_IDS'],
    [{ ALEXA_REDIRECT_URLS: 'not a url' }, 'ALEXA_REDIRECT_URLS'],
    [{ UPSTREAM_CLIENT_ID: undefined }, 'UPSTREAM_CLIENT_ID'],
    [{ UPSTREAM_TOKEN_URL: 'ftp://x' }, 'UPSTREAM_TOKEN_URL'],
    [{ UPSTREAM_PKCE: 'maybe' }, 'UPSTREAM_PKCE'],
    [{ SEALING_KEYS: 'k1:tooshort' }, 'SEALING_KEYS'],
    [{ SEALING_KEYS: `k1:${Buffer.alloc(32).toString('base64url')},k1:${Buffer.alloc(32, 1).toString('base64url')}` }, 'SEALING_KEYS'],
    [{ SEALING_KEYS: undefined, NODE_ENV: 'production' }, 'SEALING_KEYS'],
    [{ DEFAULT_EXPIRES_IN: '60' }, 'DEFAULT_EXPIRES_IN'],
    [{ CODE_TTL_SECONDS: '600' }, 'CODE_TTL_SECONDS'],
    [{ UPSTREAM_TIMEOUT_MS: '10000' }, 'UPSTREAM_TIMEOUT_MS'],
    [{ LINKBRIDGE_CONFIG: '/nowhere.json' }, 'LINKBRIDGE_CONFIG'],
  ])('a bad value stops the start naming the variable: %j', (env, variable) => {
    expectConfigError(() => load(env), variable);
  });

  test('LINKBRIDGE_CONFIG must hold a JSON object', () => {
    expectConfigError(() => load({ LINKBRIDGE_CONFIG: 'profile.json' }, () => '[1, 2]'), 'LINKBRIDGE_CONFIG');
    expectConfigError(() => load({ LINKBRIDGE_CONFIG: 'profile.json' }, () => '{ not json'), 'LINKBRIDGE_CONFIG');
  });

  test.each([
    [{ upstream: { profile: { token: { clientAuthentication: 'private_key_jwt' } } } }, /upstream\.profile\.token\.clientAuthentication: must be one of client_secret_basic/],
    [{ upstream: { profile: { token: { method: 'PUT' } } } }, /upstream\.profile\.token\.method: must be one of POST \| GET/],
    [{ upstream: { profile: { authorization: { pkce: 'yes' } } } }, /upstream\.profile\.authorization\.pkce: expected boolean/],
    [{ upstream: { profile: { token: { answer: { accesToken: 'x' } } } } }, /upstream\.profile\.token\.answer\.accesToken: is not a known field/],
    [{ upstream: { profile: { clientIdParam: 'appid' } } }, /upstream\.profile\.clientIdParam: is not a known field/],
    [{ upstream: { profile: { token: { url: 'ftp://p.test/token' } } } }, /upstream\.profile\.token\.url: must be an absolute http\(s\) URL/],
    [{ upstream: { profile: { errors: { rules: [{ code: 40029, error: 'dead_code' }] } } } }, /upstream\.profile\.errors\.rules\.0\.error: must be one of invalid_request/],
    [{ upstream: { profile: { token: { answer: { identity: { userId: 'a..b' } } } } } }, /upstream\.profile\.token\.answer\.identity\.userId: must be a dotted path/],
    [{ upstream: { profiles: {} } }, /upstream\.profiles: is not a known field/],
    [{ skill: { fieldMap: { plan: 3 } } }, /skill\.fieldMap/],
  ])('a bad LINKBRIDGE_CONFIG entry is named: %j', (file, message) => {
    expectConfigError(() => load({ LINKBRIDGE_CONFIG: 'profile.json' }, () => JSON.stringify(file)), 'LINKBRIDGE_CONFIG');
    expect(() => load({ LINKBRIDGE_CONFIG: 'profile.json' }, () => JSON.stringify(file))).toThrow(message);
  });

  test('LINKBRIDGE_CONFIG carries a provider profile and a skill field map', () => {
    const profile = { token: { clientAuthentication: 'client_secret_post', answer: { accessToken: 'authed_user.access_token' } }, refresh: null };
    const file = JSON.stringify({ upstream: { profile }, skill: { fieldMap: { 'plan.name': 'plan' } } });
    const config = load({ LINKBRIDGE_CONFIG: 'profile.json' }, () => file);
    expect(config.upstream.profile).toEqual(profile);
    expect(config.skill.fieldMap).toEqual({ 'plan.name': 'plan' });
  });

  test('with no upstream configured it runs in demo mode against the embedded provider', () => {
    const config = loadConfig({ PORT: '4100' });
    expect(config.demo).toBe(true);
    expect(config.upstream.issuer).toBe('http://localhost:4101');
    expect(config.skill.accountApiUrl).toBe('http://localhost:4101/me');
    expect(config.alexa.redirectUrls.has('http://localhost:4100/simulator/link')).toBe(true);
    expect(config.sealingKeysEphemeral).toBe(true);
  });

  describe('demo mode: only when nothing upstream is configured, never in production', () => {
    const bare = { PORT: '4100' };

    test('any UPSTREAM_* variable turns it off, and the demo client id with it', () => {
      expectConfigError(() => loadConfig({ ...bare, UPSTREAM_PRESET: 'github' }), 'ALEXA_CLIENT_ID');
      const config = loadConfig({ ...bare, UPSTREAM_PRESET: 'github', ALEXA_CLIENT_ID: 'a', ALEXA_CLIENT_SECRET: 's', ALEXA_VENDOR_IDS: 'V1', UPSTREAM_CLIENT_ID: 'c', UPSTREAM_CLIENT_SECRET: 'cs' });
      expect(config.demo).toBe(false);
      expect(config.alexa.clientId).toBe('a');
      expect(config.alexa.redirectUrls.has('http://localhost:4100/simulator/link')).toBe(false);
    });

    test.each([
      [{ authorization: { url: 'https://p.test/authorize' } }],
      [{ token: { url: 'https://p.test/token' } }],
      [{ refresh: { url: 'https://p.test/refresh' } }],
    ])('an endpoint in the config file\'s profile turns it off: %j', (profile) => {
      expectConfigError(() => loadConfig({ ...bare, LINKBRIDGE_CONFIG: 'p.json' }, () => JSON.stringify({ upstream: { profile } })), 'ALEXA_CLIENT_ID');
    });

    test('a profile without endpoints (say, a field map change only) keeps it', () => {
      const config = loadConfig({ ...bare, LINKBRIDGE_CONFIG: 'p.json' }, () => JSON.stringify({ upstream: { profile: { scope: { separator: ',' } } } }));
      expect(config.demo).toBe(true);
    });

    test('NODE_ENV=production with nothing upstream stops the start instead', () => {
      expectConfigError(() => loadConfig({ ...bare, NODE_ENV: 'production', SEALING_KEYS: BASE_TEST_ENV.SEALING_KEYS }), 'UPSTREAM_PRESET');
    });
  });
});
