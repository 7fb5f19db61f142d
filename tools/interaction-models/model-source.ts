import { ACCOUNT_INTENTS } from '../../skill/handlers/account-question.handler';
import { BUILT_IN_INTENTS } from '../../skill/handlers/builtin.handler';

/**
 * What the interaction models are made from: per language, the spellings a person types or Alexa
 * transcribes for one word (`<email>`: "email", "e mail"), the sample templates of each intent, and the
 * values of the field slot with their synonyms. `npm run skill:models` expands it into
 * `skill-package/interactionModels/custom/<locale>.json`; a test checks the committed files are its output.
 *
 * Template syntax: `(a|b)` one of, `[a]` optional, `<word>` every spelling of a word in {@link Language.spellings}.
 * Samples are written as Alexa wants them: lower case, words only, no hyphens (a typed "e-mail" reaches the
 * skill as "e mail"), numbers spelled out.
 * @see https://developer.amazon.com/docs/custom-skills/best-practices-for-sample-utterances-and-custom-slot-type-values.html
 */
export interface Language {
  readonly invocationName: string;
  /** The spellings of a word: the first is the one the skill says; all are heard. */
  readonly spellings: Readonly<Record<string, readonly string[]>>;
  /** Sample templates by intent name; every custom intent the skill handles has an entry. */
  readonly samples: Readonly<Record<string, readonly string[]>>;
  /**
   * The field slot's values: id (a JSON path of the profile), the value, and synonyms (templates too). The
   * name and the email have intents of their own, whose samples would collide with "what's my {field}".
   */
  readonly fields: ReadonlyArray<{ readonly id: string; readonly value: string; readonly synonyms: readonly string[] }>;
}

/** The slot the field question carries, and its type. */
export const FIELD_SLOT = { name: 'field', type: 'ACCOUNT_FIELD' } as const;

/** The built-in intents every model declares (Alexa trains their samples itself). */
export const BUILT_INS: readonly string[] = BUILT_IN_INTENTS;

const I = ACCOUNT_INTENTS;

const english: Language = {
  invocationName: 'account bridge',
  spellings: {
    email: ['email', 'e mail'],
    'first name': ['first name', 'firstname'],
  },
  samples: {
    [I.name]: [
      "what's my name",
      'what is my name',
      'what my name is',
      'who am i',
      'tell me my name',
      'say my name',
      "what's my full name",
      'what is my full name',
      'tell me my full name',
      'what my full name is',
      'what name is on my account',
      'what name do you have for me',
      'do you know my name',
      'do you know who i am',
      "what's the name on my account",
      'who is this account for',
      'what am i called',
      'whose account is this',
      'which name is on the account',
      'read me my name',
    ],
    [I.firstName]: [
      "what's my <first name>",
      'what is my <first name>',
      'what my <first name> is',
      'tell me my <first name>',
      "what's my given name",
      'what is my given name',
      'what <first name> do you have for me',
      'which <first name> is on my account',
    ],
    [I.linked]: [
      'is my account linked',
      'is my account connected',
      'if my account is linked',
      'whether my account is linked',
      'which account is linked',
      'what account is linked',
      'which account is connected',
      'which account is linked to this skill',
      'which account am i using',
      'what account am i using',
      'which account am i signed in with',
      'what account am i signed in with',
      'who am i signed in as',
      'who am i logged in as',
      'am i signed in',
      'am i logged in',
      'am i linked',
      'did linking work',
      'is linking set up',
      'check my account link',
    ],
    [I.email]: [
      "what's my <email>",
      'what is my <email>',
      "what's my <email> address",
      'what is my <email> address',
      'what my <email> address is',
      'tell me my <email>',
      'tell me my <email> address',
      'which <email> is on my account',
      'what <email> do you have for me',
      'what <email> address is on file',
      'read me my <email>',
      'which <email> address did i use',
      "what's the <email> on my account",
      'what is the <email> address on my account',
      'which <email> address am i signed in with',
    ],
    [I.summary]: [
      'tell me about my account',
      "what's in my account",
      'give me my account details',
      'read my account details',
      'account summary',
      'give me a summary of my account',
      'what do you know about me',
      'what does my account say',
      'my account details',
      'describe my account',
      "what's on my profile",
      'tell me about my profile',
      'read my profile',
      "what's on my account",
      'what details do you have about me',
    ],
    [I.field]: [
      "what's my {field}",
      'what is my {field}',
      'what my {field} is',
      'tell me my {field}',
      'read me my {field}',
      'what {field} is on my account',
      "what's the {field} on my account",
      'which {field} do you have for me',
      'what {field} do you have for me',
      'when is my {field}',
      "when's my {field}",
      'what {field} am i in',
      'which {field} am i in',
      'what {field} is my account set to',
      "what's my account's {field}",
    ],
    [I.language]: [
      '(what|which) language is my account (set to|in)',
      '(what|which) language (do i use|am i using|have i chosen|is set)',
      '(what|which) language does my account use',
      "(what's|what is) (my account language|the language of my account|my language)",
    ],
    [I.created]: [
      'when did i (create|make|open|set up) my account',
      'when was my account (created|made|opened|set up)',
      'when did i (sign up|join|register)',
      'how old is my account',
      'since when (do i have|have i had) my account',
      'how long have i had my account',
      'what date was my account created',
      "what's my account's creation date",
    ],
    [I.unlink]: [
      'how (do|can) i (unlink|disconnect) my account',
      'how (do|can) i (unlink|disconnect) this skill',
      'how (do|can) i remove (my account|the link)',
      'how do i unlink',
      'how to unlink my account',
      '(unlink|disconnect) my account',
      'remove my account link',
      'i want to unlink my account',
      'can i unlink my account',
      'how do i (sign|log) out',
      '(sign|log) me out',
      'how do i stop sharing my account',
    ],
  },
  fields: [
    { id: 'phone_number', value: 'phone number', synonyms: ['phone', 'telephone number', 'mobile number', 'mobile', 'cell number', 'cell phone number'] },
    { id: 'preferred_username', value: 'username', synonyms: ['user name', 'login', 'login name', 'handle'] },
    { id: 'birthdate', value: 'birthday', synonyms: ['date of birth', 'birth date'] },
    { id: 'zoneinfo', value: 'time zone', synonyms: ['timezone'] },
    { id: 'locale', value: 'language setting', synonyms: ['language', 'locale'] },
    { id: 'website', value: 'website', synonyms: ['web site', 'home page', 'homepage'] },
    { id: 'address.formatted', value: 'address', synonyms: ['postal address', 'home address', 'mailing address'] },
  ],
};

const german: Language = {
  invocationName: 'kontobrücke',
  spellings: {
    // "E-Mail-Adresse", "Emailadresse", "E Mail Adresse", "Email-Adresse", "Mailadresse": as typed or heard.
    'email adresse': ['e mail adresse', 'email adresse', 'emailadresse', 'mail adresse', 'mailadresse'],
    email: ['e mail', 'email'],
    // "Vorname", "Vor-Name"
    vorname: ['vorname', 'vor name'],
    vornamen: ['vornamen', 'vor namen'],
  },
  samples: {
    [I.name]: [
      'wie heiße ich',
      'wie ich heiße',
      'wie ist mein name',
      'wie mein name ist',
      'wie lautet mein name',
      'wie mein name lautet',
      'wer bin ich',
      'sag mir meinen namen',
      'nenn mir meinen namen',
      'kennst du meinen namen',
      'weißt du wer ich bin',
      'wie ist mein vollständiger name',
      'wie lautet mein vollständiger name',
      'wie mein vollständiger name lautet',
      'sag mir meinen vollständigen namen',
      'welcher name steht in meinem konto',
      'unter welchem namen kennst du mich',
      'auf wen läuft mein konto',
      'auf wen mein konto läuft',
      'wessen konto ist das',
      'lies mir meinen namen vor',
    ],
    [I.firstName]: [
      'wie ist mein <vorname>',
      'wie lautet mein <vorname>',
      'wie mein <vorname> lautet',
      'wie mein <vorname> ist',
      'sag mir meinen <vornamen>',
      'nenn mir meinen <vornamen>',
      'welcher <vorname> steht in meinem konto',
      'wie heiße ich mit <vornamen>',
    ],
    [I.linked]: [
      'ist mein konto verknüpft',
      'ob mein konto verknüpft ist',
      'welches konto ist verknüpft',
      'welches konto verknüpft ist',
      'mit welchem konto bin ich angemeldet',
      'mit welchem konto ich angemeldet bin',
      'als wer bin ich angemeldet',
      'bin ich angemeldet',
      'ob ich angemeldet bin',
      'bin ich verknüpft',
      'ist die verknüpfung eingerichtet',
      'hat die verknüpfung geklappt',
      'ob die verknüpfung geklappt hat',
      'welches konto benutze ich',
      'welches konto nutzt du',
      'ist mein konto verbunden',
      'welches konto ist mit dem skill verknüpft',
    ],
    [I.email]: [
      'wie lautet meine <email adresse>',
      'wie meine <email adresse> lautet',
      'wie ist meine <email adresse>',
      'wie lautet meine <email>',
      'was ist meine <email adresse>',
      'sag mir meine <email adresse>',
      'nenn mir meine <email adresse>',
      'welche <email adresse> steht in meinem konto',
      'welche <email adresse> hast du von mir',
      'welche <email adresse> ist hinterlegt',
      'lies mir meine <email adresse> vor',
      'meine <email adresse> bitte',
    ],
    [I.summary]: [
      'erzähl mir von meinem konto',
      'was steht in meinem konto',
      'was in meinem konto steht',
      'gib mir meine kontodaten',
      'lies meine kontodaten vor',
      'lies mir meine kontodaten vor',
      'kontoübersicht',
      'gib mir eine übersicht über mein konto',
      'was weißt du über mich',
      'was du über mich weißt',
      'welche daten hast du von mir',
      'was steht in meinem profil',
      'erzähl mir von meinem profil',
      'zeig mir meine kontodaten',
    ],
    [I.field]: [
      'wie lautet mein {field}',
      'wie lautet meine {field}',
      'wie mein {field} lautet',
      'wie meine {field} lautet',
      'wie ist mein {field}',
      'wie ist meine {field}',
      'was ist meine {field}',
      'sag mir meinen {field}',
      'sag mir meine {field}',
      'sag mir mein {field}',
      'nenn mir meinen {field}',
      'nenn mir meine {field}',
      'welche {field} ist hinterlegt',
      'welcher {field} ist hinterlegt',
      'welches {field} ist hinterlegt',
      'welche {field} steht in meinem konto',
      'welcher {field} steht in meinem konto',
      'wann ist mein {field}',
      'wann habe ich {field}',
      'wann ich {field} habe',
      'in welcher {field} bin ich',
      'in welcher {field} lebe ich',
      'welche {field} habe ich',
    ],
    [I.language]: [
      'welche sprache ist (eingestellt|in meinem konto eingestellt|für mein konto eingestellt)',
      'auf welche sprache ist mein konto eingestellt',
      'in welcher sprache ist mein konto',
      'welche sprache hat mein konto',
      'welche sprache (nutze|benutze|spreche) ich',
      'welche sprache habe ich (eingestellt|gewählt)',
      'was ist meine sprache',
      'was ist die sprache meines kontos',
    ],
    [I.created]: [
      'wann habe ich mein konto (erstellt|angelegt|eröffnet|eingerichtet)',
      'wann wurde mein konto (erstellt|angelegt|eröffnet|eingerichtet)',
      'wann habe ich mich registriert',
      'seit wann (habe ich mein konto|gibt es mein konto|bin ich registriert)',
      'wie alt ist mein konto',
      'an welchem tag wurde mein konto erstellt',
    ],
    [I.unlink]: [
      'wie hebe ich die [konto ]verknüpfung auf',
      'wie kann ich die [konto ]verknüpfung aufheben',
      '[die ](konto verknüpfung|kontoverknüpfung|verknüpfung) aufheben',
      'wie (trenne ich mein konto|kann ich mein konto trennen)',
      'trenne mein konto',
      'wie (entferne|löse) ich die verknüpfung',
      'wie melde ich mich ab',
      'melde mich ab',
      'ich möchte die verknüpfung aufheben',
    ],
  },
  fields: [
    { id: 'phone_number', value: 'Telefonnummer', synonyms: ['Handynummer', 'Mobilnummer', 'Telefon', 'Nummer'] },
    {
      id: 'preferred_username',
      value: 'Benutzername',
      synonyms: ['Benutzernamen', 'Benutzer Name', 'Nutzername', 'Nutzernamen', 'Nutzer Name', 'Username', 'User Name', 'Anmeldename', 'Login'],
    },
    { id: 'birthdate', value: 'Geburtstag', synonyms: ['Geburtsdatum'] },
    { id: 'zoneinfo', value: 'Zeitzone', synonyms: [] },
    { id: 'locale', value: 'Spracheinstellung', synonyms: ['Sprache'] },
    { id: 'website', value: 'Webseite', synonyms: ['Website', 'Homepage'] },
    { id: 'address.formatted', value: 'Adresse', synonyms: ['Anschrift', 'Postadresse'] },
  ],
};

/** The source of each locale's model; en-US and en-GB share the English one. */
export const MODEL_SOURCES: Readonly<Record<string, Language>> = {
  'en-US': english,
  'en-GB': english,
  'de-DE': german,
};
