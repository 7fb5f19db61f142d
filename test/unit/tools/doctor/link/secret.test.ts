/** A held token is never shown, however the report is printed; the last-line scrub catches a value that escaped. */
import { inspect } from 'node:util';
import { HIDDEN, reveal, Secret, SecretKeeper } from '../../../../../tools/doctor/link/secret';

test('printed, turned into JSON, inspected or interpolated, a secret reads as hidden; only reveal gives the value', () => {
  const token = new Secret('refresh-0123456789abcdef');
  const shown = [String(token), `${token}`, JSON.stringify({ token }), inspect({ token }), inspect(token)].join('\n');
  expect(shown).not.toContain('0123456789abcdef');
  expect(shown).toContain(HIDDEN);
  expect(reveal(token)).toBe('refresh-0123456789abcdef');
  expect(token.length).toBe(24);
});

test('sameAs compares the values, not the holders', () => {
  expect(new Secret('refresh-a').sameAs(new Secret('refresh-a'))).toBe(true);
  expect(new Secret('refresh-a').sameAs(new Secret('refresh-b'))).toBe(false);
  expect(new Secret('refresh-a').sameAs(undefined)).toBe(false);
});

test('the keeper scrubs every value it held or was told of, the longest first', () => {
  const keeper = new SecretKeeper();
  keeper.hold('access-token-value');
  keeper.remember('client-secret-value');
  keeper.remember('access-token-value-and-more');
  keeper.remember('short');
  expect(keeper.scrub('a access-token-value-and-more b client-secret-value c access-token-value d short')).toBe(`a ${HIDDEN} b ${HIDDEN} c ${HIDDEN} d short`);
});
