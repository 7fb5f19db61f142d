import type { HandlerInput } from 'ask-sdk-core';
import type { Response } from 'ask-sdk-model';
import { fittedSsml } from './speech/ssml';

/** What a handler answers. */
export interface Answer {
  readonly speak: string;
  /** Keeps the session open and says this if the user stays silent. */
  readonly reprompt?: string;
  readonly linkAccountCard?: boolean;
  /** End the session even without a reprompt (the default when there is none). */
  readonly endSession?: boolean;
}

/**
 * Builds every response the skill gives, so all speech passes through `fittedSsml()` (well-formed,
 * within Alexa's length limits) and the session rules are the same everywhere.
 */
export function respond(input: HandlerInput, answer: Answer): Response {
  const builder = input.responseBuilder.speak(fittedSsml(answer.speak));
  if (answer.reprompt) builder.reprompt(fittedSsml(answer.reprompt));
  if (answer.linkAccountCard) builder.withLinkAccountCard();
  builder.withShouldEndSession(answer.endSession ?? !answer.reprompt);
  return builder.getResponse();
}
