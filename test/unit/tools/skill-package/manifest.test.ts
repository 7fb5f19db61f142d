/**
 * The ask-cli v2 skill package: the manifest and account-linking body type-check against
 * ask-smapi-model (the interaction models: test/unit/skill-package/interaction-models.test.ts).
 * @see https://developer.amazon.com/docs/smapi/skill-manifest.html
 * @see https://developer.amazon.com/docs/smapi/account-linking-schemas.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { v1 } from 'ask-smapi-model';
import { resolveProviderProfile } from '../../../../linking/providers/presets';
import { buildAccountLinkingRequest, buildSkillManifest } from '../../../../tools/skill-package/manifest';
import { SUPPORTED_LOCALES } from '../../../../skill/speech/speech-strings';
import type { Config } from '../../../../models/config';
import { blockedFetch, testConfig } from '../../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..', '..');
const readJson = (...path: string[]): unknown => JSON.parse(readFileSync(join(ROOT, ...path), 'utf8'));

describe('skill.json', () => {
  // Typed assignments: `npm test` type-checks this file, so a manifest that drifts from SMAPI's types fails.
  const generated: v1.skill.Manifest.SkillManifestEnvelope = buildSkillManifest(
    testConfig({ PUBLIC_URL: 'https://skill.example.com', PRIVACY_POLICY_URL: 'https://skill.example.com/privacy' }),
  );
  const committed = readJson('skill-package', 'skill.json') as v1.skill.Manifest.SkillManifestEnvelope;

  test('the endpoint is PUBLIC_URL + /alexa over HTTPS, for the skill and its events', () => {
    expect(generated.manifest?.apis?.custom?.endpoint).toEqual({ uri: 'https://skill.example.com/alexa', sslCertificateType: 'Trusted' });
    expect(generated.manifest?.events?.endpoint.uri).toBe('https://skill.example.com/alexa');
  });

  test('subscribes to SKILL_ACCOUNT_LINKED', () => {
    expect(generated.manifest?.events?.subscriptions).toContainEqual({ eventName: 'SKILL_ACCOUNT_LINKED' });
  });

  test('has a privacy policy URL for every locale (account linking requires one)', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect(generated.manifest?.privacyAndCompliance?.locales?.[locale]?.privacyPolicyUrl).toBe('https://skill.example.com/privacy');
    }
  });

  test('the committed skill.json is what the generator writes, apart from the URLs', () => {
    const normalize = (manifest: v1.skill.Manifest.SkillManifestEnvelope) => JSON.parse(JSON.stringify(manifest).replace(/https?:\/\/[^"/]+/g, 'URL'));
    expect(normalize(committed)).toEqual(normalize(generated));
    expect(Object.keys(committed.manifest?.publishingInformation?.locales ?? {}).sort()).toEqual([...SUPPORTED_LOCALES].sort());
  });
});

describe('accountLinking.json (SMAPI accountLinkingRequest)', () => {
  /** The body for a configuration, with its provider profile resolved as the service resolves it. */
  async function accountLinking(config: Config): Promise<v1.skill.accountLinking.AccountLinkingRequest> {
    return buildAccountLinkingRequest(config, await resolveProviderProfile(config.upstream, blockedFetch));
  }

  test('code mode: AUTH_CODE with linkbridge\'s own URLs and Alexa\'s credentials', async () => {
    const body = await accountLinking(testConfig({ PUBLIC_URL: 'https://skill.example.com', UPSTREAM_SCOPE: 'read:user user:email', DEFAULT_EXPIRES_IN: '7200' }));
    expect(body.accountLinkingRequest).toEqual({
      type: 'AUTH_CODE',
      authorizationUrl: 'https://skill.example.com/oauth/authorize',
      accessTokenUrl: 'https://skill.example.com/oauth/token',
      clientId: 'alexa-skill',
      clientSecret: 'alexa-secret-value',
      accessTokenScheme: 'HTTP_BASIC',
      scopes: ['read:user', 'user:email'],
      domains: ['provider.test'],
      defaultTokenExpirationInSeconds: 7200,
      skipOnEnablement: false,
    });
  });

  test('the domains are where the provider\'s sign-in page is, from the preset when no URL is set', async () => {
    const body = await accountLinking(testConfig({ UPSTREAM_PRESET: 'github', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_SCOPE: undefined }));
    expect(body.accountLinkingRequest).toMatchObject({ domains: ['github.com'], scopes: ['read:user', 'user:email'] });
  });

  test('implicit mode: IMPLICIT with no token URL and no secret', async () => {
    const body = await accountLinking(testConfig({ LINK_MODE: 'implicit' }));
    expect(body.accountLinkingRequest?.type).toBe('IMPLICIT');
    expect(body.accountLinkingRequest?.accessTokenUrl).toBeUndefined();
    expect(body.accountLinkingRequest?.clientSecret).toBeUndefined();
  });
});

// Every profile deploys skill-package/; its code and stack (AWS) are what `ask deploy --target skill-metadata`
// leaves out for a self-hosted skill (the stack is checked in test/unit/tools/aws/skill-stack.test.ts).
test('ask-resources.json points ask-cli v2 at skill-package/ in every profile', () => {
  const resources = readJson('ask-resources.json') as { askcliResourcesVersion: string; profiles: Record<string, { skillMetadata: unknown }> };
  expect(resources.askcliResourcesVersion).toBe('2020-03-31');
  expect(Object.keys(resources.profiles)).toContain('default');
  for (const profile of Object.values(resources.profiles)) expect(profile.skillMetadata).toEqual({ src: './skill-package' });
});
