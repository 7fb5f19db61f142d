/**
 * The interaction models ask-cli deploys: each is exactly what `npm run skill:models` makes from
 * tools/interaction-models/model-source.ts (so the files and the source cannot drift), each keeps Alexa's
 * rules, and each intent it declares is one the skill as built answers.
 * @see https://developer.amazon.com/docs/custom-skills/create-the-interaction-model-for-your-skill.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountApiClient } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { ACCOUNT_INTENTS } from '../../../skill/handlers/account-question.handler';
import { BUILT_IN_INTENTS } from '../../../skill/handlers/builtin.handler';
import { SPEECH, SUPPORTED_LOCALES } from '../../../skill/speech/speech-strings';
import { buildInteractionModel, expandTemplate, MODELS_DIRECTORY, modelFileText, ModelSourceError, type InteractionModelFile } from '../../../tools/interaction-models/generate-models';
import { MODEL_SOURCES } from '../../../tools/interaction-models/model-source';
import { intentRequest } from '../../fixtures/skill/envelopes';
import { CapturedLogs, captureLogger, testConfig } from '../../support/test-app';

const committedText = (locale: string) => readFileSync(join(MODELS_DIRECTORY, `${locale}.json`), 'utf8');
const models = SUPPORTED_LOCALES.map((locale) => [locale, JSON.parse(committedText(locale)) as InteractionModelFile] as const);

test.each(SUPPORTED_LOCALES)('the committed %s model is what the generator makes from the source', (locale) => {
  expect(committedText(locale)).toBe(modelFileText(locale));
});

describe('the generator', () => {
  test('expands one-of groups, optional words and spellings, without repeats', () => {
    expect(expandTemplate("(what's|what is) my <email>[ address]", { email: ['email', 'e mail'] })).toEqual([
      "what's my email address",
      "what's my email",
      "what's my e mail address",
      "what's my e mail",
      'what is my email address',
      'what is my email',
      'what is my e mail address',
      'what is my e mail',
    ]);
    expect(expandTemplate('wie (hebe ich|(kann|soll) ich) es auf')).toEqual(['wie hebe ich es auf', 'wie kann ich es auf', 'wie soll ich es auf']);
  });

  const english = MODEL_SOURCES['en-US'];
  test.each([
    ['a sample of two intents', { ...english, samples: { ...english.samples, [ACCOUNT_INTENTS.firstName]: ["what's my name"] } }, /"what's my name" is a sample of both/],
    ['a hyphen', { ...english, samples: { ...english.samples, [ACCOUNT_INTENTS.email]: ["what's my e-mail"] } }, /characters a sample cannot have/],
    ['a digit', { ...english, samples: { ...english.samples, [ACCOUNT_INTENTS.email]: ['what is my email 2'] } }, /characters a sample cannot have/],
    ['an undeclared slot', { ...english, samples: { ...english.samples, [ACCOUNT_INTENTS.email]: ['what is my {thing}'] } }, /uses \{thing\}/],
    ['a synonym of two values', { ...english, fields: [...english.fields, { id: 'x', value: 'phone', synonyms: [] }] }, /"phone" names both/],
    ['a word without spellings', { ...english, samples: { ...english.samples, [ACCOUNT_INTENTS.email]: ['what is my <mail>'] } }, /no spellings for <mail>/],
  ])('refuses %s, as Alexa would', (_case, source, message) => {
    expect(() => buildInteractionModel('en-US', source)).toThrow(ModelSourceError);
    expect(() => buildInteractionModel('en-US', source)).toThrow(message);
  });
});

describe.each(models)('interaction model %s', (locale, model) => {
  const { intents, types = [], invocationName } = model.interactionModel.languageModel;

  test('every intent it declares reaches a handler the skill registers', async () => {
    const skill = buildSkill(testConfig(), captureLogger(new CapturedLogs()), { accountApi: new AccountApiClient(undefined, 150) });
    const apology = `<speak>${SPEECH[locale].error}</speak>`;
    const unhandled: string[] = [];
    for (const { name } of intents) {
      const response = await skill.invoke(intentRequest(name, { locale }));
      const speech = response.response.outputSpeech;
      if (speech?.type === 'SSML' && speech.ssml === apology) unhandled.push(name);
    }
    expect(unhandled).toEqual([]);
  });

  test('every intent the handlers are written for is declared', () => {
    const declared = new Set(intents.map((intent) => intent.name));
    expect([...Object.values(ACCOUNT_INTENTS), ...BUILT_IN_INTENTS].filter((name) => !declared.has(name))).toEqual([]);
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
