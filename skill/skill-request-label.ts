import { ACCOUNT_INTENTS } from './handlers/account-question.handler';
import { BUILT_IN_INTENTS } from './handlers/builtin.handler';

/** The intents the skill answers: the interaction models declare each of them. */
const KNOWN_INTENTS: ReadonlySet<string> = new Set([...Object.values(ACCOUNT_INTENTS), ...BUILT_IN_INTENTS]);

/**
 * Request types the skill receives besides intents.
 * @see https://developer.amazon.com/docs/custom-skills/request-types-reference.html
 * @see https://developer.amazon.com/docs/smapi/skill-events-in-alexa-skills.html
 */
const KNOWN_REQUEST_TYPES: ReadonlySet<string> = new Set([
  'LaunchRequest',
  'SessionEndedRequest',
  'CanFulfillIntentRequest',
  'System.ExceptionEncountered',
  'AlexaSkillEvent.SkillAccountLinked',
  'AlexaSkillEvent.SkillDisabled',
  'AlexaSkillEvent.SkillEnabled',
  'AlexaSkillEvent.SkillPermissionAccepted',
  'AlexaSkillEvent.SkillPermissionChanged',
]);

/**
 * What a request to the skill is, as a metrics label: the intent's name for an intent the skill
 * answers, the request's type for the other kinds it knows, `other` for anything else. Only names from
 * these closed sets come out, whatever the body says, so the label never grows with what callers send.
 */
export function skillRequestLabel(envelope: unknown): string {
  const request = (envelope as { request?: { type?: unknown; intent?: { name?: unknown } } } | null | undefined)?.request;
  const type = request?.type;
  if (type === 'IntentRequest') {
    const name = request?.intent?.name;
    return typeof name === 'string' && KNOWN_INTENTS.has(name) ? name : 'other';
  }
  return typeof type === 'string' && KNOWN_REQUEST_TYPES.has(type) ? type : 'other';
}
