import type { Intent, Slot } from 'ask-sdk-model';
import type { LanguageModel } from './interaction-models';

/** What Alexa makes of what the user said. */
export type Understood =
  | { readonly type: 'LaunchRequest'; readonly heard: string }
  | { readonly type: 'IntentRequest'; readonly heard: string; readonly intent: Intent; /** The sample that matched, or why none did. */ readonly matchedSample: string };

/** How each language wraps the invocation name ("ask account bridge to …", "frag Kontobrücke, …"). */
const INVOCATION_WORDS: Readonly<Record<string, { readonly verbs: readonly string[]; readonly joiners: readonly string[] }>> = {
  en: { verbs: ['ask', 'tell', 'open', 'launch', 'start', 'talk to', 'use', 'load', 'begin'], joiners: ['to', 'and', 'for'] },
  de: { verbs: ['frag', 'frage', 'sag', 'sage', 'öffne', 'starte', 'bitte', 'benutze', 'nutze'], joiners: ['und', 'nach'] },
};

/** Phrasings of Alexa's built-in intents (Alexa trains these itself; the models list no samples for them). */
const BUILT_IN_PHRASINGS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  en: {
    'AMAZON.HelpIntent': ['help', 'help me', 'what can i say', 'what can i ask', 'what can you do', 'how does this work'],
    'AMAZON.StopIntent': ['stop', 'off', 'shut up', 'be quiet', 'quit', 'exit', 'goodbye', 'bye'],
    'AMAZON.CancelIntent': ['cancel', 'never mind', 'nevermind', 'forget it'],
    'AMAZON.NavigateHomeIntent': ['go home', 'home'],
  },
  de: {
    'AMAZON.HelpIntent': ['hilfe', 'hilf mir', 'was kann ich sagen', 'was kann ich fragen', 'was kannst du', 'wie funktioniert das'],
    'AMAZON.StopIntent': ['stopp', 'stop', 'halt', 'aufhören', 'hör auf', 'beenden', 'beende', 'tschüss', 'sei still'],
    'AMAZON.CancelIntent': ['abbrechen', 'brich ab', 'vergiss es', 'egal'],
    'AMAZON.NavigateHomeIntent': ['startseite', 'geh zur startseite'],
  },
};

/** Utterance text as the models write samples: lower case, no punctuation but apostrophes, single spaces. */
export function normalizeUtterance(text: string, locale: string): string {
  return text
    .toLocaleLowerCase(locale)
    .normalize('NFC')
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'{} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Resolves typed words against one locale's interaction model as Alexa would: the invocation
 * ("ask account bridge to …", "öffne Kontobrücke") is taken off or makes a LaunchRequest; then a sample
 * that matches word for word wins over one with a slot, a slot value from the type (with its entity
 * resolution id) over a value the type does not know; Alexa's built-in intents are recognised; anything
 * else is AMAZON.FallbackIntent.
 * @see https://developer.amazon.com/docs/custom-skills/understanding-how-users-invoke-custom-skills.html
 */
export function resolveUtterance(words: string, model: LanguageModel, locale: string, skillId = 'amzn1.ask.skill.simulator'): Understood {
  const language = locale.split('-')[0];
  const heard = normalizeUtterance(words, locale).replace(/^alexa /, '');
  const rest = withoutInvocation(heard, normalizeUtterance(model.invocationName, locale), language);
  if (rest === '') return { type: 'LaunchRequest', heard };
  const polite = rest.replace(/^(please|bitte) /, '').replace(/ (please|bitte)$/, '');
  return matchUtterance(heard, rest, model, locale, skillId) ?? matchUtterance(heard, polite, model, locale, skillId) ?? intentRequest(heard, 'AMAZON.FallbackIntent', {}, '(no sample matches)');
}

function matchUtterance(heard: string, utterance: string, model: LanguageModel, locale: string, skillId: string): Understood | undefined {
  const language = locale.split('-')[0];
  const builtIns = BUILT_IN_PHRASINGS[language] ?? BUILT_IN_PHRASINGS.en;
  for (const [name, phrasings] of Object.entries(builtIns)) {
    if (phrasings.includes(utterance)) return intentRequest(heard, name, {}, utterance);
  }

  let best: { score: number; name: string; slots: Record<string, Slot>; sample: string } | undefined;
  for (const intent of model.intents) {
    for (const sample of intent.samples) {
      const match = matchSample(normalizeUtterance(sample, locale), utterance);
      if (!match) continue;
      const slots: Record<string, Slot> = {};
      for (const declared of intent.slots ?? []) slots[declared.name] = { name: declared.name, confirmationStatus: 'NONE' };
      let score = 3;
      for (const [slotName, value] of Object.entries(match)) {
        const type = intent.slots?.find((slot) => slot.name === slotName)?.type;
        const resolved = resolveSlotValue(value, model, type, locale);
        if (type && !type.startsWith('AMAZON.')) {
          slots[slotName] = {
            name: slotName,
            value,
            confirmationStatus: 'NONE',
            resolutions: {
              resolutionsPerAuthority: [
                {
                  authority: `amzn1.er-authority.echo-sdk.${skillId}.${type}`,
                  status: { code: resolved ? 'ER_SUCCESS_MATCH' : 'ER_SUCCESS_NO_MATCH' },
                  values: resolved ? [{ value: resolved }] : [],
                },
              ],
            },
          };
        } else {
          slots[slotName] = { name: slotName, value, confirmationStatus: 'NONE' };
        }
        score = Math.min(score, resolved ? 2 : 1);
      }
      if (!best || score > best.score) best = { score, name: intent.name, slots, sample };
    }
  }
  return best && intentRequest(heard, best.name, best.slots, best.sample);
}

function intentRequest(heard: string, name: string, slots: Record<string, Slot>, matchedSample: string): Understood {
  return { type: 'IntentRequest', heard, intent: { name, confirmationStatus: 'NONE', ...(Object.keys(slots).length > 0 ? { slots } : {}) }, matchedSample };
}

/** The words after the invocation: `''` for a plain launch, the whole utterance when no invocation was said. */
function withoutInvocation(heard: string, invocation: string, language: string): string {
  const { verbs, joiners } = INVOCATION_WORDS[language] ?? INVOCATION_WORDS.en;
  for (const verb of verbs) {
    const prefix = `${verb} ${invocation}`;
    if (heard === prefix) return '';
    if (heard.startsWith(`${prefix} `)) {
      const rest = heard.slice(prefix.length + 1);
      const joiner = joiners.find((word) => rest.startsWith(`${word} `));
      return joiner ? rest.slice(joiner.length + 1) : rest;
    }
  }
  return heard;
}

/** Slot values by name when `utterance` matches `sample` word for word, `{slot}` taking one or more words. */
function matchSample(sample: string, utterance: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = sample
    .split(/(\{\w+\})/)
    .map((part) => {
      const slot = /^\{(\w+)\}$/.exec(part);
      if (!slot) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(slot[1]);
      return '(.+?)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`, 'u').exec(utterance);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, index) => [name, match[index + 1]]));
}

/** The custom slot type's value (name and id) the words are, by value or synonym. */
function resolveSlotValue(words: string, model: LanguageModel, typeName: string | undefined, locale: string): { name: string; id: string } | undefined {
  const type = model.types?.find((candidate) => candidate.name === typeName);
  for (const value of type?.values ?? []) {
    const spellings = [value.name.value, ...(value.name.synonyms ?? [])].map((spelling) => normalizeUtterance(spelling, locale));
    if (spellings.includes(words)) return { name: value.name.value, id: value.id ?? value.name.value };
  }
  return undefined;
}
