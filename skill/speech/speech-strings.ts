/** Everything the skill says in one locale. Values are plain text; `ssml()` escapes on the way out. */
export interface SpeechStrings {
  readonly welcomeLinked: (name: string) => string;
  readonly welcomeLinkedNoName: string;
  readonly whatNext: string;
  readonly notLinked: string;
  readonly linkExpired: string;
  readonly accountUnavailable: string;
  readonly notConfigured: string;
  readonly yourName: (name: string) => string;
  readonly noName: string;
  readonly yourEmail: (email: string) => string;
  readonly noEmail: string;
  readonly summaryIntro: string;
  readonly summaryItem: (label: string, value: string) => string;
  readonly summaryEmpty: string;
  readonly fieldMissing: (label: string) => string;
  readonly fieldUnknown: (choices: string) => string;
  readonly orWord: string;
  readonly help: string;
  readonly fallback: string;
  readonly goodbye: string;
  readonly error: string;
  readonly cardTitle: string;
  /** Spoken labels of the OpenID Connect userinfo claims the skill reads by default. */
  readonly fieldLabels: Readonly<Record<string, string>>;
}

const english: Omit<SpeechStrings, 'fieldLabels'> = {
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
  yourEmail: (email) => `Your email address is ${email}.`,
  noEmail: 'Your account does not list an email address.',
  summaryIntro: 'Here is your account.',
  summaryItem: (label, value) => `Your ${label} is ${value}.`,
  summaryEmpty: 'Your account is linked, but it lists no details I can read out.',
  fieldMissing: (label) => `Your account does not list a ${label}.`,
  fieldUnknown: (choices) => `I can't look that up. You can ask for your ${choices}.`,
  orWord: 'or',
  help: 'You can ask me: what is my name, what is my email, or tell me about my account. What would you like to know?',
  fallback: 'Sorry, I did not get that. You can ask for your name, your email, or about your account.',
  goodbye: 'Goodbye.',
  error: 'Sorry, something went wrong. Please try again.',
  cardTitle: 'Link your account',
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
  'en-US': { ...english, fieldLabels: englishLabels },
  'en-GB': {
    ...english,
    fallback: "Sorry, I didn't catch that. You can ask for your name, your email, or about your account.",
    fieldLabels: { ...englishLabels, zoneinfo: 'time zone', phone_number: 'phone number' },
  },
  'de-DE': {
    welcomeLinked: (name) => `Willkommen zurück, ${name}. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.`,
    welcomeLinkedNoName: 'Willkommen zurück. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.',
    whatNext: 'Was möchtest du wissen?',
    notLinked:
      'Um Fragen zu deinem Konto zu beantworten, musst du es zuerst verknüpfen. Öffne die Alexa App, gehe zu diesem Skill und wähle Konto verknüpfen. Ich habe dir eine Karte geschickt.',
    linkExpired:
      'Die Verknüpfung mit deinem Konto ist abgelaufen oder wurde widerrufen. Bitte verknüpfe dein Konto in der Alexa App erneut. Ich habe dir eine Karte geschickt.',
    accountUnavailable: 'Entschuldigung, ich konnte dein Konto gerade nicht erreichen. Bitte versuche es gleich noch einmal.',
    notConfigured: 'Entschuldigung, dieser Skill ist noch nicht dafür eingerichtet, Konten zu lesen.',
    yourName: (name) => `Dein Name ist ${name}.`,
    noName: 'In deinem Konto ist kein Name hinterlegt.',
    yourEmail: (email) => `Deine E-Mail-Adresse ist ${email}.`,
    noEmail: 'In deinem Konto ist keine E-Mail-Adresse hinterlegt.',
    summaryIntro: 'Hier ist dein Konto.',
    summaryItem: (label, value) => `${label}: ${value}.`,
    summaryEmpty: 'Dein Konto ist verknüpft, enthält aber keine Angaben, die ich vorlesen kann.',
    fieldMissing: (label) => `In deinem Konto ist keine Angabe zu ${label} hinterlegt.`,
    fieldUnknown: (choices) => `Das kann ich nicht nachsehen. Du kannst nach ${choices} fragen.`,
    orWord: 'oder',
    help: 'Du kannst mich fragen: wie ist mein Name, wie ist meine E-Mail-Adresse, oder erzähl mir von meinem Konto. Was möchtest du wissen?',
    fallback: 'Entschuldigung, das habe ich nicht verstanden. Du kannst nach deinem Namen, deiner E-Mail-Adresse oder deinem Konto fragen.',
    goodbye: 'Tschüss.',
    error: 'Entschuldigung, da ist etwas schiefgegangen. Bitte versuche es noch einmal.',
    cardTitle: 'Konto verknüpfen',
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
export function speechFor(locale: string | undefined): SpeechStrings {
  if (locale && SPEECH[locale]) return SPEECH[locale];
  const language = locale?.split('-')[0];
  const sameLanguage = SUPPORTED_LOCALES.find((candidate) => candidate.startsWith(`${language}-`));
  return SPEECH[sameLanguage ?? 'en-US'];
}
