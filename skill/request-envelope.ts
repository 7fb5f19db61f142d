import type { RequestEnvelope } from 'ask-sdk-model';
import { z } from 'zod';

/**
 * The parts of an Alexa request envelope the skill reads, as Alexa always sends them. ask-sdk-core
 * trusts its input: without `context` its skill-id check throws, and a locale that is not a string
 * breaks speech lookup, both inside the SDK where they become 500s. Checked here, they are 400s.
 * Everything else passes through unchanged.
 * @see https://developer.amazon.com/docs/custom-skills/request-and-response-json-reference.html
 */
const EnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  session: z
    .looseObject({
      new: z.boolean().optional(),
      sessionId: z.string().optional(),
      application: z.looseObject({ applicationId: z.string() }).optional(),
    })
    .optional(),
  context: z.looseObject({
    System: z.looseObject({
      application: z.looseObject({ applicationId: z.string() }),
      user: z.looseObject({ userId: z.string(), accessToken: z.string().optional() }),
    }),
  }),
  request: z
    .looseObject({
      type: z.string().min(1),
      requestId: z.string().optional(),
      locale: z.string().max(35).optional(),
      intent: z
        .looseObject({
          name: z.string().min(1),
          slots: z.record(z.string(), z.looseObject({ name: z.string().optional(), value: z.string().optional() })).optional(),
        })
        .optional(),
    })
    .refine((request) => request.type !== 'IntentRequest' || request.intent !== undefined, { message: 'an IntentRequest needs an intent', path: ['intent'] }),
});

/** Why an envelope is refused; safe to send back (it names a field, never a value). */
export type EnvelopeCheck =
  | { readonly ok: true; readonly envelope: RequestEnvelope }
  | { readonly ok: false; readonly reason: string; /** Set when the request is for another skill. */ readonly otherSkillId?: string };

/** The reason the router and the simulator give for a body that is not an envelope. */
export const NOT_AN_ENVELOPE = 'the body is not an Alexa request envelope';
export const OTHER_SKILL = 'the request is for another skill';

/**
 * Parses and checks a request body (text, or an already parsed value) as an Alexa envelope and, when
 * `skillId` is given, that it is meant for this skill.
 */
export function checkEnvelope(body: unknown, skillId?: string): EnvelopeCheck {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { ok: false, reason: NOT_AN_ENVELOPE };
    }
  }
  const result = EnvelopeSchema.safeParse(parsed);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join('.');
    return { ok: false, reason: where ? `${NOT_AN_ENVELOPE} (${where})` : NOT_AN_ENVELOPE };
  }
  const envelope = parsed as RequestEnvelope;
  const sessionSkill = envelope.session?.application?.applicationId;
  if (skillId !== undefined && (applicationIdOf(envelope) !== skillId || (sessionSkill !== undefined && sessionSkill !== skillId))) {
    return { ok: false, reason: OTHER_SKILL, otherSkillId: applicationIdOf(envelope) };
  }
  return { ok: true, envelope };
}

/** The skill the request is for: Alexa puts it in `context` (and, inside a session, in `session` too). */
export function applicationIdOf(envelope: RequestEnvelope): string | undefined {
  return envelope.context?.System?.application?.applicationId ?? envelope.session?.application?.applicationId;
}
