/**
 * `POST /alexa` over HTTP through the whole app: signature and timestamp verification on by default,
 * off only with ALEXA_VERIFY_SIGNATURE=false; SKILL_ID checked when set; bad bodies are 400, not 5xx.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
 */
import express from 'express';
import request from 'supertest';
import { createApp } from '../../../app';
import { createSkillRouter } from '../../../skill/skill.router';
import { intentRequest, launchRequest } from '../../fixtures/skill/envelopes';
import { CapturedLogs, testDeps } from '../../support/test-app';

async function app(env: Record<string, string> = {}, logs = new CapturedLogs()) {
  return createApp(await testDeps({ env, logs }));
}

test('an unsigned request is rejected with 400 when verification is on (the default)', async () => {
  const response = await request(await app()).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(launchRequest()));
  expect(response.status).toBe(400);
  expect(response.body).toEqual({ error: 'invalid_request', error_description: 'request verification failed' });
});

test('a request with a forged signature and a non-Amazon certificate URL is rejected with 400', async () => {
  const response = await request(await app())
    .post('/alexa')
    .set('Content-Type', 'application/json')
    .set('SignatureCertChainUrl', 'https://evil.example/echo.api/cert.pem')
    .set('Signature-256', Buffer.from('forged').toString('base64'))
    .send(JSON.stringify(launchRequest()));
  expect(response.status).toBe(400);
});

test('with ALEXA_VERIFY_SIGNATURE=false an unsigned request is answered, and a loud warning is logged', async () => {
  const logs = new CapturedLogs();
  const response = await request(await app({ ALEXA_VERIFY_SIGNATURE: 'false' }, logs))
    .post('/alexa')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(intentRequest('AMAZON.HelpIntent')));
  expect(response.status).toBe(200);
  expect(response.body.version).toBe('1.0');
  expect(response.body.response.outputSpeech.ssml).toContain('what is my name');
  expect(logs.entries.some((entry) => entry.level === 40 && String(entry.msg).includes('ALEXA_VERIFY_SIGNATURE=false'))).toBe(true);
});

test('a body that is not an Alexa envelope is 400, not 500', async () => {
  const response = await request(await app({ ALEXA_VERIFY_SIGNATURE: 'false' })).post('/alexa').set('Content-Type', 'application/json').send('{not json');
  expect(response.status).toBe(400);
});

test.each([
  ['a body over 256 KiB', {}, 'x'.repeat(256 * 1024 + 1), 413],
  ['a gzip-compressed body', { 'Content-Encoding': 'gzip' }, JSON.stringify(launchRequest()), 415],
  ['a body in another charset', { 'Content-Type': 'application/json; charset=iso-8859-1' }, JSON.stringify(launchRequest()), 415],
])('%s is refused with a 4xx before it is parsed, not a 5xx', async (_what, headers, body, status) => {
  const response = await request(await app({ ALEXA_VERIFY_SIGNATURE: 'false' }))
    .post('/alexa')
    .set('Content-Type', 'application/json')
    .set(headers)
    .send(body);
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
});

test('SKILL_ID set: a request for another skill is 400', async () => {
  const response = await request(await app({ ALEXA_VERIFY_SIGNATURE: 'false', SKILL_ID: 'amzn1.ask.skill.mine' }))
    .post('/alexa')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(launchRequest()));
  expect(response.status).toBe(400);
  expect(response.body).toEqual({ error: 'invalid_request', error_description: 'the request is for another skill' });
});

test('SKILL_ID set: a request for this skill is answered', async () => {
  const envelope = intentRequest('AMAZON.StopIntent');
  const skillId = envelope.context.System.application.applicationId;
  const response = await request(await app({ ALEXA_VERIFY_SIGNATURE: 'false', SKILL_ID: skillId }))
    .post('/alexa')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(envelope));
  expect(response.status).toBe(200);
  expect(response.body.response.shouldEndSession).toBe(true);
});

test('a body parser mounted before the skill route is a loud server error, not a silent 400 on every request', async () => {
  const logs = new CapturedLogs();
  const misassembled = express().use(express.json()).use(createSkillRouter(await testDeps({ env: { ALEXA_VERIFY_SIGNATURE: 'false' }, logs })));
  const response = await request(misassembled).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(launchRequest()));
  expect(response.status).toBe(500);
  expect(logs.entries.some((entry) => entry.level === 50 && String(entry.msg).includes('body parser ran before POST /alexa'))).toBe(true);
});
