/**
 * `GET /metrics` after a scripted day of one user: one link, one refused code, two refreshes of which one
 * is replayed, one provider outage, one linked intent. The Prometheus text must show exactly those counts,
 * and nothing the flow carried (a code, a token, a state, a client secret, the user id) may appear in it.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp, type AppDeps } from '../../app';
import { metricsRequestHandler, PrometheusMetrics } from '../../models/prometheus.metrics';
import { intentRequest, USER_ID } from '../fixtures/skill/envelopes';
import { AccountApiServer } from '../support/account-api-server';
import { Cleanup } from '../support/cleanup';
import { basic, FakeProvider, json, startFlow } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, TEST_SEALING_KEY, TestClock, testDeps } from '../support/test-app';

const cleanup = new Cleanup();
let app: Express;
let deps: AppDeps;
let provider: FakeProvider;
let accountApi: AccountApiServer;
let metricsUrl: string;
/** Every credential and identifier the flow below handled, to be looked for in the metrics. */
const seen: string[] = [USER_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET, TEST_SEALING_KEY];

beforeAll(async () => {
  accountApi = cleanup.add(await new AccountApiServer().start(), (server) => server.stop());
  accountApi.behaviour = { status: 200, body: { sub: 'provider-user-7', name: 'Ada Lovelace', email: 'ada@example.com' } };
  provider = new FakeProvider();
  const metrics = new PrometheusMetrics();
  deps = await testDeps({ env: { ALEXA_VERIFY_SIGNATURE: 'false', ACCOUNT_API_URL: accountApi.url }, clock: new TestClock(), fetch: provider.fetch, metrics });
  cleanup.add(deps.store, (store) => store.close());
  app = createApp(deps);
  const server: Server = cleanup.add(createServer(metricsRequestHandler(metrics)), (started) => new Promise((resolve) => started.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(() => cleanup.run());

function tokenRequest(form: Record<string, string>) {
  return request(app)
    .post('/oauth/token')
    .set('Authorization', basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET))
    .type('form')
    .send(form);
}

/** The series of the exposition that count something (`_total`, and each histogram's `_count`), by name and labels. */
function counts(exposition: string): Record<string, number> {
  const series: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    const match = /^(linkbridge_\w+(?:_total|_count))(\{[^}]*\})? (\S+)$/.exec(line);
    if (match) series[`${match[1]}${match[2] ?? ''}`] = Number(match[3]);
  }
  return series;
}

/** Every series of `metric` at 0 but those given. */
function only(metric: string, label: string, values: readonly string[], nonZero: Record<string, number>): Record<string, number> {
  return Object.fromEntries(values.map((value) => [`${metric}{${label}="${value}"}`, nonZero[value] ?? 0]));
}

const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'unsupported_response_type', 'invalid_scope', 'access_denied', 'temporarily_unavailable', 'server_error'];
const STORE_OPERATIONS = ['put', 'get', 'take', 'delete', 'claim', 'lock', 'unlock', 'purgeExpired', 'ping'];

test('after one link, one refused code, two refreshes (one replayed), one outage and one linked intent, /metrics counts exactly those', async () => {
  // One link: Alexa's authorization request, the provider's callback, the code redeemed.
  const state = await startFlow(app);
  seen.push(state, 'alexa-state-123', 'upstream-code');
  const callback = await request(app).get('/oauth/callback').query({ code: 'upstream-code', state });
  const code = new URL(callback.headers.location).searchParams.get('code')!;
  seen.push(code);
  provider.respond = () => json(200, { access_token: 'first-access-token', token_type: 'bearer', expires_in: 3600, refresh_token: 'first-refresh-token' });
  const tokens = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI });
  expect(tokens.status).toBe(200);
  seen.push('first-access-token', 'first-refresh-token');

  // One refused code: the same code again.
  const again = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI });
  expect(again.body.error).toBe('invalid_grant');

  // Two refreshes with the same refresh token: the provider rotates once, the second is replayed.
  provider.respond = () => json(200, { access_token: 'second-access-token', token_type: 'bearer', expires_in: 3600, refresh_token: 'second-refresh-token' });
  seen.push('second-access-token', 'second-refresh-token');
  expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'first-refresh-token' })).status).toBe(200);
  const replayed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'first-refresh-token' });
  expect(replayed.body.refresh_token).toBe('second-refresh-token');
  expect(provider.requests.filter((sent) => sent.body.get('grant_type') === 'refresh_token')).toHaveLength(1);

  // One provider outage: Alexa gets 503 and will retry.
  provider.respond = () => json(503, { error: 'temporarily_unavailable' });
  const outage = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'second-refresh-token' });
  expect(outage.status).toBe(503);

  // One linked intent.
  const intent = await request(app).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(intentRequest('GetNameIntent', { accessToken: 'first-access-token' })));
  expect(JSON.stringify(intent.body)).toContain('Ada Lovelace');
  seen.push('provider-user-7');

  const scraped = await fetch(metricsUrl);
  expect(scraped.status).toBe(200);
  expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const exposition = await scraped.text();

  expect(counts(exposition)).toEqual({
    ...only('linkbridge_authorization_requests_total', 'outcome', ['sent_to_provider', 'error_page', 'error_to_alexa'], { sent_to_provider: 1 }),
    ...only('linkbridge_callbacks_total', 'outcome', ['code', 'access_token', 'error_page', 'rate_limited', ...OAUTH_ERRORS], { code: 1 }),
    ...only('linkbridge_code_redemptions_total', 'outcome', ['ok', ...OAUTH_ERRORS], { ok: 1, invalid_grant: 1 }),
    ...only('linkbridge_refreshes_total', 'outcome', ['ok', 'replayed', ...OAUTH_ERRORS], { ok: 1, replayed: 1, temporarily_unavailable: 1 }),
    'linkbridge_provider_call_duration_seconds_count{call="code",outcome="ok"}': 1,
    'linkbridge_provider_call_duration_seconds_count{call="refresh",outcome="ok"}': 1,
    'linkbridge_provider_call_duration_seconds_count{call="refresh",outcome="server"}': 1,
    'linkbridge_account_api_call_duration_seconds_count{outcome="ok"}': 1,
    'linkbridge_skill_requests_total{request="GetNameIntent",outcome="answered"}': 1,
    ...only('linkbridge_store_failures_total', 'operation', STORE_OPERATIONS, {}),
  });
  // The provider histogram has buckets around Alexa's 4.5 s.
  expect(exposition).toMatch(/^linkbridge_provider_call_duration_seconds_bucket\{le="4\.5",call="code",outcome="ok"\} 1$/m);
  // Node's process metrics come along.
  expect(exposition).toMatch(/^process_cpu_user_seconds_total /m);
  expect(exposition).toMatch(/^nodejs_eventloop_lag_seconds /m);

  expect(seen.length).toBeGreaterThan(12);
  for (const value of seen) expect(exposition.includes(value)).toBe(false);
});

test('the metrics listener serves GET and HEAD /metrics and nothing else', async () => {
  expect((await fetch(metricsUrl, { method: 'HEAD' })).status).toBe(200);
  expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
  expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(404);
});

test('a request the skill does not know is counted as other, whatever its body names', async () => {
  await request(app).post('/alexa').set('Content-Type', 'application/json').send(JSON.stringify(intentRequest('amzn1.ask.account.SOMEONE')));
  const exposition = await (await fetch(metricsUrl)).text();
  expect(exposition).not.toContain('SOMEONE');
  expect(exposition).toMatch(/^linkbridge_skill_requests_total\{request="other",outcome="answered"\} 1$/m);
});
