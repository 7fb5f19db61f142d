/**
 * Utterances resolved against our own interaction models by virtual-alexa, then answered by the skill,
 * for each account question: proves the phrasings reach the intended handler.
 */
import { join } from 'node:path';
import type { RequestEnvelope } from 'ask-sdk-model';
import { VirtualAlexa } from 'virtual-alexa';
import { AccountApiClient } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { AccountApiServer } from '../../support/account-api-server';
import { CapturedLogs, captureLogger, testConfig } from '../../support/test-app';

const TOKEN = 'virtual-alexa-linked-token';
const api = new AccountApiServer();
beforeAll(async () => {
  await api.start();
  api.behaviour = { status: 200, body: { name: 'Ada Lovelace', email: 'ada@example.com', phone_number: '+44 20 7946 0000' } };
});
afterAll(() => api.stop());

function virtualAlexa(locale: string) {
  const skill = buildSkill(testConfig(), captureLogger(new CapturedLogs()), { accountApi: new AccountApiClient(api.url, 1000) });
  const alexa = VirtualAlexa.Builder()
    .handler((event: RequestEnvelope, _context: unknown, callback: (error: unknown, result?: unknown) => void) => {
      skill.invoke(event).then((response) => callback(null, response), callback);
    })
    .interactionModelFile(join(__dirname, '..', '..', '..', 'skill-package', 'interactionModels', 'custom', `${locale}.json`))
    .locale(locale)
    .create();
  alexa.context().setAccessToken(TOKEN);
  return alexa;
}

const CASES: Array<[string, string, string]> = [
  ['en-US', "what's my name", 'Your name is Ada Lovelace.'],
  ['en-US', 'who am i', 'Your name is Ada Lovelace.'],
  ['en-US', 'what is my email address', 'Your email address is ada@example.com.'],
  ['en-US', 'which email is on my account', 'Your email address is ada@example.com.'],
  // Spoken through the invocation, as a one-shot request is ("tell" would otherwise read as a launch).
  ['en-US', 'ask account bridge to tell me about my account', 'Here is your account. Your name is Ada Lovelace.'],
  ['en-US', 'what do you know about me', 'Here is your account.'],
  ['en-US', 'what is my phone number', 'Your phone number is +44 20 7946 0000.'],
  ['en-GB', 'ask account bridge to tell me my name', 'Your name is Ada Lovelace.'],
  ['en-GB', 'give me my account details', 'Here is your account.'],
  ['de-DE', 'wie heiße ich', 'Dein Name ist Ada Lovelace.'],
  ['de-DE', 'wie lautet meine email', 'Deine E-Mail-Adresse ist ada@example.com.'],
  ['de-DE', 'erzähl mir von meinem konto', 'Hier ist dein Konto.'],
];

test.each(CASES)('%s: "%s"', async (locale, utterance, expected) => {
  const response = (await virtualAlexa(locale).utter(utterance)) as unknown as { response: { outputSpeech: { ssml: string } } };
  expect(response.response.outputSpeech.ssml).toContain(expected);
});

test('the requests virtual-alexa built carry the linked token to the account API', () => {
  expect(api.requests.length).toBeGreaterThanOrEqual(CASES.length);
  expect(api.requests.every((headers) => headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
});
