/**
 * `POST /alexa` with the skill's request verifier wired in, trusting a test certificate chain: a
 * signed request is answered, a tampered or stale one is a 400 that names no internal detail.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../app';
import { AlexaRequestVerifier } from '../../../skill/request-verifier/alexa-request-verifier';
import { launchRequest } from '../../fixtures/skill/envelopes';
import { CapturedLogs, TestClock, testDeps } from '../../support/test-app';
import { alexaTestChain, signBody, type AlexaTestChain } from '../../support/test-certificates';

const CERT_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem';
const clock = new TestClock();
const logs = new CapturedLogs();
let chain: AlexaTestChain;
let app: Express;

beforeAll(async () => {
  chain = alexaTestChain(new Date(clock.now()));
  const requestVerifier = new AlexaRequestVerifier({
    clock,
    trustedRoots: [chain.root.pem],
    fetchCertificateChain: async (url) => {
      if (url.href !== CERT_URL) throw new Error('HTTP 404');
      return chain.chainPem;
    },
  });
  const deps = await testDeps({ clock, logs });
  app = createApp({ ...deps, skill: { requestVerifier } });
});

function launchBody(timestamp = new Date(clock.now())): string {
  const envelope = launchRequest();
  return JSON.stringify({ ...envelope, request: { ...envelope.request, timestamp: timestamp.toISOString() } });
}

const post = (body: string, signature: string) =>
  request(app).post('/alexa').set('Content-Type', 'application/json').set('SignatureCertChainUrl', CERT_URL).set('Signature-256', signature).send(body);

test('a request signed by the trusted chain is answered', async () => {
  const body = launchBody();
  const response = await post(body, signBody(body, chain.leaf.keys.privateKey));
  expect(response.status).toBe(200);
  expect(response.body.version).toBe('1.0');
});

test('a body changed after signing is a 400 without internal detail, and the log says why', async () => {
  const body = launchBody();
  const response = await post(body.replace('en-US', 'en-GB'), signBody(body, chain.leaf.keys.privateKey));
  expect(response.status).toBe(400);
  expect(response.body).toEqual({ error: 'invalid_request', error_description: 'request verification failed' });
  expect(logs.entries.some((entry) => entry.route === 'alexa' && String(entry.cause).includes('Signature-256'))).toBe(true);
});

test('a correctly signed request three minutes old is a 400', async () => {
  const body = launchBody(new Date(clock.now() - 180_000));
  const response = await post(body, signBody(body, chain.leaf.keys.privateKey));
  expect(response.status).toBe(400);
});
