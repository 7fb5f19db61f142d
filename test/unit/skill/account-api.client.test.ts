/**
 * The account API client's deadline, against a real server on loopback that answers slowly on purpose:
 * the whole exchange, not just socket inactivity, must stay inside the configured timeout so the skill
 * answers well within Alexa's 8 s.
 * @see ../../../../shared/ALEXA-LINKING.md "The skill side"
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountApiClient, AccountApiError } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { intentRequest } from '../../fixtures/skill/envelopes';
import { CapturedLogs, captureLogger, testConfig } from '../../support/test-app';

const TOKEN = 'trickle-test-access-token';
const TIMEOUT_MS = 200;

/** Sends the headers at once, then one byte of the body every 50 ms: about 3 s in all. */
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"name":"');
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent < 60) res.write('a');
      else {
        clearInterval(timer);
        res.end('"}');
      }
    }, 50);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('a server that trickles its answer cannot hold the client past the timeout', async () => {
  const started = Date.now();
  const failure = new AccountApiClient(`${url}/me`, TIMEOUT_MS).fetchProfile(TOKEN);
  await expect(failure).rejects.toBeInstanceOf(AccountApiError);
  await expect(failure).rejects.toMatchObject({ kind: 'unavailable', reason: 'timeout' });
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
});

test('the user hears the short apology in time, and the token stays out of the logs', async () => {
  const logs = new CapturedLogs();
  const skill = buildSkill(testConfig(), captureLogger(logs), { accountApi: new AccountApiClient(`${url}/me`, TIMEOUT_MS) });
  const started = Date.now();
  const response = await skill.invoke(intentRequest('GetNameIntent', { accessToken: TOKEN }));
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
  expect(response.response.outputSpeech).toEqual({
    type: 'SSML',
    ssml: '<speak>Sorry, I could not reach your account just now. Please try again in a moment.</speak>',
  });
  expect(response.response.shouldEndSession).toBe(true);
  expect(logs.text).toContain('timeout');
  expect(logs.text).not.toContain(TOKEN);
});

test('an answer far larger than any profile is refused, not read into memory', async () => {
  await expect(new AccountApiClient(`${url}/huge`, 2000).fetchProfile(TOKEN)).rejects.toMatchObject({ kind: 'unavailable' });
});
