import type { ValueFormats } from './spoken-values';

/** Everything the skill says in one locale. Values are plain text; `ssml()` escapes on the way out. */
export interface SpeechStrings extends ValueFormats {
  readonly welcomeLinked: (name: string) => string;
  readonly welcomeLinkedNoName: string;
  readonly whatNext: string;
  readonly notLinked: string;
  readonly linkExpired: string;
  readonly accountUnavailable: string;
  readonly notConfigured: string;
  readonly yourName: (name: string) => string;
  readonly noName: string;
  readonly yourFirstName: (name: string) => string;
  readonly noFirstName: string;
  /** "Is my account linked?" when it is: who the user is signed in as, as far as the profile says. */
  readonly linkedAs: (who: { name?: string; email?: string }) => string;
  /** "Is my account linked?" when it is not. */
  readonly notLinkedAnswer: string;
  readonly yourEmail: (email: string) => string;
  readonly noEmail: string;
  readonly summaryIntro: string;
  readonly summaryItem: (label: string, value: string) => string;
  readonly summaryEmpty: string;
  readonly fieldMissing: (label: string) => string;
  readonly fieldUnknown: (choices: string) => string;
  readonly orWord: string;
  /** "When did I create my account?" */
  readonly accountCreated: (date: string) => string;
  readonly noAccountCreated: string;
  /** "How do I unlink my account?": where the Alexa app does it (the skill cannot unlink itself). */
  readonly howToUnlink: string;
  readonly nothingToUnlink: string;
  readonly help: string;
  readonly fallback: string;
  readonly goodbye: string;
  readonly error: string;
  readonly cardTitle: string;
  /** Spoken labels of the OpenID Connect userinfo claims the skill reads by default. */
  readonly fieldLabels: Readonly<Record<string, string>>;
}

const english: Omit<SpeechStrings, 'fieldLabels' | 'locale'> = {
  welcomeLinked: (name) => `Welcome back, ${name}. You can ask for your name, your email, or about your account.`,
  welcomeLinkedNoName: 'Welcome back. You can ask for your name, your email, or about your account.',
  whatNext: 'What would you like to know?',
  notLinked:
    'To answer questions about your account, I need you to link it first. Open the Alexa app, go to this skill, and choose Link Account. I have sent a card to help.',
  linkExpired:
    'Your account link has expired or was revoked. Please link your account again in the Alexa app. I have sent a card to help.',
  accountUnavailable: 'Sorry, I could not reach your account just now. Please try again in a moment.',
  notConfigured: 'Sorry, this skill is not set up to read accounts yet.',
  yourName: (name) => `Your name is ${name}.`,
  noName: 'Your account does not list a name.',
  yourFirstName: (name) => `Your first name is ${name}.`,
  noFirstName: 'Your account does not list a first name.',
  linkedAs: ({ name, email }) =>
    name && email
      ? `Yes, your account is linked. You are signed in as ${name}, with the email address ${email}.`
      : name || email
        ? `Yes, your account is linked. You are signed in as ${name ?? email}.`
        : 'Yes, your account is linked.',
  notLinkedAnswer:
    "No, your account isn't linked yet. To link it, open the Alexa app, go to this skill, and choose Link Account. I have sent a card to help.",
  yourEmail: (email) => `Your email address is ${email}.`,
  noEmail: 'Your account does not list an email address.',
  summaryIntro: 'Here is your account.',
  summaryItem: (label, value) => `Your ${label} is ${value}.`,
  summaryEmpty: 'Your account is linked, but it lists no details I can read out.',
  fieldMissing: (label) => `Your account does not list your ${label}.`,
  fieldUnknown: (choices) => `I can't look that up. You can ask for your ${choices}.`,
  orWord: 'or',
  accountCreated: (date) => `Your account was created on ${date}.`,
  noAccountCreated: 'Your account does not list when it was created.',
  // The Alexa app's own words: the skill's page, Settings, "Disable Skill", which removes the link.
  howToUnlink:
    "To unlink your account, open the Alexa app, go to this skill's page, open Settings, and choose Disable Skill. That removes the link. To link another account, enable the skill again.",
  nothingToUnlink: "Your account isn't linked, so there is nothing to unlink.",
  help: 'You can ask me: what is my name, what is my email, is my account linked, or tell me about my account. What would you like to know?',
  fallback: 'Sorry, I did not get that. You can ask for your name, your email, or about your account.',
  goodbye: 'Goodbye.',
  error: 'Sorry, something went wrong. Please try again.',
  cardTitle: 'Link your account',
  timeZone: (place) => `${place} time`,
};

const englishLabels = {
  name: 'name',
  email: 'email address',
  phone_number: 'phone number',
  preferred_username: 'username',
  zoneinfo: 'time zone',
  locale: 'language setting',
  birthdate: 'birthday',
  website: 'website',
  'address.formatted': 'address',
};

/** Speech strings by locale; other locales fall back by language, then to en-US. */
export const SPEECH: Readonly<Record<string, SpeechStrings>> = {
  'en-US': { ...english, locale: 'en-US', fieldLabels: englishLabels },
  'en-GB': {
    ...english,
    locale: 'en-GB',
    fallback: "Sorry, I didn't catch that. You can ask for your name, your email, or about your account.",
    fieldLabels: { ...englishLabels, zoneinfo: 'time zone', phone_number: 'phone number' },
  },
  'de-DE': {
    locale: 'de-DE',
    welcomeLinked: (name) => `Willkommen zurück, ${name}. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.`,
    welcomeLinkedNoName: 'Willkommen zurück. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.',
    whatNext: 'Was möchtest du wissen?',
    notLinked:
      'Um Fragen zu deinem Konto zu beantworten, musst du es zuerst verknüpfen. Öffne die Alexa App, gehe zu diesem Skill und wähle Konto verknüpfen. Ich habe dir dazu eine Karte in der Alexa App geschickt.',
    linkExpired:
      'Die Verknüpfung mit deinem Konto ist abgelaufen oder wurde widerrufen. Bitte verknüpfe dein Konto in der Alexa App erneut. Ich habe dir dazu eine Karte in der Alexa App geschickt.',
    accountUnavailable: 'Entschuldigung, ich konnte dein Konto gerade nicht erreichen. Bitte versuche es gleich noch einmal.',
    notConfigured: 'Entschuldigung, dieser Skill ist noch nicht dafür eingerichtet, Konten zu lesen.',
    yourName: (name) => `Dein Name ist ${name}.`,
    noName: 'In deinem Konto ist kein Name hinterlegt.',
    yourFirstName: (name) => `Dein Vorname ist ${name}.`,
    noFirstName: 'In deinem Konto ist kein Vorname hinterlegt.',
    linkedAs: ({ name, email }) =>
      name && email
        ? `Ja, dein Konto ist verknüpft. Du bist als ${name} angemeldet, mit der E-Mail-Adresse ${email}.`
        : name || email
          ? `Ja, dein Konto ist verknüpft. Du bist als ${name ?? email} angemeldet.`
          : 'Ja, dein Konto ist verknüpft.',
    notLinkedAnswer:
      'Nein, dein Konto ist noch nicht verknüpft. Um es zu verknüpfen, öffne die Alexa App, gehe zu diesem Skill und wähle Konto verknüpfen. Ich habe dir dazu eine Karte in der Alexa App geschickt.',
    yourEmail: (email) => `Deine E-Mail-Adresse ist ${email}.`,
    noEmail: 'In deinem Konto ist keine E-Mail-Adresse hinterlegt.',
    summaryIntro: 'Das steht in deinem Konto.',
    summaryItem: (label, value) => `${label}: ${value}.`,
    summaryEmpty: 'Dein Konto ist verknüpft, enthält aber keine Angaben, die ich vorlesen kann.',
    // The label stands alone, as in the summary ("Geburtstag: …"): German would need its article and case otherwise.
    fieldMissing: (label) => `${label}: In deinem Konto ist dazu nichts hinterlegt.`,
    fieldUnknown: (choices) => `Das kann ich nicht nachsehen. Ich kenne diese Angaben: ${choices}.`,
    orWord: 'oder',
    accountCreated: (date) => `Dein Konto wurde am ${date} erstellt.`,
    noAccountCreated: 'In deinem Konto ist nicht hinterlegt, wann es erstellt wurde.',
    // The German Alexa app's words: Einstellungen, "Skill deaktivieren".
    howToUnlink:
      'Um die Konto-Verknüpfung aufzuheben, öffne die Alexa App, gehe zur Seite dieses Skills, öffne die Einstellungen und wähle Skill deaktivieren. Um ein anderes Konto zu verknüpfen, aktiviere den Skill danach wieder.',
    nothingToUnlink: 'Dein Konto ist nicht verknüpft, es gibt also keine Verknüpfung aufzuheben.',
    help: 'Du kannst mich zum Beispiel fragen: wie heiße ich, wie lautet meine E-Mail-Adresse, ist mein Konto verknüpft, oder: erzähl mir von meinem Konto. Was möchtest du wissen?',
    fallback: 'Entschuldigung, das habe ich nicht verstanden. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.',
    goodbye: 'Tschüss.',
    error: 'Entschuldigung, da ist etwas schiefgegangen. Bitte versuche es noch einmal.',
    cardTitle: 'Konto verknüpfen',
    timeZone: (place) => place,
    fieldLabels: {
      name: 'Name',
      email: 'E-Mail-Adresse',
      phone_number: 'Telefonnummer',
      preferred_username: 'Benutzername',
      zoneinfo: 'Zeitzone',
      locale: 'Spracheinstellung',
      birthdate: 'Geburtstag',
      website: 'Webseite',
      'address.formatted': 'Adresse',
    },
  },
};

export const SUPPORTED_LOCALES = Object.keys(SPEECH);

/** The strings for a request's locale: exact match, then same language, then en-US. */
export function speechFor(locale: unknown): SpeechStrings {
  if (typeof locale !== 'string') return SPEECH['en-US'];
  if (Object.hasOwn(SPEECH, locale)) return SPEECH[locale];
  const language = locale.split('-')[0];
  const sameLanguage = SUPPORTED_LOCALES.find((candidate) => candidate.startsWith(`${language}-`));
  return SPEECH[sameLanguage ?? 'en-US'];
}
