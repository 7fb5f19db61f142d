import { errorBody, type ErrorBody } from '../models/error-body';
import { BodyReadError } from '../models/read-body';

/**
 * How the skill endpoint refuses a request: a status and the one error body every refusal of linkbridge
 * has (`models/error-body.ts`), `invalid_request` for the caller's faults and `server_error` for the
 * service's. `POST /alexa` sends it as it is; the simulator's in-process entry returns it.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
 */
export interface SkillRefusal {
  readonly status: 400 | 413 | 415 | 500;
  readonly body: ErrorBody;
}

/** The request is not provably Alexa's: its signature, certificate or timestamp did not check out. */
export function verificationFailed(): SkillRefusal {
  return { status: 400, body: errorBody('invalid_request', 'request verification failed') };
}

/** The body is not an Alexa request envelope, or is one for another skill; `reason` names a field, never a value. */
export function envelopeRefused(reason: string): SkillRefusal {
  return { status: 400, body: errorBody('invalid_request', reason) };
}

/**
 * A failure while the request was read or answered, by its type: a body the reader refused keeps its
 * status (413 too large, 415 compressed or another charset, 400 cut short) and its description; anything
 * else is a `500 server_error` whose cause only the log sees.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14 and #section-15.5.16
 */
export function refusalFor(failure: unknown): SkillRefusal {
  if (failure instanceof BodyReadError) return { status: failure.status, body: errorBody('invalid_request', failure.message) };
  return skillFailed();
}

/** The service failed to answer: `500 server_error`, what happened only in the log. */
export function skillFailed(): SkillRefusal {
  return { status: 500, body: errorBody('server_error', 'the skill could not answer this request') };
}
