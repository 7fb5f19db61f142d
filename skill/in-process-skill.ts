import type { ResponseEnvelope } from 'ask-sdk-model';
import { AccountApiClient } from './account-api.client';
import { buildSkill } from './build-skill';
import { checkEnvelope } from './request-envelope';
import type { SkillHostDeps } from './skill-deps';

/** What `POST /alexa` would have answered, as status and body. */
export type SkillAnswer =
  | { readonly status: 200; readonly body: ResponseEnvelope }
  | { readonly status: 400; readonly body: { readonly error: 'bad_request'; readonly reason: string } }
  | { readonly status: 500; readonly body: { readonly error: 'server_error' } };

/** The skill called from inside the process. */
export interface InProcessSkill {
  invoke(envelope: unknown): Promise<SkillAnswer>;
}

/**
 * The skill reached from inside the process, for the simulator: the same envelope checks, handlers and
 * account API as `POST /alexa`, minus the request-signature check, which exists to prove a request
 * came from Alexa over the internet. Nothing outside the process can call this: there is no route to it,
 * so signature checks stay on for every HTTP request.
 */
export function createInProcessSkill(deps: SkillHostDeps): InProcessSkill {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'alexa', caller: 'simulator' });
  const accountApi = deps.skill?.accountApi ?? new AccountApiClient(config.skill.accountApiUrl, config.skill.accountApiTimeoutMs);
  const skill = buildSkill(config, logger, { accountApi });
  return {
    async invoke(envelope) {
      const checked = checkEnvelope(envelope, config.skill.skillId);
      if (!checked.ok) return { status: 400, body: { error: 'bad_request', reason: checked.reason } };
      try {
        return { status: 200, body: await skill.invoke(checked.envelope) };
      } catch (error) {
        logger.error({ cause: error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unknown' }, 'skill dispatch failed');
        return { status: 500, body: { error: 'server_error' } };
      }
    },
  };
}
