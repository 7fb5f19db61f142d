/**
 * `POST /alexa` refuses every request it does not answer with one body shape, `{error, error_description}`
 * (RFC 6749 §5.2's, as every refusal of linkbridge): verification failed, not an envelope, another skill,
 * a body too large, compressed, in another charset or cut short, a failed dispatch. The simulator's
 * in-process entry answers its refusals the same way.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
 */
import { ALEXA_REFUSAL_KINDS, driveAlexaRefusals, driveInProcessRefusals, type SkillRefusalSeen } from '../../support/alexa-refusals';

/** The one shape: exactly these two keys, a known code and a description for the caller. */
function expectOneShape(refusal: SkillRefusalSeen): void {
  expect({ kind: refusal.kind, keys: Object.keys(refusal.body as object).sort() }).toEqual({ kind: refusal.kind, keys: ['error', 'error_description'] });
  const { error, error_description: description } = refusal.body as Record<string, unknown>;
  expect({ kind: refusal.kind, error }).toEqual({ kind: refusal.kind, error: refusal.status >= 500 ? 'server_error' : 'invalid_request' });
  expect(typeof description === 'string' && description.length > 0).toBe(true);
}

test('every refusal of POST /alexa has the one error body, with the status that fits it', async () => {
  const refusals = await driveAlexaRefusals();
  expect(refusals.map((refusal) => refusal.kind)).toEqual([...ALEXA_REFUSAL_KINDS]);
  for (const refusal of refusals) expectOneShape(refusal);
  expect(Object.fromEntries(refusals.map((refusal) => [refusal.kind, refusal.status]))).toEqual({
    'verification failed': 400,
    'not an envelope': 400,
    'another skill': 400,
    'body too large': 413,
    'compressed body': 415,
    'another charset': 415,
    'body cut short': 400,
    'dispatch failed': 500,
    'a body parser in front of the route': 500,
  });
});

test('the in-process entry refuses with the same body as POST /alexa', async () => {
  const refusals = await driveInProcessRefusals();
  for (const refusal of refusals) expectOneShape(refusal);
  expect(refusals.map((refusal) => [refusal.kind, refusal.status])).toEqual([
    ['not an envelope', 400],
    ['another skill', 400],
    ['dispatch failed', 500],
  ]);
});
