/** Profile values said as a person says them, in the skill's locales. */
import { cutAtWord, fittedSsml, MAX_SPEECH_CHARACTERS } from '../../../skill/speech/ssml';
import { SPEECH } from '../../../skill/speech/speech-strings';
import { naturalValue, spokenValue } from '../../../skill/speech/spoken-values';

const say = (locale: string, path: string, value: unknown) => naturalValue(path, value, SPEECH[locale]);

test('a time zone is its place', () => {
  expect(say('en-US', 'zoneinfo', 'Europe/London')).toBe('London time');
  expect(say('en-GB', 'zoneinfo', 'America/Argentina/Buenos_Aires')).toBe('Buenos Aires time');
  expect(say('de-DE', 'zoneinfo', 'Europe/Berlin')).toBe('Berlin');
  expect(say('en-US', 'zoneinfo', 'Etc/UTC')).toBe('UTC');
  expect(say('en-US', 'zoneinfo', 'Mars/Olympus_Mons')).toBe('Mars/Olympus_Mons');
});

test('a locale is a language, in the language the skill speaks', () => {
  expect(say('en-US', 'locale', 'en-GB')).toBe('British English');
  expect(say('en-GB', 'locale', 'de-DE')).toBe('German, Germany');
  expect(say('de-DE', 'locale', 'en-GB')).toBe('Englisch, Vereinigtes Königreich');
  expect(say('de-DE', 'locale', 'de')).toBe('Deutsch');
  expect(say('en-US', 'locale', 'not a locale')).toBe('not a locale');
});

test('a date is a date, as each locale says it; a withheld year is left out', () => {
  expect(say('en-US', 'birthdate', '1815-12-10')).toBe('December 10, 1815');
  expect(say('en-GB', 'birthdate', '1815-12-10')).toBe('10 December 1815');
  expect(say('de-DE', 'birthdate', '1815-12-10')).toBe('10. Dezember 1815');
  expect(say('en-GB', 'birthdate', '0000-12-10')).toBe('10 December');
  expect(say('en-US', 'birthdate', '1815-02-30')).toBe('1815-02-30');
});

test('a website without its scheme; other fields as they are', () => {
  expect(say('en-US', 'website', 'https://ada.example.com/')).toBe('ada.example.com');
  expect(say('en-US', 'phone_number', '+44 20 7946 0000')).toBe('+44 20 7946 0000');
});

test('long values are cut at a word, lists at ten items, never inside a surrogate pair', () => {
  const cut = spokenValue('Ada '.repeat(100))!;
  expect(cut.length).toBeLessThanOrEqual(200);
  expect(cut.endsWith('Ada')).toBe(true);
  expect(spokenValue(Array.from({ length: 50 }, (_, index) => `item${index}`))).toBe(Array.from({ length: 10 }, (_, index) => `item${index}`).join(', '));
  expect(cutAtWord('😀'.repeat(10), 3)).toBe('😀😀😀');
});

test('speech too long for Alexa keeps whole sentences while they fit', () => {
  const text = Array.from({ length: 2000 }, (_, index) => `Sentence ${index} & more.`).join(' ');
  const ssml = fittedSsml(text);
  expect(ssml.length + '<speak></speak>'.length).toBeLessThanOrEqual(MAX_SPEECH_CHARACTERS);
  expect(ssml.startsWith('Sentence 0 &amp; more. Sentence 1')).toBe(true);
  expect(ssml.endsWith('&amp; more.')).toBe(true);
});
