/**
 * The skill's answers, from request envelopes, against a real account API on loopback.
 * @see https://developer.amazon.com/docs/account-linking/add-account-linking-logic-custom-skill.html
 */
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import { AccountApiClient } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { fieldSlot, intentRequest, launchRequest, sessionEndedRequest, skillEvent, USER_ID } from '../../fixtures/skill/envelopes';
import { AccountApiServer } from '../../support/account-api-server';
import { loadConfig } from '../../../models/config';
import { BASE_TEST_ENV, CapturedLogs, captureLogger, testConfig } from '../../support/test-app';

const TOKEN = 'linked-access-token-value-123';
const ADA = { sub: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', phone_number: '+44 20 7946 0000', zoneinfo: 'Europe/London', plan: { name: 'Gold' } };

const api = new AccountApiServer();
let logs: CapturedLogs;
beforeAll(() => api.start());
afterAll(() => api.stop());
beforeEach(() => {
  api.behaviour = { status: 200, body: ADA };
  api.requests.length = 0;
  logs = new CapturedLogs();
});

async function invoke(envelope: RequestEnvelope, env: Record<string, string> = {}): Promise<ResponseEnvelope> {
  const config = testConfig({ ACCOUNT_API_TIMEOUT_MS: '2000', ...env });
  const accountApi = new AccountApiClient(api.url, config.skill.accountApiTimeoutMs);
  return buildSkill(config, captureLogger(logs), { accountApi }).invoke(envelope);
}

function speech(response: ResponseEnvelope): string {
  const output = response.response.outputSpeech;
  if (output?.type !== 'SSML') throw new Error('expected SSML speech');
  return output.ssml;
}

describe('LaunchRequest', () => {
  test('linked: greets the user by name and keeps the session open', async () => {
    const response = await invoke(launchRequest({ accessToken: TOKEN }));
    expect(speech(response)).toBe('<speak>Welcome back, Ada Lovelace. You can ask for your name, your email, or about your account.</speak>');
    expect(response.response.shouldEndSession).toBe(false);
    expect(response.response.card).toBeUndefined();
    expect(api.requests[0].authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('unlinked: says how to link, sends a LinkAccount card and never calls the account API', async () => {
    const response = await invoke(launchRequest());
    expect(speech(response)).toContain('link it first');
    expect(response.response.card?.type).toBe('LinkAccount');
    expect(response.response.shouldEndSession).toBe(true);
    expect(api.requests).toHaveLength(0);
  });

  test('de-DE: greets in German', async () => {
    const response = await invoke(launchRequest({ accessToken: TOKEN, locale: 'de-DE' }));
    expect(speech(response)).toContain('Willkommen zurück, Ada Lovelace.');
  });
});

describe('account questions', () => {
  test('name', async () => {
    const response = await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }));
    expect(speech(response)).toBe('<speak>Your name is Ada Lovelace.</speak>');
    expect(response.response.shouldEndSession).toBe(true);
  });

  test('name from given and family name when there is no name claim', async () => {
    api.behaviour = { status: 200, body: { given_name: 'Grace', family_name: 'Hopper' } };
    expect(speech(await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN })))).toContain('Your name is Grace Hopper.');
  });

  test('email', async () => {
    const response = await invoke(intentRequest('GetEmailIntent', { accessToken: TOKEN }));
    expect(speech(response)).toBe('<speak>Your email address is ada@example.com.</speak>');
  });

  test('email missing from the profile', async () => {
    api.behaviour = { status: 200, body: { name: 'Ada' } };
    expect(speech(await invoke(intentRequest('GetEmailIntent', { accessToken: TOKEN })))).toContain('does not list an email');
  });

  test('inside a conversation the session stays open with a reprompt', async () => {
    const response = await invoke(intentRequest('GetEmailIntent', { accessToken: TOKEN, newSession: false }));
    expect(response.response.shouldEndSession).toBe(false);
    expect(response.response.reprompt).toBeDefined();
  });

  test('summary: name, email and every profile field the default OIDC map knows', async () => {
    const response = await invoke(intentRequest('GetAccountSummaryIntent', { accessToken: TOKEN }));
    expect(speech(response)).toBe(
      '<speak>Here is your account. Your name is Ada Lovelace. Your email address is ada@example.com. Your phone number is +44 20 7946 0000. Your time zone is London time.</speak>',
    );
  });

  test('summary includes fields from the configured field map (JSON path → label)', async () => {
    const file = JSON.stringify({ skill: { fieldMap: { 'plan.name': 'membership plan' } } });
    const withMap = loadConfig({ ...BASE_TEST_ENV, LINKBRIDGE_CONFIG: 'skill.json' }, () => file);
    const response = await buildSkill(withMap, captureLogger(logs), { accountApi: new AccountApiClient(api.url, 2000) }).invoke(
      intentRequest('GetAccountSummaryIntent', { accessToken: TOKEN }),
    );
    expect(speech(response)).toContain('Your membership plan is Gold.');
  });

  test('one field by the slot\'s resolved id', async () => {
    const response = await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, slots: fieldSlot('phone', 'phone_number') }));
    expect(speech(response)).toBe('<speak>Your phone number is +44 20 7946 0000.</speak>');
  });

  test('one field by its spoken label, and a field the profile lacks', async () => {
    expect(speech(await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, slots: fieldSlot('time zone') })))).toContain(
      'Your time zone is London time.',
    );
    expect(speech(await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, slots: fieldSlot('birthday') })))).toContain(
      'does not list your birthday',
    );
    expect(speech(await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, locale: 'de-DE', slots: fieldSlot('Geburtstag', 'birthdate') })))).toBe(
      '<speak>Geburtstag: In deinem Konto ist dazu nichts hinterlegt.</speak>',
    );
  });

  test('an unknown field lists everything that can be asked: name, email and every field', async () => {
    const response = await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, slots: fieldSlot('shoe size') }));
    expect(speech(response)).toContain(
      'I can&apos;t look that up. You can ask for your name, email address, phone number, username, birthday, time zone, language setting, website or address.',
    );
    const german = await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, locale: 'de-DE', slots: fieldSlot('Schuhgröße') }));
    expect(speech(german)).toBe(
      '<speak>Das kann ich nicht nachsehen. Ich kenne diese Angaben: Name, E-Mail-Adresse, Telefonnummer, Benutzername, Geburtstag, Zeitzone, Spracheinstellung, Webseite oder Adresse.</speak>',
    );
  });

  test('each thing the unknown-field answer offers can be asked for by that word', async () => {
    const offered = ['name', 'email address', 'phone number', 'time zone'];
    const answers = await Promise.all(offered.map(async (label) => speech(await invoke(intentRequest('GetAccountFieldIntent', { accessToken: TOKEN, slots: fieldSlot(label) })))));
    expect(answers).toEqual([
      '<speak>Your name is Ada Lovelace.</speak>',
      '<speak>Your email address is ada@example.com.</speak>',
      '<speak>Your phone number is +44 20 7946 0000.</speak>',
      '<speak>Your time zone is London time.</speak>',
    ]);
  });

  test('language: the locale claim as a language, in each locale; missing, it says so', async () => {
    api.behaviour = { status: 200, body: { ...ADA, locale: 'en-GB' } };
    expect(speech(await invoke(intentRequest('GetLanguageIntent', { accessToken: TOKEN })))).toBe('<speak>Your language setting is British English.</speak>');
    expect(speech(await invoke(intentRequest('GetLanguageIntent', { accessToken: TOKEN, locale: 'de-DE' })))).toBe(
      '<speak>Spracheinstellung: Englisch, Vereinigtes Königreich.</speak>',
    );
    api.behaviour = { status: 200, body: ADA };
    expect(speech(await invoke(intentRequest('GetLanguageIntent', { accessToken: TOKEN, locale: 'en-GB' })))).toBe(
      '<speak>Your account does not list your language setting.</speak>',
    );
  });

  test.each([
    ['GitHub and X: created_at, ISO 8601', { created_at: '2011-01-25T18:44:36Z' }, 'en-US', '<speak>Your account was created on January 25, 2011.</speak>'],
    ['Slack: created, Unix seconds', { created: 1_296_067_476 }, 'en-GB', '<speak>Your account was created on 26 January 2011.</speak>'],
    ['German', { created_at: '2011-01-25T18:44:36Z' }, 'de-DE', '<speak>Dein Konto wurde am 25. Januar 2011 erstellt.</speak>'],
    ['OpenID Connect: updated_at only', { updated_at: 1_296_067_476 }, 'en-US', '<speak>Your account does not list when it was created.</speak>'],
    ['a value that is no time', { created_at: 'yesterday' }, 'de-DE', '<speak>In deinem Konto ist nicht hinterlegt, wann es erstellt wurde.</speak>'],
  ])('when the account was created: %s', async (_case, extra, locale, expected) => {
    api.behaviour = { status: 200, body: { ...ADA, ...extra } };
    expect(speech(await invoke(intentRequest('GetAccountCreatedIntent', { accessToken: TOKEN, locale })))).toBe(expected);
  });

  test('how to unlink: in the Alexa app, without calling the account API; unlinked, there is nothing to unlink', async () => {
    const linked = await invoke(intentRequest('UnlinkAccountIntent', { accessToken: TOKEN }));
    expect(speech(linked)).toBe(
      '<speak>To unlink your account, open the Alexa app, go to this skill&apos;s page, open Settings, and choose Disable Skill. That removes the link. To link another account, enable the skill again.</speak>',
    );
    expect(speech(await invoke(intentRequest('UnlinkAccountIntent', { accessToken: TOKEN, locale: 'de-DE' })))).toContain('wähle Skill deaktivieren');
    expect(speech(await invoke(intentRequest('UnlinkAccountIntent')))).toBe('<speak>Your account isn&apos;t linked, so there is nothing to unlink.</speak>');
    expect(api.requests).toHaveLength(0);
    const inConversation = await invoke(intentRequest('UnlinkAccountIntent', { accessToken: TOKEN, newSession: false }));
    expect(inConversation.response.shouldEndSession).toBe(false);
  });

  test('first name: given_name, else the first word of the name', async () => {
    expect(speech(await invoke(intentRequest('GetFirstNameIntent', { accessToken: TOKEN })))).toBe('<speak>Your first name is Ada.</speak>');
    api.behaviour = { status: 200, body: { given_name: 'Grace', name: 'Rear Admiral Grace Hopper' } };
    expect(speech(await invoke(intentRequest('GetFirstNameIntent', { accessToken: TOKEN, locale: 'de-DE' })))).toBe('<speak>Dein Vorname ist Grace.</speak>');
    api.behaviour = { status: 200, body: { email: 'x@example.com' } };
    expect(speech(await invoke(intentRequest('GetFirstNameIntent', { accessToken: TOKEN })))).toContain('does not list a first name');
  });

  test('is my account linked: yes, and as whom', async () => {
    expect(speech(await invoke(intentRequest('GetLinkedAccountIntent', { accessToken: TOKEN })))).toBe(
      '<speak>Yes, your account is linked. You are signed in as Ada Lovelace, with the email address ada@example.com.</speak>',
    );
    api.behaviour = { status: 200, body: { sub: 'opaque' } };
    expect(speech(await invoke(intentRequest('GetLinkedAccountIntent', { accessToken: TOKEN })))).toBe('<speak>Yes, your account is linked.</speak>');
  });

  test('is my account linked: no, how to link, a LinkAccount card; an expired link says so', async () => {
    const unlinked = await invoke(intentRequest('GetLinkedAccountIntent'));
    expect(speech(unlinked)).toContain('No, your account isn&apos;t linked yet.');
    expect(unlinked.response.card?.type).toBe('LinkAccount');
    api.behaviour = { status: 401, body: {} };
    const expired = await invoke(intentRequest('GetLinkedAccountIntent', { accessToken: TOKEN, locale: 'de-DE' }));
    expect(speech(expired)).toContain('Die Verknüpfung mit deinem Konto ist abgelaufen');
    expect(expired.response.card?.type).toBe('LinkAccount');
  });

  test('unlinked question: LinkAccount card', async () => {
    const response = await invoke(intentRequest('GetNameIntent'));
    expect(response.response.card?.type).toBe('LinkAccount');
    expect(response.response.shouldEndSession).toBe(true);
  });
});

describe('account API failures', () => {
  test.each([401, 403])('%i: the link has expired, LinkAccount card', async (status) => {
    api.behaviour = { status, body: { error: 'invalid_token' } };
    const response = await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }));
    expect(speech(response)).toContain('link has expired');
    expect(response.response.card?.type).toBe('LinkAccount');
    expect(response.response.shouldEndSession).toBe(true);
  });

  test('timeout: a short apology, no card', async () => {
    api.behaviour = { status: 200, body: ADA, delayMs: 5000 };
    const response = await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }), { ACCOUNT_API_TIMEOUT_MS: '150' });
    expect(speech(response)).toBe('<speak>Sorry, I could not reach your account just now. Please try again in a moment.</speak>');
    expect(response.response.card).toBeUndefined();
    expect(response.response.shouldEndSession).toBe(true);
    expect(logs.entries.some((entry) => entry.reason === 'timeout')).toBe(true);
  });

  test.each([500, 502, 503])('%i: a short apology', async (status) => {
    api.behaviour = { status, body: { message: 'down' } };
    const response = await invoke(intentRequest('GetEmailIntent', { accessToken: TOKEN }));
    expect(speech(response)).toContain('could not reach your account');
    expect(response.response.card).toBeUndefined();
  });

  test('a non-object body: a short apology', async () => {
    api.behaviour = { status: 200, body: ['not', 'a', 'profile'] };
    expect(speech(await invoke(intentRequest('GetEmailIntent', { accessToken: TOKEN })))).toContain('could not reach your account');
  });

  test('no ACCOUNT_API_URL configured: says the skill is not set up', async () => {
    const config = testConfig();
    const response = await buildSkill(config, captureLogger(logs), { accountApi: new AccountApiClient(undefined, 150) }).invoke(
      intentRequest('GetNameIntent', { accessToken: TOKEN }),
    );
    expect(speech(response)).toContain('not set up');
  });

  test('the token never reaches the logs, whatever fails', async () => {
    for (const behaviour of [
      { status: 401, body: {} },
      { status: 500, body: {} },
      { status: 200, body: ADA, delayMs: 5000 },
    ]) {
      api.behaviour = behaviour;
      await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }), { ACCOUNT_API_TIMEOUT_MS: '150' });
    }
    await invoke(skillEvent('AlexaSkillEvent.SkillAccountLinked', TOKEN));
    expect(logs.lines.length).toBeGreaterThan(3);
    expect(logs.text).not.toContain(TOKEN);
  });
});

describe('SSML safety', () => {
  test('a name with markup characters produces valid SSML', async () => {
    api.behaviour = { status: 200, body: { name: 'Ada & <Lovelace> "the" O\'Neil' } };
    const ssml = speech(await invoke(intentRequest('GetNameIntent', { accessToken: TOKEN })));
    expect(ssml).toBe('<speak>Your name is Ada &amp; &lt;Lovelace&gt; &quot;the&quot; O&apos;Neil.</speak>');
    const inner = ssml.slice('<speak>'.length, -'</speak>'.length);
    expect(inner).not.toMatch(/[<>]/);
    expect(inner.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
  });
});

describe('built-in intents and lifecycle', () => {
  test('help keeps the session open', async () => {
    const response = await invoke(intentRequest('AMAZON.HelpIntent'));
    expect(speech(response)).toContain('what is my name');
    expect(response.response.shouldEndSession).toBe(false);
  });

  test.each(['AMAZON.StopIntent', 'AMAZON.CancelIntent', 'AMAZON.NavigateHomeIntent'])('%s says goodbye and ends', async (intent) => {
    const response = await invoke(intentRequest(intent));
    expect(speech(response)).toBe('<speak>Goodbye.</speak>');
    expect(response.response.shouldEndSession).toBe(true);
  });

  test('fallback says what the skill understands and listens again', async () => {
    const response = await invoke(intentRequest('AMAZON.FallbackIntent'));
    expect(speech(response)).toContain('did not get that');
    expect(response.response.shouldEndSession).toBe(false);
  });

  test('SessionEndedRequest gets an empty response', async () => {
    const response = await invoke(sessionEndedRequest());
    expect(response.response.outputSpeech).toBeUndefined();
  });

  test('an intent no handler knows gets the error handler\'s short apology', async () => {
    const response = await invoke(intentRequest('NoSuchIntent'));
    expect(speech(response)).toBe('<speak>Sorry, something went wrong. Please try again.</speak>');
    expect(response.response.shouldEndSession).toBe(true);
  });
});

describe('skill events', () => {
  test('SkillAccountLinked is logged with the user id and no token', async () => {
    const response = await invoke(skillEvent('AlexaSkillEvent.SkillAccountLinked', TOKEN));
    expect(response.response.outputSpeech).toBeUndefined();
    const entry = logs.entries.find((line) => line.event === 'AlexaSkillEvent.SkillAccountLinked');
    expect(entry).toMatchObject({ userId: USER_ID });
    expect(logs.text).not.toContain(TOKEN);
  });

  test('SkillDisabled is logged with the user id', async () => {
    await invoke(skillEvent('AlexaSkillEvent.SkillDisabled'));
    expect(logs.entries.find((line) => line.event === 'AlexaSkillEvent.SkillDisabled')).toMatchObject({ userId: USER_ID });
  });
});
