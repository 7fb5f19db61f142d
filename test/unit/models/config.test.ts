import { ConfigError, loadConfig } from '../../../models/config';
import { BASE_TEST_ENV } from '../../support/test-app';

function load(env: Record<string, string | undefined>, readFile?: (path: string) => string) {
  return loadConfig({ ...BASE_TEST_ENV, ...env }, readFile);
}

function refusal(run: () => unknown): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

/** The start is refused for exactly one problem, naming `variable`. */
function expectConfigError(run: () => unknown, variable: string) {
  const error = refusal(run);
  expect(error.problems.map((problem) => problem.variable)).toEqual([variable]);
  expect(error.message).toMatch(new RegExp(`^${variable}: `));
}

describe('loadConfig', () => {
  test('reads the documented defaults', () => {
    const config = loadConfig({ ...BASE_TEST_ENV, PUBLIC_URL: undefined, STORE_URL: undefined });
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.linkMode).toBe('code');
    expect(config.upstream.preset).toBe('oauth2');
    expect(config.store).toEqual({ kind: 'sqlite', path: 'data/linkbridge.sqlite' });
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
      expect(refusal(() => loadConfig({ ...bare, UPSTREAM_PRESET: 'github' })).problems.map((problem) => problem.variable)).toContain('ALEXA_CLIENT_ID');
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
      const error = refusal(() => loadConfig({ ...bare, LINKBRIDGE_CONFIG: 'p.json' }, () => JSON.stringify({ upstream: { profile } })));
      expect(error.problems.map((problem) => problem.variable)).toContain('ALEXA_CLIENT_ID');
    });

    test('a profile without endpoints (say, a field map change only) keeps it', () => {
      const config = loadConfig({ ...bare, LINKBRIDGE_CONFIG: 'p.json' }, () => JSON.stringify({ upstream: { profile: { scope: { separator: ',' } } } }));
      expect(config.demo).toBe(true);
    });

    test('NODE_ENV=production with nothing upstream stops the start instead, listing what a real start needs', () => {
      const error = refusal(() => loadConfig({ ...bare, NODE_ENV: 'production', SEALING_KEYS: BASE_TEST_ENV.SEALING_KEYS }));
      expect(error.problems.map((problem) => problem.variable)).toEqual(['UPSTREAM_PRESET', 'ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS', 'UPSTREAM_CLIENT_ID', 'UPSTREAM_CLIENT_SECRET']);
    });
  });
});

describe('every problem at once', () => {
  const variables = (error: ConfigError) => error.problems.map((problem) => problem.variable);
  /** A preset and its credentials, as a first try at configuring it looks. */
  const firstTry = { PUBLIC_URL: 'https://linkbridge.example.com', UPSTREAM_PRESET: 'github', UPSTREAM_CLIENT_ID: 'c', UPSTREAM_CLIENT_SECRET: 's' };

  test('a first configuration of a preset is refused once, naming every missing setting', () => {
    const error = refusal(() => loadConfig(firstTry));
    expect(variables(error)).toEqual(['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS']);
    expect(error.message.split('\n')).toEqual([
      '3 settings to fix:',
      '  - ALEXA_CLIENT_ID: is required',
      '  - ALEXA_CLIENT_SECRET: is required',
      '  - ALEXA_VENDOR_IDS: is required (comma list of vendor ids), or give ALEXA_REDIRECT_URLS',
    ]);
  });

  test('in production the sealing key joins the list, with the command that makes one', () => {
    const error = refusal(() => loadConfig({ ...firstTry, NODE_ENV: 'production' }));
    expect(variables(error)).toEqual(['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET', 'ALEXA_VENDOR_IDS', 'SEALING_KEYS']);
    expect(error.problems[3].expectation).toContain(`node -e "console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))"`);
  });

  test('bad values of different variables are all named, each once', () => {
    const error = refusal(() => load({ PORT: 'eighty', LINK_MODE: 'hybrid', STORE_URL: 'mongodb://x', UPSTREAM_TOKEN_URL: 'ftp://x', DEFAULT_EXPIRES_IN: '60' }));
    expect(variables(error)).toEqual(['PORT', 'LINK_MODE', 'UPSTREAM_TOKEN_URL', 'STORE_URL', 'DEFAULT_EXPIRES_IN']);
  });
});

describe('the config file is checked by its schema, every level strict', () => {
  const withFile = (file: unknown) => () => load({ LINKBRIDGE_CONFIG: 'linkbridge.json' }, () => JSON.stringify(file));

  test.each([
    [{ upstraem: { profile: {} } }, 'LINKBRIDGE_CONFIG: upstraem: is not a known field here'],
    [{ skill: { fieldMapp: { plan: 'plan' } } }, 'LINKBRIDGE_CONFIG: skill.fieldMapp: is not a known field here'],
  ])('a misspelt key is refused, naming it: %j', (file, message) => {
    const error = refusal(withFile(file));
    expect(error.message).toBe(message);
  });

  test('every misspelt key at once', () => {
    const error = refusal(withFile({ upstraem: {}, skill: { fieldMapp: {} }, upstream: { profile: { tokn: {} } } }));
    expect(error.problems.map((problem) => problem.expectation).sort()).toEqual([
      'skill.fieldMapp: is not a known field here',
      'upstraem: is not a known field here',
      'upstream.profile.tokn: is not a known field here',
    ]);
  });
});

describe('the provider, as far as the configuration alone tells', () => {
  const credentialsOnly = { UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined };

  test('the preset name is checked by the loader, with the presets there are', () => {
    expect(() => load({ UPSTREAM_PRESET: 'gitlab' })).toThrow(
      'UPSTREAM_PRESET: expects one of oauth2 | oidc | github | wechat | wechat-official | facebook | slack | x, got "gitlab"',
    );
  });

  test('a misspelt preset is one problem: nothing it would have given is reported missing', () => {
    expectConfigError(() => load({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'githbu' }), 'UPSTREAM_PRESET');
  });

  test('no issuer and no endpoints: one problem naming both endpoints and the issuer', () => {
    expectConfigError(() => load(credentialsOnly), 'UPSTREAM_AUTHORIZATION_URL');
    expect(() => load(credentialsOnly)).toThrow(/is required, and so is UPSTREAM_TOKEN_URL .*or set UPSTREAM_ISSUER/);
  });

  test('no scope from anywhere, and no issuer to discover one: refused at load, beside the other problems', () => {
    const error = refusal(() => load({ UPSTREAM_SCOPE: undefined, ALEXA_CLIENT_ID: undefined }));
    expect(error.problems.map((problem) => problem.variable)).toEqual(['ALEXA_CLIENT_ID', 'UPSTREAM_SCOPE']);
    expect(error.problems[1].expectation).toMatch(/^is not set, and the oauth2 preset names no default .*set UPSTREAM_SCOPE/);
  });

  test('oidc without an issuer is one problem', () => {
    expectConfigError(() => load({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'oidc' }), 'UPSTREAM_ISSUER');
  });

  test('with an issuer, endpoints and scope are left to discovery', () => {
    expect(load({ ...credentialsOnly, UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' }).upstream.issuer).toBe('https://idp.test');
  });
});

describe('UPSTREAM_REFRESH_URL', () => {
  const wechat = { UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_SCOPE: undefined };

  test('moving the token URL of a preset that refreshes elsewhere is a warning naming UPSTREAM_REFRESH_URL', () => {
    const config = load({ ...wechat, UPSTREAM_TOKEN_URL: 'https://wechat.test/sns/oauth2/access_token' });
    expect(config.warnings).toEqual([
      {
        variable: 'UPSTREAM_REFRESH_URL',
        expectation: expect.stringMatching(/^UPSTREAM_TOKEN_URL moves the code exchange, but the wechat preset refreshes tokens at https:\/\/api\.weixin\.qq\.com\/sns\/oauth2\/refresh_token/),
      },
    ]);
  });

  test('no warning when the refresh URL moves too, or where the token URL is the refresh URL', () => {
    expect(load({ ...wechat, UPSTREAM_TOKEN_URL: 'https://w.test/token', UPSTREAM_REFRESH_URL: 'https://w.test/refresh' }).warnings).toEqual([]);
    expect(load({ UPSTREAM_PRESET: 'github', UPSTREAM_TOKEN_URL: 'https://g.test/token' }).warnings).toEqual([]);
  });

  test('is refused for a provider without refresh tokens', () => {
    expectConfigError(() => load({ UPSTREAM_PRESET: 'facebook', UPSTREAM_REFRESH_URL: 'https://f.test/refresh' }), 'UPSTREAM_REFRESH_URL');
  });
});

test('SIMULATOR=true outside demo mode warns when the simulator page cannot link', () => {
  expect(load({ SIMULATOR: 'true' }).warnings.map((warning) => warning.variable)).toEqual(['ALEXA_REDIRECT_URLS']);
  expect(load({ SIMULATOR: 'true', ALEXA_REDIRECT_URLS: 'https://linkbridge.test/simulator/link' }).warnings).toEqual([]);
});
