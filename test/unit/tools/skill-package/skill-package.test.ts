/**
 * `npm run skill:package` writes the two files ask-cli deploys, or nothing: it refuses demo values unless a
 * demo package is asked for, vendor ids it cannot use, a non-HTTPS endpoint, a missing privacy policy and
 * an account-linking request with no scope, each with what to set.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../../models/config';
import { discoverScope, planSkillPackage, SkillPackageRefusal, writeSkillPackage } from '../../../../tools/skill-package/skill-package';
import { BASE_TEST_ENV } from '../../../support/test-app';

const GOOD_ENV: Record<string, string | undefined> = {
  ...BASE_TEST_ENV,
  PUBLIC_URL: 'https://linkbridge.example.com',
  PRIVACY_POLICY_URL: 'https://example.com/privacy',
  UPSTREAM_SCOPE: 'openid profile email',
};
const ROOT = '/nowhere';

function refusal(env: Record<string, string | undefined>, demo = false): SkillPackageRefusal {
  let caught: unknown;
  try {
    planSkillPackage(env, { demo, root: ROOT });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SkillPackageRefusal);
  return caught as SkillPackageRefusal;
}

test('a complete configuration plans both files, the secret one owner-only', () => {
  const plan = planSkillPackage(GOOD_ENV, { demo: false, root: ROOT });
  expect(plan.files.map((file) => [file.path, file.mode])).toEqual([
    [join(ROOT, 'skill-package', 'skill.json'), undefined],
    [join(ROOT, 'accountLinking.json'), 0o600],
  ]);
  expect(JSON.parse(plan.files[1].content).accountLinkingRequest).toMatchObject({ scopes: ['openid', 'profile', 'email'], domains: ['provider.test'] });
  expect(plan.warnings).toEqual([]);
});

test('no provider configured: refuses the demo values, and says to set UPSTREAM_* or pass --demo', () => {
  const demoEnv = { PUBLIC_URL: 'https://linkbridge.example.com', PRIVACY_POLICY_URL: 'https://example.com/privacy' };
  expect(refusal(demoEnv).problems).toEqual([expect.stringMatching(/no provider is configured.*"domains": \["localhost"\].*or pass --demo/), expect.stringMatching(/^ALEXA_VENDOR_IDS is not set/)]);
});

test('--demo writes a demo package, and says so', () => {
  const plan = planSkillPackage({}, { demo: true, root: ROOT });
  expect(JSON.parse(plan.files[1].content).accountLinkingRequest).toMatchObject({ clientId: 'linkbridge-demo-alexa', domains: ['localhost'] });
  expect(plan.warnings[0]).toBe('a demo package: do not deploy it for real users');
  expect(plan.warnings.join('\n')).toMatch(/PUBLIC_URL is http:\/\/localhost:3000/);
});

test('no vendor id: refused, with where to find one', () => {
  const problems = refusal({ ...GOOD_ENV, ALEXA_VENDOR_IDS: undefined, ALEXA_REDIRECT_URLS: 'https://example.com/callback' }).problems;
  expect(problems).toEqual([expect.stringMatching(/^ALEXA_VENDOR_IDS is not set.*developer\.amazon\.com\/mycid\.html.*ask smapi get-vendor-list/)]);
});

test('a vendor id in lower case: the loader refuses it, saying ids are upper case and where to find one', () => {
  expect(() => planSkillPackage({ ...GOOD_ENV, ALEXA_VENDOR_IDS: 'm3bvp74n95sp1f' }, { demo: false, root: ROOT })).toThrow(ConfigError);
  expect(() => planSkillPackage({ ...GOOD_ENV, ALEXA_VENDOR_IDS: 'm3bvp74n95sp1f' }, { demo: false, root: ROOT })).toThrow(/upper case.*ask smapi get-vendor-list/);
});

test("no scope: refused, even with --demo, naming UPSTREAM_SCOPE; a scope in the config file's profile is enough", () => {
  expect(refusal({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined }).problems).toEqual([expect.stringMatching(/^UPSTREAM_SCOPE is not set: accountLinking\.json would hold "scopes": \[\]/)]);
  expect(refusal({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined }, true).problems).toHaveLength(1);
  // A preset that names its own scope needs none, and Alexa's settings list it.
  const github = planSkillPackage({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined, UPSTREAM_PRESET: 'github' }, { demo: false, root: ROOT });
  expect(JSON.parse(github.files[1].content).accountLinkingRequest.scopes).toEqual(['read:user', 'user:email']);
  // So does a scope the provider's discovery document gave.
  const discovered = planSkillPackage({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined }, { demo: false, root: ROOT, discoveredScope: 'openid profile email' });
  expect(JSON.parse(discovered.files[1].content).accountLinkingRequest.scopes).toEqual(['openid', 'profile', 'email']);

  const directory = mkdtempSync(join(tmpdir(), 'profile-'));
  try {
    const file = join(directory, 'linkbridge.json');
    writeFileSync(file, JSON.stringify({ upstream: { profile: { scope: { value: 'read:user' } } } }));
    expect(planSkillPackage({ ...GOOD_ENV, UPSTREAM_SCOPE: undefined, LINKBRIDGE_CONFIG: file }, { demo: false, root: ROOT }).files).toHaveLength(2);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('an endpoint Alexa cannot call and a missing privacy policy are refused', () => {
  expect(refusal({ ...GOOD_ENV, PUBLIC_URL: 'http://linkbridge.example.com' }).problems).toEqual([expect.stringMatching(/^PUBLIC_URL is http:\/\/linkbridge\.example\.com: Alexa calls only HTTPS/)]);
  expect(refusal({ ...GOOD_ENV, PUBLIC_URL: 'https://linkbridge.example.com:8443' }).problems).toHaveLength(1);
  expect(refusal({ ...GOOD_ENV, PRIVACY_POLICY_URL: undefined }).problems).toEqual([expect.stringMatching(/^PRIVACY_POLICY_URL is not set/)]);
});

test('every problem at once, so one run says everything to set', () => {
  expect(refusal({ ...GOOD_ENV, PUBLIC_URL: 'http://x.example.com', PRIVACY_POLICY_URL: undefined, UPSTREAM_SCOPE: undefined }).problems).toHaveLength(3);
});

describe('writing', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'skill-package-'));
    mkdirSync(join(root, 'skill-package'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('writes the manifest and the account-linking body, the latter readable by its owner only', () => {
    writeSkillPackage(planSkillPackage(GOOD_ENV, { demo: false, root }));
    expect(JSON.parse(readFileSync(join(root, 'skill-package', 'skill.json'), 'utf8')).manifest.apis.custom.endpoint.uri).toBe('https://linkbridge.example.com/alexa');
    expect(statSync(join(root, 'accountLinking.json')).mode & 0o777).toBe(0o600);
  });
});

test("without UPSTREAM_SCOPE, the scope comes from the provider's discovery document, as at the service's start", async () => {
  const env = { ...GOOD_ENV, UPSTREAM_SCOPE: undefined, UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_ISSUER: 'https://idp.test' };
  const document = { issuer: 'https://idp.test', authorization_endpoint: 'https://idp.test/auth', token_endpoint: 'https://idp.test/token', scopes_supported: ['openid', 'email'] };
  const serving: typeof fetch = async (input) => (String(input).endsWith('/openid-configuration') ? Response.json(document) : new Response('', { status: 404 }));
  expect(await discoverScope(env, serving)).toBe('openid email');
  // Discovery that fails gives nothing, and the plan refuses naming UPSTREAM_SCOPE.
  const failing: typeof fetch = async () => new Response('', { status: 500 });
  expect(await discoverScope(env, failing)).toBeUndefined();
  expect(refusal(env).problems).toEqual([expect.stringMatching(/^UPSTREAM_SCOPE is not set/)]);
});
