import { getLocale, getRequestType, type ErrorHandler } from 'ask-sdk-core';
import { describeCause, type Logger } from '../../models/logger';
import { respond } from '../respond';
import { speechFor } from '../speech/speech-strings';

/** Anything a handler did not expect: logged by class and message, answered with a short apology. */
export function errorHandler(logger: Logger): ErrorHandler {
  return {
    canHandle: () => true,
    handle: (input, error) => {
      logger.error(
        { requestType: getRequestType(input.requestEnvelope), cause: describeCause(error) },
        'skill request failed',
      );
      return respond(input, { speak: speechFor(getLocale(input.requestEnvelope)).error, endSession: true });
    },
  };
}
