import { getRequestType, type RequestHandler } from 'ask-sdk-core';
import type { Logger } from '../../models/logger';

/**
 * Skill events (the manifest subscribes `SKILL_ACCOUNT_LINKED` and `SKILL_DISABLED`): logged with the
 * user id only. The event body carries the access token; it is never logged.
 * @see https://developer.amazon.com/docs/smapi/skill-events-in-alexa-skills.html
 */
export function skillEventHandler(logger: Logger): RequestHandler {
  const events: Record<string, string> = {
    'AlexaSkillEvent.SkillAccountLinked': 'a user linked their account',
    'AlexaSkillEvent.SkillDisabled': 'a user disabled the skill',
    'AlexaSkillEvent.SkillEnabled': 'a user enabled the skill',
  };
  return {
    canHandle: (input) => Object.hasOwn(events, getRequestType(input.requestEnvelope)),
    handle: (input) => {
      const type = getRequestType(input.requestEnvelope);
      const userId = input.requestEnvelope.context?.System?.user?.userId ?? (input.requestEnvelope.request as { body?: { userId?: string } }).body?.userId;
      logger.info({ event: type, userId }, events[type]);
      return input.responseBuilder.getResponse();
    },
  };
}
