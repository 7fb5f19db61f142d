/**
 * No setting name (`LINK_MODE`, `ALEXA_CLIENT_ID`, `UPSTREAM_*`, `SEALING_KEYS`, `STORE_URL`, …) reaches
 * a client: every refusal this suite can reach (token endpoint errors, the authorization endpoints'
 * redirects back to Alexa, production error pages, `POST /alexa`, 405s and 404s) is scanned, body and
 * `Location` alike. The settings are named in the log (`check`), where the developer looks; error pages
 * outside production show the developer's hint too (docs/troubleshooting.md).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (`error_description`: for the client developer)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../app';
import { MemoryStore } from '../../models/memory.store';
import { StoreUnavailableError } from '../../models/store';
import { driveAlexaRefusals } from '../support/alexa-refusals';
import { authorizeQuery, basic, FakeProvider, json, obtainAlexaCode, startFlow } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, TestClock, testDeps } from '../support/test-app';

const ROOT = join(__dirname, '../..');

/** Every setting name: read by the config loader, and documented. */
function settingNames(): string[] {
  const config = readFileSync(join(ROOT, 'models/config.ts'), 'utf8');
  const documented = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
  const names = new Set<string>();
  for (const match of config.matchAll(/'([A-Z][A-Z0-9_]{2,})'/g)) names.add(match[1]);
  for (const match of documented.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)) names.add(match[1]);
  for (const name of Object.keys(BASE_TEST_ENV)) names.add(name);
  names.delete('UPSTREAM_');
  return [...names];
}

/** What a client saw of one refusal. */
interface Seen {
  readonly what: string;
  readonly status: number;
  readonly text: string;
}

const seen: Seen[] = [];

function record(what: string, response: { status: number; text?: string; body?: unknown; headers: Record<string, string> }): void {
  const text = response.text ?? JSON.stringify(response.body);
  seen.push({ what, status: response.status, text });
  const location = response.headers.location;
  if (location) seen.push({ what: `${what} (Location)`, status: response.status, text: decodeURIComponent(location.replace(/\+/g, ' ')) });
}

async function setup(env: Record<string, string | undefined> = {}) {
  const provider = new FakeProvider();
  const clock = new TestClock();
  const deps = await testDeps({ env, clock, fetch: provider.fetch });
  return { app: createApp(deps), deps, provider, clock };
}

function tokenRequest(app: Express, form: Record<string, string> | string, auth: string | null = basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET)) {
  const call = request(app).post('/oauth/token').type('form');
  if (auth) call.set('Authorization', auth);
  return call.send(typeof form === 'string' ? form : new URLSearchParams(form).toString());
}

const refresh = { grant_type: 'refresh_token', refresh_token: 'r' };

async function tokenEndpointRefusals(): Promise<void> {
  const { app } = await setup();
  record('token: not a form', await request(app).post('/oauth/token').set('Authorization', basic('alexa-skill', 'alexa-secret-value')).set('Content-Type', 'application/json').send('{}'));
  record('token: repeated parameter', await tokenRequest(app, 'grant_type=refresh_token&grant_type=refresh_token&refresh_token=r'));
  record('token: no grant_type', await tokenRequest(app, { refresh_token: 'r' }));
  record('token: unknown grant_type', await tokenRequest(app, { grant_type: 'password' }));
  record('token: no refresh_token', await tokenRequest(app, { grant_type: 'refresh_token' }));
  record('token: no client credentials', await tokenRequest(app, refresh, null));
  record('token: wrong secret (Basic)', await tokenRequest(app, refresh, basic('alexa-skill', 'wrong')));
  record('token: wrong secret (body)', await tokenRequest(app, { ...refresh, client_id: 'alexa-skill', client_secret: 'wrong' }, null));
  record('token: both methods', await tokenRequest(app, { ...refresh, client_secret: 'x' }));
  record('token: body too large', await tokenRequest(app, `grant_type=refresh_token&refresh_token=${'r'.repeat(40_000)}`));
  record('token: compressed body', await request(app).post('/oauth/token').set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'gzip').send('grant_type=refresh_token'));
  record('token: unknown code', await tokenRequest(app, { grant_type: 'authorization_code', code: 'nope', redirect_uri: ALEXA_REDIRECT_URI }));

  const code = await obtainAlexaCode(app, { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
  record('token: code without its verifier', await tokenRequest(app, { grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI }));

  const implicit = await setup({ LINK_MODE: 'implicit' });
  record('token: implicit mode', await tokenRequest(implicit.app, refresh));
}

/** Every way the provider's token endpoint can fail a refresh, and what Alexa is told of it. */
async function providerFailures(): Promise<void> {
  const answers: Array<[string, () => Response | Promise<Response>]> = [
    ['invalid_grant', () => json(400, { error: 'invalid_grant', error_description: 'revoked' })],
    ['invalid_scope', () => json(400, { error: 'invalid_scope' })],
    ['invalid_client', () => json(401, { error: 'invalid_client' })],
    ['an unmapped error', () => json(400, { error: 'weird_thing' })],
    ['server_error in a 200', () => json(200, { error: 'server_error' })],
    ['a 502', () => new Response('<html>Bad gateway</html>', { status: 502 })],
    ['a 404', () => new Response('not here', { status: 404 })],
    ['a redirect', () => new Response(null, { status: 302, headers: { location: 'https://provider.test/elsewhere' } })],
    ['no access token', () => json(200, { token_type: 'bearer' })],
    [
      'no answer',
      () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND provider.test'), { code: 'ENOTFOUND' }) });
      },
    ],
  ];
  for (const [label, answer] of answers) {
    const { app, provider } = await setup();
    provider.respond = answer;
    record(`token: the provider answers ${label}`, await tokenRequest(app, refresh));
  }

  const slow = await setup({ UPSTREAM_TIMEOUT_MS: '200' });
  const reached = new Promise<void>((resolve) => {
    slow.provider.respond = () => {
      resolve();
      return new Promise<Response>(() => undefined);
    };
  });
  const answered = tokenRequest(slow.app, refresh).then((response) => response);
  await reached;
  slow.clock.advanceMs(200);
  record('token: the provider is still answering when the budget ends', await answered);

  const { deps } = await setup();
  const unavailable = new MemoryStore(new TestClock());
  unavailable.get = () => Promise.reject(new StoreUnavailableError('get', new Error('connection refused')));
  record('token: the store does not answer', await tokenRequest(createApp({ ...deps, store: unavailable }), refresh));
}

/** The authorization request refused back to Alexa, in both modes. */
async function authorizeRedirects(): Promise<void> {
  const { app, deps } = await setup();
  const cases: Array<[string, Record<string, string | undefined>]> = [
    ['no state', { state: undefined }],
    ['a long state', { state: 's'.repeat(3000) }],
    ['no response_type', { response_type: undefined }],
    ['response_type token in code mode', { response_type: 'token' }],
    ['a method without a challenge', { code_challenge_method: 'S256' }],
    ['a plain challenge', { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }],
    ['a malformed challenge', { code_challenge: 'short', code_challenge_method: 'S256' }],
  ];
  for (const [label, overrides] of cases) record(`authorize: ${label}`, await request(app).get('/oauth/authorize').query(authorizeQuery(overrides)));
  record('authorize: a repeated scope', await request(app).get(`/oauth/authorize?${new URLSearchParams(authorizeQuery())}&scope=again`));

  const failingSealer = Object.create(deps.sealer) as typeof deps.sealer;
  failingSealer.seal = () => Promise.reject(new Error('sealing failed'));
  record('authorize: the state cannot be sealed', await request(createApp({ ...deps, sealer: failingSealer })).get('/oauth/authorize').query(authorizeQuery()));

  const implicit = await setup({ LINK_MODE: 'implicit' });
  record('authorize: response_type code in implicit mode', await request(implicit.app).get('/oauth/authorize').query(authorizeQuery()));
  record('authorize: PKCE in implicit mode', await request(implicit.app).get('/oauth/authorize').query(authorizeQuery({ response_type: 'token', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })));
}

/** The provider's callback refused back to Alexa, in both modes. */
async function callbackRedirects(): Promise<void> {
  const cases: Array<[string, Record<string, string>]> = [
    ['access_denied', { error: 'access_denied' }],
    ['invalid_scope', { error: 'invalid_scope' }],
    ['temporarily_unavailable', { error: 'temporarily_unavailable' }],
    ['an unknown error', { error: 'consent_required' }],
    ['no code', {}],
    ['an empty code', { code: '' }],
  ];
  for (const [label, query] of cases) {
    const { app } = await setup();
    const state = await startFlow(app);
    record(`callback: ${label}`, await request(app).get('/oauth/callback').query({ ...query, state }));
  }
  const { app } = await setup();
  const state = await startFlow(app);
  record('callback: a repeated code', await request(app).get(`/oauth/callback?code=a&code=b&state=${encodeURIComponent(state)}`));
  const tooLong = await setup();
  record('callback: a code too long to keep', await request(tooLong.app).get('/oauth/callback').query({ code: 'c'.repeat(5000), state: await startFlow(tooLong.app) }));

  for (const [label, answer] of [
    ['invalid_grant', () => json(400, { error: 'invalid_grant' })],
    ['invalid_client', () => json(401, { error: 'invalid_client' })],
    ['a 503', () => new Response('down', { status: 503 })],
  ] as const) {
    const implicit = await setup({ LINK_MODE: 'implicit' });
    implicit.provider.respond = answer;
    const flowState = await startFlow(implicit.app, { response_type: 'token' });
    record(`callback (implicit): the provider answers ${label}`, await request(implicit.app).get('/oauth/callback').query({ code: 'c', state: flowState }));
  }
}

/** Error pages as production shows them: no developer hint. */
async function productionPages(): Promise<void> {
  const { app } = await setup({ NODE_ENV: 'production' });
  record('page: unknown client_id', await request(app).get('/oauth/authorize').query(authorizeQuery({ client_id: 'someone-else' })));
  record('page: redirect_uri not allowed', await request(app).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: 'https://layla.amazon.com/api/skill/link/OTHER' })));
  record('page: no redirect_uri', await request(app).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: undefined })));
  record('page: no state at the callback', await request(app).get('/oauth/callback').query({ code: 'c' }));
  record('page: an altered state', await request(app).get('/oauth/callback').query({ code: 'c', state: 'eyJhbGciOiJkaXIifQ..x.y.z' }));
  const state = await startFlow(app);
  await request(app).get('/oauth/callback').query({ code: 'c', state });
  record('page: a replayed callback', await request(app).get('/oauth/callback').query({ code: 'c', state }));
  const restarted = await setup({ NODE_ENV: 'production', SEALING_KEYS: `k2:${Buffer.alloc(32, 9).toString('base64url')}` });
  record('page: a state sealed with another key', await request(restarted.app).get('/oauth/callback').query({ code: 'c', state: await startFlow(app) }));
  const otherProvider = await setup({ NODE_ENV: 'production', UPSTREAM_PRESET: 'github' });
  record('page: a state from another provider', await request(otherProvider.app).get('/oauth/callback').query({ code: 'c', state: await startFlow(app) }));
  const flooded = await setup({ NODE_ENV: 'production' });
  let limited = await request(flooded.app).get('/oauth/callback');
  while (limited.status !== 429) limited = await request(flooded.app).get('/oauth/callback');
  record('page: too many callbacks', limited);
  const expired = await setup({ NODE_ENV: 'production' });
  const expiring = await startFlow(expired.app);
  expired.clock.advanceSeconds(601);
  record('page: an expired state', await request(expired.app).get('/oauth/callback').query({ code: 'c', state: expiring }));
}

async function methodsAndRoutes(): Promise<void> {
  const { app } = await setup();
  for (const method of ['get', 'put', 'delete', 'patch'] as const) record(`405: ${method.toUpperCase()} /oauth/token`, await request(app)[method]('/oauth/token'));
  record('404: an unknown path', await request(app).get('/nothing-here'));
  record('404: GET /alexa', await request(app).get('/alexa'));
}

beforeAll(async () => {
  await tokenEndpointRefusals();
  await providerFailures();
  await authorizeRedirects();
  await callbackRedirects();
  await productionPages();
  await methodsAndRoutes();
  for (const refusal of await driveAlexaRefusals()) seen.push({ what: `POST /alexa: ${refusal.kind}`, status: refusal.status, text: JSON.stringify(refusal.body) });
});

test('the suite reached refusals of every kind: 4xx and 5xx JSON errors, redirects back to Alexa, error pages', () => {
  expect(seen.length).toBeGreaterThan(80);
  const statuses = new Set(seen.map((entry) => entry.status));
  for (const status of [302, 400, 401, 404, 405, 413, 415, 429, 500, 503]) expect(statuses).toContain(status);
  expect(seen.filter((entry) => entry.what.endsWith('(Location)')).every((entry) => entry.text.includes('error='))).toBe(true);
});

test('no setting name appears in any error text a client sees', () => {
  const names = settingNames();
  expect(names).toEqual(expect.arrayContaining(['LINK_MODE', 'ALEXA_CLIENT_ID', 'UPSTREAM_TOKEN_URL', 'SEALING_KEYS', 'STORE_URL', 'SKILL_ID']));
  const byName = new RegExp(`\\b(${names.join('|')})\\b`);
  // Whatever the list misses: anything shaped like an environment variable.
  const shaped = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/;
  const leaks = seen.filter((entry) => byName.test(entry.text) || shaped.test(entry.text)).map((entry) => `${entry.what}: ${(byName.exec(entry.text) ?? shaped.exec(entry.text))?.[0]}`);
  expect(leaks).toEqual([]);
});
