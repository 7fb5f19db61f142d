import { getLocale, getRequestType, type RequestHandler } from 'ask-sdk-core';
import { respond } from '../respond';
import { speechFor } from '../speech/speech-strings';
import { isIntent } from './handler-context';

/** The built-in intents every interaction model declares. */
export const BUILT_IN_INTENTS = ['AMAZON.HelpIntent', 'AMAZON.CancelIntent', 'AMAZON.StopIntent', 'AMAZON.NavigateHomeIntent', 'AMAZON.FallbackIntent'] as const;

/** AMAZON.HelpIntent: what can be asked, and the session stays open. */
export const helpHandler: RequestHandler = {
  canHandle: (input) => isIntent(input, 'AMAZON.HelpIntent'),
  handle: (input) => {
    const strings = speechFor(getLocale(input.requestEnvelope));
    return respond(input, { speak: strings.help, reprompt: strings.whatNext });
  },
};

/** AMAZON.CancelIntent, AMAZON.StopIntent and AMAZON.NavigateHomeIntent: goodbye. */
export const stopHandler: RequestHandler = {
  canHandle: (input) => isIntent(input, 'AMAZON.CancelIntent', 'AMAZON.StopIntent', 'AMAZON.NavigateHomeIntent'),
  handle: (input) => respond(input, { speak: speechFor(getLocale(input.requestEnvelope)).goodbye, endSession: true }),
};

/** AMAZON.FallbackIntent: say what the skill understands and listen again. */
export const fallbackHandler: RequestHandler = {
  canHandle: (input) => isIntent(input, 'AMAZON.FallbackIntent'),
  handle: (input) => {
    const strings = speechFor(getLocale(input.requestEnvelope));
    return respond(input, { speak: strings.fallback, reprompt: strings.whatNext });
  },
};

/** SessionEndedRequest: nothing may be spoken; the response is empty. */
export const sessionEndedHandler: RequestHandler = {
  canHandle: (input) => getRequestType(input.requestEnvelope) === 'SessionEndedRequest',
  handle: (input) => input.responseBuilder.getResponse(),
};
