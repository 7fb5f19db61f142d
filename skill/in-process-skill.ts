import type { ResponseEnvelope } from 'ask-sdk-model';
import { describeCause } from '../models/logger';
import { AccountApiClient } from './account-api.client';
import { buildSkill } from './build-skill';
import { checkEnvelope } from './request-envelope';
import type { SkillHostDeps } from './skill-deps';
import { envelopeRefused, refusalFor, type SkillRefusal } from './skill-refusal';

/** What `POST /alexa` would have answered, as status and body. */
export type SkillAnswer = { readonly status: 200; readonly body: ResponseEnvelope } | SkillRefusal;

/** The skill called from inside the process. */
export interface InProcessSkill {
  invoke(envelope: unknown): Promise<SkillAnswer>;
}

/**
 * The skill reached from inside the process, for the simulator: the same envelope checks, handlers,
 * account API and refusals as `POST /alexa`, minus the request-signature check, which exists to prove a
 * request came from Alexa over the internet. Nothing outside the process can call this: there is no
 * route to it, so signature checks stay on for every HTTP request.
 */
export function createInProcessSkill(deps: SkillHostDeps): InProcessSkill {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'alexa', caller: 'simulator' });
  const accountApi = deps.skill?.accountApi ?? new AccountApiClient(config.skill.accountApiUrl, config.skill.accountApiTimeoutMs, undefined, config.skill.accountApiHeaders);
  const skill = buildSkill(config, logger, { accountApi, linkedAccounts: deps.skill?.linkedAccounts });
  return {
    async invoke(envelope) {
      const checked = checkEnvelope(envelope, config.skill.skillId);
      if (!checked.ok) return envelopeRefused(checked.reason);
      try {
        return { status: 200, body: await skill.invoke(checked.envelope) };
      } catch (error) {
        logger.error({ cause: describeCause(error) }, 'skill dispatch failed');
        return refusalFor(error);
      }
    },
  };
}
