import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_INS, FIELD_SLOT, MODEL_SOURCES, type Language } from './model-source';

/** An ask-cli v2 interaction model, as `skill-package/interactionModels/custom/<locale>.json` holds it. */
export interface InteractionModelFile {
  readonly interactionModel: {
    readonly languageModel: {
      readonly invocationName: string;
      readonly intents: ReadonlyArray<{ readonly name: string; readonly slots?: ReadonlyArray<{ readonly name: string; readonly type: string; readonly samples: readonly string[] }>; readonly samples: readonly string[] }>;
      readonly types: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<{ readonly id: string; readonly name: { readonly value: string; readonly synonyms?: readonly string[] } }> }>;
    };
  };
}

/** A model the source cannot make: the message names the locale and what is wrong. */
export class ModelSourceError extends Error {}

/** Where the committed models live. */
export const MODELS_DIRECTORY = join(__dirname, '..', '..', 'skill-package', 'interactionModels', 'custom');

/**
 * Every text a template stands for, in order, without repeats: `(a|b)` is one of, `[a]` optional, and
 * `<word>` each spelling of the word.
 */
export function expandTemplate(template: string, spellings: Language['spellings'] = {}): string[] {
  const [head, alternatives, tail] = firstGroup(template, spellings);
  if (alternatives === undefined) return [template.replace(/\s+/g, ' ').trim()];
  const texts = alternatives.flatMap((alternative) => expandTemplate(`${head}${alternative}${tail}`, spellings));
  return [...new Set(texts)];
}

/** The text before the first group, the group's alternatives, and the text after it. */
function firstGroup(template: string, spellings: Language['spellings']): [string, string[] | undefined, string] {
  const start = template.search(/[([<]/);
  if (start < 0) return [template, undefined, ''];
  const open = template[start];
  const close = { '(': ')', '[': ']', '<': '>' }[open]!;
  let depth = 0;
  for (let index = start; index < template.length; index += 1) {
    if (template[index] === open) depth += 1;
    if (template[index] === close) depth -= 1;
    if (depth === 0) {
      const inner = template.slice(start + 1, index);
      const rest = template.slice(index + 1);
      if (open === '<') {
        const words = spellings[inner];
        if (!words) throw new ModelSourceError(`no spellings for <${inner}>`);
        return [template.slice(0, start), [...words], rest];
      }
      return [template.slice(0, start), open === '[' ? [inner, ''] : splitTopLevel(inner), rest];
    }
  }
  throw new ModelSourceError(`unclosed ${open} in "${template}"`);
}

/** `a|b(c|d)` → `a`, `b(c|d)`: alternatives of one group, nested groups kept whole. */
function splitTopLevel(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of inner) {
    if ('([<'.includes(char)) depth += 1;
    if (')]>'.includes(char)) depth -= 1;
    if (char === '|' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  return [...parts, current];
}

/**
 * The checks Alexa makes when a model is built, so a mistake fails here and not at `ask deploy`: samples
 * of words, apostrophes and periods only (no hyphens, digits or other punctuation), at most 200 characters,
 * none said twice across the model, every `{slot}` declared; slot values and synonyms unique across the type.
 * @see https://developer.amazon.com/docs/custom-skills/best-practices-for-sample-utterances-and-custom-slot-type-values.html
 * @see https://developer.amazon.com/docs/custom-skills/create-and-edit-custom-slot-types.html
 */
function checkModel(locale: string, model: InteractionModelFile): void {
  const fail = (problem: string) => {
    throw new ModelSourceError(`${locale}: ${problem}`);
  };
  const said = new Map<string, string>();
  for (const intent of model.interactionModel.languageModel.intents) {
    const slots = new Set((intent.slots ?? []).map((slot) => slot.name));
    for (const sample of intent.samples) {
      if (!/^[\p{Ll}\p{Lo}' .]*$/u.test(sample.replace(/\{\w+\}/g, ''))) fail(`"${sample}" has characters a sample cannot have`);
      if (sample.length > 200) fail(`"${sample}" is longer than 200 characters`);
      for (const [, slot] of sample.matchAll(/\{(\w+)\}/g)) if (!slots.has(slot)) fail(`"${sample}" uses {${slot}}, which ${intent.name} does not declare`);
      const key = sample.toLowerCase();
      const other = said.get(key);
      if (other !== undefined) fail(`"${sample}" is a sample of both ${other} and ${intent.name}`);
      said.set(key, intent.name);
    }
  }
  for (const type of model.interactionModel.languageModel.types) {
    const seen = new Map<string, string>();
    for (const value of type.values) {
      for (const spelling of [value.name.value, ...(value.name.synonyms ?? [])]) {
        const key = spelling.toLowerCase();
        const other = seen.get(key);
        if (other !== undefined && other !== value.id) fail(`"${spelling}" names both ${other} and ${value.id} in ${type.name}`);
        seen.set(key, value.id);
      }
    }
  }
}

/** The interaction model of one locale, built from its source and checked as Alexa would check it. */
export function buildInteractionModel(locale: string, source: Language | undefined = MODEL_SOURCES[locale]): InteractionModelFile {
  if (!source) throw new ModelSourceError(`no model source for ${locale}`);
  const expand = (templates: readonly string[]) => [...new Set(templates.flatMap((template) => expandTemplate(template, source.spellings)))];
  const intents = [
    ...BUILT_INS.map((name) => ({ name, samples: [] as string[] })),
    ...Object.entries(source.samples).map(([name, templates]) => {
      const samples = expand(templates);
      const usesField = samples.some((sample) => sample.includes(`{${FIELD_SLOT.name}}`));
      return usesField ? { name, slots: [{ name: FIELD_SLOT.name, type: FIELD_SLOT.type, samples: [] as string[] }], samples } : { name, samples };
    }),
  ];
  const values = source.fields.map(({ id, value, synonyms }) => {
    const spelled = expand(synonyms).filter((synonym) => synonym.toLowerCase() !== value.toLowerCase());
    return { id, name: spelled.length > 0 ? { value, synonyms: spelled } : { value } };
  });
  const model: InteractionModelFile = {
    interactionModel: { languageModel: { invocationName: source.invocationName, intents, types: [{ name: FIELD_SLOT.type, values }] } },
  };
  checkModel(locale, model);
  return model;
}

/** The file text of a locale's model: two-space JSON and a final newline, as the committed files are. */
export function modelFileText(locale: string): string {
  return `${JSON.stringify(buildInteractionModel(locale), null, 2)}\n`;
}

/** Writes every locale's model (or, with `--check`, only says which differ); the exit code says whether all were current. */
function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  for (const locale of Object.keys(MODEL_SOURCES)) {
    const path = join(MODELS_DIRECTORY, `${locale}.json`);
    const text = modelFileText(locale);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // A missing file is written (or reported) like a stale one.
    }
    if (current === text) continue;
    stale += 1;
    if (check) process.stdout.write(`${path} differs from tools/interaction-models/model-source.ts: run npm run skill:models\n`);
    else {
      writeFileSync(path, text);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  return check && stale > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
