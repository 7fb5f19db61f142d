import type { ResponseEnvelope } from 'ask-sdk-model';
import { AccountApiClient } from './account-api.client';
import { buildSkill } from './build-skill';
import { checkEnvelope } from './request-envelope';
import type { SkillHostDeps } from './skill-deps';

/**
 * An invocation the skill refuses: not a request envelope, or one for another skill. The message names
 * what is wrong, never a value from the request, and becomes the function's error.
 */
export class RefusedInvocationError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RefusedInvocationError';
  }
}

/** The skill as AWS Lambda's Alexa Skills Kit trigger calls it: the event is the request envelope. */
export interface DirectInvocationSkill {
  /** The response envelope; rejects with a {@link RefusedInvocationError} for a refused request. */
  invoke(envelope: unknown): Promise<ResponseEnvelope>;
}

/**
 * The skill invoked directly by Alexa on AWS Lambda: the same envelope checks (`SKILL_ID` included),
 * handlers and account API as `POST /alexa`, without the request-signature check, which proves that an
 * HTTPS request came from Alexa; a direct invocation comes through Lambda's own permission, which the
 * template restricts to this skill id. A refused request is an error, as it is for the ASK SDK's own
 * Lambda handler; a failure inside a handler is already answered by the skill's error handler.
 * @see https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-an-aws-lambda-function.html
 */
export function createDirectInvocationSkill(deps: SkillHostDeps): DirectInvocationSkill {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'alexa', caller: 'lambda' });
  const accountApi = deps.skill?.accountApi ?? new AccountApiClient(config.skill.accountApiUrl, config.skill.accountApiTimeoutMs);
  const skill = buildSkill(config, logger, { accountApi, linkedAccounts: deps.skill?.linkedAccounts });
  return {
    async invoke(envelope) {
      const checked = checkEnvelope(envelope, config.skill.skillId);
      if (!checked.ok) {
        if (checked.otherSkillId !== undefined) logger.warn({ applicationId: checked.otherSkillId }, 'Alexa request refused: it is for another skill id (SKILL_ID)');
        else logger.warn({ reason: checked.reason }, 'Alexa request refused');
        throw new RefusedInvocationError(checked.reason);
      }
      return skill.invoke(checked.envelope);
    },
  };
}
