/**
 * `npm run skill:package` writes the two files ask-cli deploys, or nothing: it refuses demo values unless a
 * demo package is asked for, vendor ids it cannot use, a non-HTTPS endpoint, a missing privacy policy and
 * a provider profile the service would refuse (no scope among them), all at once, each with what to set.
 * The scopes it writes are the ones the service asks for, discovery included.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../../models/config';
import { planSkillPackage, SkillPackageRefusal, writeSkillPackage, type SkillPackagePlan } from '../../../../tools/skill-package/skill-package';
import { BASE_TEST_ENV, blockedFetch } from '../../../support/test-app';

const GOOD_ENV: Record<string, string | undefined> = {
  ...BASE_TEST_ENV,
  PUBLIC_URL: 'https://linkbridge.example.com',
  PRIVACY_POLICY_URL: 'https://example.com/privacy',
  UPSTREAM_SCOPE: 'openid profile email',
};
const ROOT = '/nowhere';

/** A provider that serves `document` as its OpenID Connect discovery document at `issuer`. */
function discovery(issuer: string, document: Record<string, unknown>): typeof fetch {
  return async (input) => (String(input) === `${issuer}/.well-known/openid-configuration` ? Response.json({ issuer, ...document }) : new Response('not found', { status: 404 }));
}

/** The embedded demo provider's discovery document, as `npm start` in demo mode serves it on port 3001. */
const DEMO_PROVIDER = discovery('http://localhost:3001', {
  authorization_endpoint: 'http://localhost:3001/auth',
  token_endpoint: 'http://localhost:3001/token',
  userinfo_endpoint: 'http://localhost:3001/me',
});

function plan(env: Record<string, string | undefined>, options: { demo?: boolean; fetch?: typeof fetch } = {}): Promise<SkillPackagePlan> {
  return planSkillPackage(env, { demo: options.demo ?? false, root: ROOT, fetch: options.fetch ?? blockedFetch });
}

async function refusal(env: Record<string, string | undefined>, options: { demo?: boolean; fetch?: typeof fetch } = {}): Promise<SkillPackageRefusal> {
  const caught = await plan(env, options).catch((error: unknown) => error);
  expect(caught).toBeInstanceOf(SkillPackageRefusal);
  return caught as SkillPackageRefusal;
}

function accountLinkingOf(planned: SkillPackagePlan): { scopes: string[]; [field: string]: unknown } {
  return JSON.parse(planned.files[1].content).accountLinkingRequest;
}

test('a complete configuration plans both files, the secret one owner-only', async () => {
  const planned = await plan(GOOD_ENV);
  expect(planned.files.map((file) => [file.path, file.mode])).toEqual([
    [join(ROOT, 'skill-package', 'skill.json'), undefined],
    [join(ROOT, 'accountLinking.json'), 0o600],
  ]);
  expect(accountLinkingOf(planned)).toMatchObject({ scopes: ['openid', 'profile', 'email'], domains: ['provider.test'] });
  expect(planned.warnings).toEqual([]);
});

test('no provider configured: refuses the demo values, and says to set UPSTREAM_* or pass --demo', async () => {
  const demoEnv = { PUBLIC_URL: 'https://linkbridge.example.com', PRIVACY_POLICY_URL: 'https://example.com/privacy' };
  expect((await refusal(demoEnv, { fetch: DEMO_PROVIDER })).problems).toEqual([
    expect.stringMatching(/no provider is configured.*"domains": \["localhost"\].*or pass --demo/),
    expect.stringMatching(/^ALEXA_VENDOR_IDS is not set/),
  ]);
});

test('--demo writes a demo package read from the running demo provider, and says so', async () => {
  const planned = await plan({}, { demo: true, fetch: DEMO_PROVIDER });
  expect(accountLinkingOf(planned)).toMatchObject({ clientId: 'linkbridge-demo-alexa', domains: ['localhost'], scopes: ['openid', 'profile', 'email'] });
  expect(planned.warnings[0]).toBe('a demo package: do not deploy it for real users');
  expect(planned.warnings.join('\n')).toMatch(/PUBLIC_URL is http:\/\/localhost:3000/);
});

test('--demo with the demo provider not running: refused, saying to start linkbridge in demo mode', async () => {
  expect((await refusal({}, { demo: true })).problems).toEqual([expect.stringMatching(/^UPSTREAM_ISSUER: .*; start linkbridge in demo mode \(npm start\)/)]);
});

test('no vendor id: refused, with where to find one', async () => {
  const { problems } = await refusal({ ...GOOD_ENV, ALEXA_VENDOR_IDS: undefined, ALEXA_REDIRECT_URLS: 'https://example.com/callback' });
  expect(problems).toEqual([expect.stringMatching(/^ALEXA_VENDOR_IDS is not set.*developer\.amazon\.com\/mycid\.html.*ask smapi get-vendor-list/)]);
});

test('a vendor id in lower case: the loader refuses it, saying ids are upper case and where to find one', async () => {
  await expect(plan({ ...GOOD_ENV, ALEXA_VENDOR_IDS: 'm3bvp74n95sp1f' })).rejects.toThrow(ConfigError);
  await expect(plan({ ...GOOD_ENV, ALEXA_VENDOR_IDS: 'm3bvp74n95sp1f' })).rejects.toThrow(/upper case.*ask smapi get-vendor-list/);
});

describe('the scopes: what the service asks for, from the resolved profile', () => {
  test('no scope and no issuer: the loader refuses, naming UPSTREAM_SCOPE, as at the service\'s start', async () => {
    await expect(plan({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined })).rejects.toThrow(/^UPSTREAM_SCOPE: is not set/);
    await expect(plan({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined }, { demo: true })).rejects.toBeInstanceOf(ConfigError);
  });

  test('a discovery document that names no scope: refused, even with --demo, naming UPSTREAM_SCOPE', async () => {
    const env = { ...GOOD_ENV, UPSTREAM_SCOPE: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
    const rfc8414: typeof fetch = async (input) =>
      String(input).endsWith('/oauth-authorization-server') ? Response.json({ issuer: 'https://idp.test', authorization_endpoint: 'https://idp.test/a', token_endpoint: 'https://idp.test/t' }) : new Response('', { status: 404 });
    expect((await refusal(env, { fetch: rfc8414 })).problems).toEqual([expect.stringMatching(/^UPSTREAM_SCOPE: is not set.*"scopes": \[\]/)]);
    expect((await refusal(env, { fetch: rfc8414, demo: true })).problems).toHaveLength(1);
  });

  test('a preset that names its own scope needs none, and Alexa\'s settings list it', async () => {
    const github = await plan({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'github' });
    expect(accountLinkingOf(github).scopes).toEqual(['read:user', 'user:email']);
  });

  test('a scope in the config file\'s profile is enough', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'profile-'));
    try {
      const file = join(directory, 'linkbridge.json');
      writeFileSync(file, JSON.stringify({ upstream: { profile: { scope: { value: 'read:user' } } } }));
      expect(accountLinkingOf(await plan({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined, LINKBRIDGE_CONFIG: file })).scopes).toEqual(['read:user']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('oidc without UPSTREAM_SCOPE: the discovered openid profile email, not openid alone', async () => {
    const env = { ...GOOD_ENV, UPSTREAM_PRESET: 'oidc', UPSTREAM_SCOPE: undefined, UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
    const idp = discovery('https://idp.test', { authorization_endpoint: 'https://idp.test/auth', token_endpoint: 'https://idp.test/token', scopes_supported: ['openid', 'profile', 'email'] });
    expect(accountLinkingOf(await plan(env, { fetch: idp })).scopes).toEqual(['openid', 'profile', 'email']);
  });

  test('discovery that fails is refused, naming UPSTREAM_ISSUER and why', async () => {
    const env = { ...GOOD_ENV, UPSTREAM_SCOPE: undefined, UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
    const failing: typeof fetch = async () => new Response('', { status: 500 });
    expect((await refusal(env, { fetch: failing })).problems).toEqual([expect.stringMatching(/^UPSTREAM_ISSUER: no authorization server metadata: .*HTTP 500/)]);
  });
});

test('an endpoint Alexa cannot call and a missing privacy policy are refused', async () => {
  expect((await refusal({ ...GOOD_ENV, PUBLIC_URL: 'http://linkbridge.example.com' })).problems).toEqual([expect.stringMatching(/^PUBLIC_URL is http:\/\/linkbridge\.example\.com: Alexa calls only HTTPS/)]);
  expect((await refusal({ ...GOOD_ENV, PUBLIC_URL: 'https://linkbridge.example.com:8443' })).problems).toHaveLength(1);
  expect((await refusal({ ...GOOD_ENV, PRIVACY_POLICY_URL: undefined })).problems).toEqual([expect.stringMatching(/^PRIVACY_POLICY_URL is not set/)]);
});

test('every problem at once, so one run says everything to set', async () => {
  const env = { ...GOOD_ENV, PUBLIC_URL: 'http://x.example.com', PRIVACY_POLICY_URL: undefined, ALEXA_VENDOR_IDS: undefined, ALEXA_REDIRECT_URLS: 'https://example.com/callback' };
  expect((await refusal(env)).problems).toHaveLength(3);
  // The configuration's own problems are listed together too.
  const broken = await plan({ ...GOOD_ENV, ALEXA_CLIENT_ID: undefined, ALEXA_CLIENT_SECRET: undefined }).catch((error: unknown) => error);
  expect((broken as ConfigError).problems.map((problem) => problem.variable)).toEqual(['ALEXA_CLIENT_ID', 'ALEXA_CLIENT_SECRET']);
});

describe('writing', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'skill-package-'));
    mkdirSync(join(root, 'skill-package'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('writes the manifest and the account-linking body, the latter readable by its owner only', async () => {
    writeSkillPackage(await planSkillPackage(GOOD_ENV, { demo: false, root, fetch: blockedFetch }));
    expect(JSON.parse(readFileSync(join(root, 'skill-package', 'skill.json'), 'utf8')).manifest.apis.custom.endpoint.uri).toBe('https://linkbridge.example.com/alexa');
    expect(statSync(join(root, 'accountLinking.json')).mode & 0o777).toBe(0o600);
  });
});
