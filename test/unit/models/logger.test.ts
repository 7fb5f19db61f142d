/**
 * What reaches a log line: the plain fields a call site chose; never a nested object (a request,
 * headers, a token response), and never a field named like a secret.
 */
import { CapturedLogs, captureLogger } from '../../support/test-app';

function logOnce(fields: Record<string, unknown>) {
  const logs = new CapturedLogs();
  captureLogger(logs).info(fields, 'line');
  expect(logs.entries).toHaveLength(1);
  return { entry: logs.entries[0]!, line: logs.lines[0]! };
}

test('plain fields are logged as given', () => {
  const { entry } = logOnce({ path: '/alexa', status: 200, ms: 3, rotated: false, userId: null });
  expect(entry).toMatchObject({ path: '/alexa', status: 200, ms: 3, rotated: false, userId: null, msg: 'line', service: 'linkbridge' });
});

test('a nested object or array is not serialized, so nothing inside it can leak', () => {
  const { entry, line } = logOnce({
    headers: { authorization: 'Bearer nested-secret-value' },
    body: { tokens: { access_token: 'deep-secret-value' } },
    list: ['listed-secret-value'],
  });
  expect(entry).toMatchObject({ headers: '[object not logged]', body: '[object not logged]', list: '[object not logged]' });
  expect(line).not.toMatch(/secret-value/);
});

test.each(['access_token', 'refreshToken', 'code', 'client_secret', 'Authorization', 'COOKIE', 'state', 'Signature-256'])(
  'a top-level field named %s is redacted whatever it holds',
  (name) => {
    const { entry, line } = logOnce({ [name]: 'plain-secret-value', path: '/oauth/token' });
    expect(entry[name]).toBe('[redacted]');
    expect(entry.path).toBe('/oauth/token');
    expect(line).not.toContain('plain-secret-value');
  },
);

test('an error is logged as its class and message, without its stack or properties', () => {
  const error = Object.assign(new TypeError('the provider answered 502'), { response: { data: 'error-body-secret' } });
  const { entry, line } = logOnce({ cause: error });
  expect(entry.cause).toBe('TypeError: the provider answered 502');
  expect(line).not.toContain('error-body-secret');
  expect(line).not.toContain('at ');
});
