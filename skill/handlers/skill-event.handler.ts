import { getRequestType, type RequestHandler } from 'ask-sdk-core';
import type { LinkedAccounts } from '../../models/linked-accounts';
import type { Logger } from '../../models/logger';

/**
 * Skill events (the manifest subscribes `SKILL_ACCOUNT_LINKED` and `SKILL_DISABLED`): logged with the
 * user id only; the event body carries the access token, which is never logged. In vault custody they
 * reach the links: `SkillDisabled` ends the user's link (deleted, revoked at the provider), and
 * `SkillAccountLinked` ends an earlier link of the same user. That work runs in the background, so the
 * answer to Alexa waits for none of it.
 * @see https://developer.amazon.com/docs/smapi/skill-events-in-alexa-skills.html
 * @see https://developer.amazon.com/docs/account-linking/account-linking-faqs.html (revoke tokens when the skill is disabled)
 */
export function skillEventHandler(logger: Logger, linkedAccounts?: LinkedAccounts): RequestHandler {
  const events: Record<string, string> = {
    'AlexaSkillEvent.SkillAccountLinked': 'a user linked their account',
    'AlexaSkillEvent.SkillDisabled': 'a user disabled the skill',
    'AlexaSkillEvent.SkillEnabled': 'a user enabled the skill',
  };
  return {
    canHandle: (input) => Object.hasOwn(events, getRequestType(input.requestEnvelope)),
    handle: (input) => {
      const type = getRequestType(input.requestEnvelope);
      const envelope = input.requestEnvelope;
      const body = (envelope.request as { body?: { userId?: string; accessToken?: string } }).body;
      const userId = envelope.context?.System?.user?.userId ?? body?.userId;
      logger.info({ event: type, userId }, events[type]);
      if (linkedAccounts && userId !== undefined) {
        const accessToken = envelope.context?.System?.user?.accessToken;
        if (type === 'AlexaSkillEvent.SkillAccountLinked') linkedAccounts.accountLinked(userId, body?.accessToken ?? accessToken);
        if (type === 'AlexaSkillEvent.SkillDisabled') linkedAccounts.skillDisabled(userId, accessToken);
      }
      return input.responseBuilder.getResponse();
    },
  };
}
