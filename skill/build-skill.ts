import { SkillBuilders, type Skill } from 'ask-sdk-core';
import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import {
  accountCreatedHandler,
  emailHandler,
  fieldHandler,
  firstNameHandler,
  languageHandler,
  linkedAccountHandler,
  nameHandler,
  summaryHandler,
  unlinkHandler,
} from './handlers/account-question.handler';
import { fallbackHandler, helpHandler, sessionEndedHandler, stopHandler } from './handlers/builtin.handler';
import { errorHandler } from './handlers/error.handler';
import type { HandlerContext } from './handlers/handler-context';
import { launchHandler } from './handlers/launch.handler';
import { skillEventHandler } from './handlers/skill-event.handler';
import type { SkillDeps } from './skill-deps';

/** Builds the custom skill: every handler, the error handler and, with `SKILL_ID`, the skill-id check. */
export function buildSkill(config: Config, logger: Logger, deps: SkillDeps): Skill {
  const context: HandlerContext = { accountApi: deps.accountApi, linkedAccounts: deps.linkedAccounts, logger, fieldMap: config.skill.fieldMap };
  const builder = SkillBuilders.custom()
    .addRequestHandlers(
      launchHandler(context),
      nameHandler(context),
      firstNameHandler(context),
      linkedAccountHandler(context),
      emailHandler(context),
      summaryHandler(context),
      fieldHandler(context),
      languageHandler(context),
      accountCreatedHandler(context),
      unlinkHandler,
      helpHandler,
      stopHandler,
      fallbackHandler,
      sessionEndedHandler,
      skillEventHandler(logger, deps.linkedAccounts),
    )
    .addErrorHandlers(errorHandler(logger))
    .withCustomUserAgent('linkbridge');
  if (config.skill.skillId) builder.withSkillId(config.skill.skillId);
  return builder.create();
}
