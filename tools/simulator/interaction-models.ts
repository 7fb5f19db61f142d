import deDE from '../../skill-package/interactionModels/custom/de-DE.json';
import enGB from '../../skill-package/interactionModels/custom/en-GB.json';
import enUS from '../../skill-package/interactionModels/custom/en-US.json';

/** The part of an ask-cli v2 interaction model the simulator reads. */
export interface LanguageModel {
  readonly invocationName: string;
  readonly intents: ReadonlyArray<{
    readonly name: string;
    readonly samples: readonly string[];
    readonly slots?: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  }>;
  readonly types?: ReadonlyArray<{
    readonly name: string;
    readonly values: ReadonlyArray<{ readonly id?: string; readonly name: { readonly value: string; readonly synonyms?: readonly string[] } }>;
  }>;
}

/**
 * The skill's own interaction models (`skill-package/interactionModels/custom/<locale>.json`), the
 * ones `ask deploy` uploads: the simulator understands exactly what Alexa would be taught.
 */
export const INTERACTION_MODELS: Readonly<Record<string, LanguageModel>> = {
  'en-US': enUS.interactionModel.languageModel,
  'en-GB': enGB.interactionModel.languageModel,
  'de-DE': deDE.interactionModel.languageModel,
};
