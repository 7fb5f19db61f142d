import { RequestVerificationError } from './request-verification-error';

/** How far a request's timestamp may be from now. */
export const REQUEST_TOLERANCE_MS = 150_000;
/** Skill events (`AlexaSkillEvent.*`) may arrive up to an hour after they happened. */
export const SKILL_EVENT_TOLERANCE_MS = 3_600_000;

/**
 * Checks `request.timestamp` of a parsed envelope against `now`: within 150 s either way, or for a
 * skill event up to one hour old.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#check-request-timestamp
 * @see https://developer.amazon.com/docs/smapi/skill-events-in-alexa-skills.html
 */
export function checkRequestTimestamp(envelope: unknown, now: number): void {
  const request = (envelope as { request?: { type?: unknown; timestamp?: unknown } } | null | undefined)?.request;
  const stamped = typeof request?.timestamp === 'string' ? Date.parse(request.timestamp) : Number.NaN;
  if (Number.isNaN(stamped)) throw new RequestVerificationError('timestamp', 'the request has no valid request.timestamp');
  const age = now - stamped;
  const isSkillEvent = typeof request?.type === 'string' && request.type.startsWith('AlexaSkillEvent.');
  const maximumAge = isSkillEvent ? SKILL_EVENT_TOLERANCE_MS : REQUEST_TOLERANCE_MS;
  if (age > maximumAge || age < -REQUEST_TOLERANCE_MS) {
    throw new RequestVerificationError('timestamp', `the request timestamp is ${Math.round(age / 1000)} s from now (allowed: ${maximumAge / 1000} s old, ${REQUEST_TOLERANCE_MS / 1000} s ahead)`);
  }
}
