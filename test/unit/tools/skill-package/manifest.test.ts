/**
 * The ask-cli v2 skill package: the manifest and account-linking body type-check against
 * ask-smapi-model, and the interaction models agree with the handlers.
 * @see https://developer.amazon.com/docs/smapi/skill-manifest.html
 * @see https://developer.amazon.com/docs/smapi/account-linking-schemas.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { v1 } from 'ask-smapi-model';
import { ACCOUNT_INTENTS } from '../../../../skill/handlers/account-question.handler';
import { BUILT_IN_INTENTS } from '../../../../skill/handlers/builtin.handler';
import { buildAccountLinkingRequest, buildSkillManifest } from '../../../../tools/skill-package/manifest';
import { SUPPORTED_LOCALES } from '../../../../skill/speech/speech-strings';
import { testConfig } from '../../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..', '..');
const readJson = (...path: string[]): unknown => JSON.parse(readFileSync(join(ROOT, ...path), 'utf8'));

interface InteractionModel {
  interactionModel: {
    languageModel: {
      invocationName: string;
      intents: Array<{ name: string; samples: string[]; slots?: Array<{ name: string; type: string }> }>;
      types?: Array<{ name: string; values: Array<{ id?: string; name: { value: string; synonyms?: string[] } }> }>;
    };
  };
}

const models = SUPPORTED_LOCALES.map((locale) => [locale, readJson('skill-package', 'interactionModels', 'custom', `${locale}.json`) as InteractionModel] as const);
const HANDLED_INTENTS = new Set<string>([...Object.values(ACCOUNT_INTENTS), ...BUILT_IN_INTENTS]);

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
  test('code mode: AUTH_CODE with linkbridge\'s own URLs and Alexa\'s credentials', () => {
    const body: v1.skill.accountLinking.AccountLinkingRequest = buildAccountLinkingRequest(
      testConfig({ PUBLIC_URL: 'https://skill.example.com', UPSTREAM_SCOPE: 'read:user user:email', DEFAULT_EXPIRES_IN: '7200' }),
    );
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

  test('implicit mode: IMPLICIT with no token URL and no secret', () => {
    const body: v1.skill.accountLinking.AccountLinkingRequest = buildAccountLinkingRequest(testConfig({ LINK_MODE: 'implicit' }));
    expect(body.accountLinkingRequest?.type).toBe('IMPLICIT');
    expect(body.accountLinkingRequest?.accessTokenUrl).toBeUndefined();
    expect(body.accountLinkingRequest?.clientSecret).toBeUndefined();
  });
});

describe.each(models)('interaction model %s', (locale, model) => {
  const { intents, types = [], invocationName } = model.interactionModel.languageModel;

  test('every intent has a handler, and every handled intent is declared', () => {
    const declared = new Set(intents.map((intent) => intent.name));
    expect([...declared].filter((name) => !HANDLED_INTENTS.has(name))).toEqual([]);
    expect([...HANDLED_INTENTS].filter((name) => !declared.has(name))).toEqual([]);
  });

  test('at least ten phrasings each for name, email and summary', () => {
    for (const name of [ACCOUNT_INTENTS.name, ACCOUNT_INTENTS.email, ACCOUNT_INTENTS.summary]) {
      expect(intents.find((intent) => intent.name === name)!.samples.length).toBeGreaterThanOrEqual(10);
    }
  });

  test('sample utterances are unique across the model', () => {
    const samples = intents.flatMap((intent) => intent.samples.map((sample) => sample.toLowerCase().trim()));
    expect(samples.filter((sample, index) => samples.indexOf(sample) !== index)).toEqual([]);
  });

  test('every slot an utterance uses is declared on its intent, with a declared or built-in type', () => {
    const typeNames = new Set(types.map((type) => type.name));
    for (const intent of intents) {
      const slots = new Map((intent.slots ?? []).map((slot) => [slot.name, slot.type]));
      for (const sample of intent.samples) {
        for (const [, slot] of sample.matchAll(/\{(\w+)\}/g)) {
          expect({ intent: intent.name, sample, declared: slots.has(slot) }).toEqual({ intent: intent.name, sample, declared: true });
        }
      }
      for (const type of slots.values()) expect(type.startsWith('AMAZON.') || typeNames.has(type)).toBe(true);
    }
  });

  test('the field slot values are the skill\'s default profile fields (ids are JSON paths)', () => {
    const ids = types.find((type) => type.name === 'ACCOUNT_FIELD')!.values.map((value) => value.id);
    expect(ids).toEqual(['phone_number', 'preferred_username', 'birthdate', 'zoneinfo', 'locale', 'website', 'address.formatted']);
  });

  // Amazon asks for two words or more, except for a name that is the skill's own brand: the German
  // compound "Kontobrücke" is one word, as German writes it ("Konto Brücke" is not German).
  test('the invocation name is lower case, two words or more, or the skill\'s one-word German brand name', () => {
    expect(invocationName).toBe(invocationName.toLowerCase());
    if (locale === 'de-DE') expect(invocationName).toBe('kontobrücke');
    else expect(invocationName.split(' ').length).toBeGreaterThanOrEqual(2);
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
