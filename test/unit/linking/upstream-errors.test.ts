/**
 * Transient versus terminal, decided in one place. Alexa unlinks on `invalid_grant`, so only what the
 * provider says is a dead grant may become one; a provider that is down or throttling is `503
 * temporarily_unavailable` (RFC 6749 §5.2 and §4.1.2.1).
 */
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../linking/upstream-client';
import { grantRefusal } from '../../../linking/grants/grant-refusal';
import { CapturedLogs, captureLogger } from '../../support/test-app';

function translate(error: unknown) {
  const logs = new CapturedLogs();
  const log = captureLogger(logs).child({ flowId: 'flow-1' });
  return { result: grantRefusal(error, log), logs };
}

test.each([
  ['a timeout', new UpstreamUnavailableError('timeout', 'https://p.test/token'), 503, 'temporarily_unavailable'],
  ['a network failure', new UpstreamUnavailableError('network', 'https://p.test/token', undefined, 'ECONNREFUSED'), 503, 'temporarily_unavailable'],
  ['a 5xx (JSON body or not)', new UpstreamUnavailableError('server', 'https://p.test/token', 500), 503, 'temporarily_unavailable'],
  ['a 429', new UpstreamUnavailableError('server', 'https://p.test/token', 429), 503, 'temporarily_unavailable'],
  ['an error mapped to temporarily_unavailable', new UpstreamRejectedError('-1', 200, 'temporarily_unavailable', 'https://p.test/token'), 503, 'temporarily_unavailable'],
  ['the provider\'s own server_error in an HTTP 200', new UpstreamRejectedError('server_error', 200, 'server_error', 'https://p.test/token'), 503, 'temporarily_unavailable'],
  ['the provider\'s own server_error in an HTTP 400', new UpstreamRejectedError('server_error', 400, 'server_error', 'https://p.test/token'), 503, 'temporarily_unavailable'],
  ['a redirect from the token endpoint', new UpstreamUnavailableError('redirect', 'https://p.test/token', 302), 503, 'temporarily_unavailable'],
  ['an error mapped to invalid_grant', new UpstreamRejectedError('40029', 200, 'invalid_grant', 'https://p.test/token'), 400, 'invalid_grant'],
  ['invalid_scope', new UpstreamRejectedError('invalid_scope', 400, 'invalid_scope', 'https://p.test/token'), 400, 'invalid_scope'],
  ['an unmapped provider error', new UpstreamRejectedError('40125', 200, undefined, 'https://p.test/token'), 500, 'server_error'],
  ['our own credentials refused', new UpstreamRejectedError('invalid_client', 401, 'invalid_client', 'https://p.test/token'), 500, 'server_error'],
  ['an unreadable answer', new UpstreamUnavailableError('unreadable', 'https://p.test/token', 200), 500, 'server_error'],
  ['something else entirely', new Error('boom'), 500, 'server_error'],
])('%s', (_label, error, status, code) => {
  const { result } = translate(error);
  expect(result.status).toBe(status);
  expect(result.error).toBe(code);
});

test('the failure log line names the URL called, the HTTP status and the flow, and no query value', () => {
  const { logs } = translate(new UpstreamUnavailableError('server', 'https://p.test/sns/oauth2/access_token', 502));
  const line = logs.entries.find((entry) => entry.msg === 'the call to the provider failed');
  expect(line).toMatchObject({ flowId: 'flow-1', upstreamUrl: 'https://p.test/sns/oauth2/access_token', upstreamStatus: 502, outcome: 'temporarily_unavailable' });
});

test('the failure log line names the network cause', () => {
  const { logs } = translate(new UpstreamUnavailableError('network', 'https://typo.p.test/token', undefined, 'ENOTFOUND'));
  expect(logs.entries.find((entry) => entry.msg === 'the call to the provider failed')).toMatchObject({ upstreamUrl: 'https://typo.p.test/token', cause: 'ENOTFOUND', flowId: 'flow-1' });
});

test('the provider\'s own code is logged with what it was taken to mean', () => {
  const { logs } = translate(new UpstreamRejectedError('bad_verification_code', 200, 'invalid_grant', 'https://github.test/login/oauth/access_token'));
  expect(logs.entries.find((entry) => entry.msg === 'the call to the provider failed')).toMatchObject({
    providerError: 'bad_verification_code',
    meaning: 'invalid_grant',
    upstreamStatus: 200,
    outcome: 'invalid_grant',
  });
});
