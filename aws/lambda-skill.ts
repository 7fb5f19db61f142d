import type { ResponseEnvelope } from 'ask-sdk-model';
import type { DepsOverrides } from '../deps';
import { accountApiUrlOf, resolveProviderProfile } from '../linking/providers/presets';
import { systemClock } from '../models/clock';
import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import { AccountApiClient } from '../skill/account-api.client';
import { createDirectInvocationSkill, RefusedInvocationError } from '../skill/direct-invocation';

/** The skill half of the function. */
export interface SkillHalf {
  /** The response envelope; rejects for a refused request (the reason) or a failed one (a generic error). */
  answer(envelope: unknown): Promise<ResponseEnvelope>;
}

/**
 * The skill for Alexa's direct invocations, built at the first one: the handlers and the account API client,
 * no store and no app. The account API is `ACCOUNT_API_URL`, or the provider's userinfo endpoint, which may
 * take the provider's discovery document to know.
 */
export async function startSkillHalf(config: Config, logger: Logger, overrides: DepsOverrides): Promise<SkillHalf> {
  const accountApiUrl = config.skill.accountApiUrl ?? accountApiUrlOf(undefined, await resolveProviderProfile(config.upstream, overrides.fetch ?? fetch)).url;
  const accountApi = new AccountApiClient(accountApiUrl, config.skill.accountApiTimeoutMs);
  const skill = createDirectInvocationSkill({ config, logger, clock: overrides.clock ?? systemClock, skill: { accountApi } });
  return {
    async answer(envelope) {
      try {
        return await skill.invoke(envelope);
      } catch (error) {
        if (error instanceof RefusedInvocationError) throw error;
        logger.error({ cause: error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unknown' }, 'skill dispatch failed');
        throw new Error('the skill could not answer this request');
      }
    },
  };
}
