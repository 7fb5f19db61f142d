import type { ResponseEnvelope } from 'ask-sdk-model';
import type { DepsOverrides } from '../deps';
import { accountApiUrlOf, resolveProviderProfile } from '../linking/providers/presets';
import { systemClock } from '../models/clock';
import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import { AccountApiClient } from '../skill/account-api.client';
import { createDirectInvocationSkill, RefusedInvocationError } from '../skill/direct-invocation';
import type { SkillDeps } from '../skill/skill-deps';

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
  const skill = createDirectInvocationSkill({ config, logger, clock: overrides.clock ?? systemClock, skill: await skillParts(config, logger, overrides) });
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

/**
 * What the skill reaches the outside through. In relay custody Alexa's token is the provider's, so the account
 * API client is all it needs; in vault custody the token is linkbridge's, resolved through the vault, which
 * needs the store and the provider client: the same deps the app has.
 */
async function skillParts(config: Config, logger: Logger, overrides: DepsOverrides): Promise<Partial<SkillDeps>> {
  if (config.tokenCustody === 'vault') {
    // Loaded only in vault custody: a relay-custody cold start needs neither the store nor the provider client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
    const { buildDeps } = require('../deps') as typeof import('../deps');
    return (await buildDeps(config, logger, overrides)).skill ?? {};
  }
  const accountApiUrl = config.skill.accountApiUrl ?? accountApiUrlOf(undefined, await resolveProviderProfile(config.upstream, overrides.fetch ?? fetch)).url;
  return { accountApi: new AccountApiClient(accountApiUrl, config.skill.accountApiTimeoutMs) };
}
