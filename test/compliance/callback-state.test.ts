/**
 * The upstream callback and the sealed state.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 (CSRF: state bound to the flow)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7 (state single use), #section-4.4 (mix-up)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (upstream errors relayed with Alexa's state)
 */
import request from 'supertest';
import { createApp } from '../../app';
import { StateSealer } from '../../linking/sealing';
import { FakeProvider, hang, startFlow } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, TEST_SEALING_KEY, TestClock, testDeps } from '../support/test-app';

const OTHER_KEY = Buffer.alloc(32, 9).toString('base64url');

async function setup(env: Record<string, string> = {}) {
  const clock = new TestClock();
  const deps = await testDeps({ env, clock });
  return { app: createApp(deps), clock, deps };
}

function expectErrorPage(response: request.Response, text: RegExp) {
  expect(response.status).toBe(400);
  expect(response.headers.location).toBeUndefined();
  expect(response.headers['content-type']).toMatch(/text\/html/);
  expect(response.text).toMatch(text);
}

test('a good callback sends Alexa our own code with Alexa\'s state (RFC 6749 §4.1.2)', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ code: 'upstream-code', state });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.location);
  expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
  expect(location.searchParams.get('state')).toBe('alexa-state-123');
  const code = location.searchParams.get('code')!;
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(code).not.toBe('upstream-code');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
});

test('a tampered state gets an error page, never a redirect', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  const parts = state.split('.');
  // Flip one character of the ciphertext.
  parts[3] = (parts[3][0] === 'A' ? 'B' : 'A') + parts[3].slice(1);
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state: parts.join('.') }), /cannot be trusted/);
});

test('garbage in place of the state gets an error page', async () => {
  const { app } = await setup();
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state: 'not-a-jwe' }), /cannot be trusted/);
});

test('a missing state gets an error page', async () => {
  const { app } = await setup();
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c' }), /no state/);
});

test('a state older than 10 minutes gets an error page', async () => {
  const { app, clock } = await setup();
  const state = await startFlow(app);
  clock.advanceSeconds(601);
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state }), /took too long/);
});

test('a state just inside 10 minutes is accepted', async () => {
  const { app, clock } = await setup();
  const state = await startFlow(app);
  clock.advanceSeconds(599);
  expect((await request(app).get('/oauth/callback').query({ code: 'c', state })).status).toBe(302);
});

test('a replayed state gets an error page (single use)', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  expect((await request(app).get('/oauth/callback').query({ code: 'c', state })).status).toBe(302);
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c2', state }), /already used/);
});

test('a state sealed with a key this server does not hold is refused', async () => {
  const { app } = await setup();
  const foreign = await setup({ SEALING_KEYS: `k1:${OTHER_KEY}` });
  const state = await startFlow(foreign.app);
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state }), /cannot be trusted/);
});

test('key rotation: a state sealed with the previous key still unseals when that key is listed second', async () => {
  const old = await setup({ SEALING_KEYS: `k1:${TEST_SEALING_KEY}` });
  const state = await startFlow(old.app);
  const rotated = await setup({ SEALING_KEYS: `k2:${OTHER_KEY},k1:${TEST_SEALING_KEY}` });
  expect((await request(rotated.app).get('/oauth/callback').query({ code: 'c', state })).status).toBe(302);
  // New flows are sealed with the new key id.
  const fresh = await startFlow(rotated.app);
  const header = JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString()) as { kid: string };
  expect(header.kid).toBe('k2');
});

test('a state sealed for another provider is refused (mix-up, RFC 9700 §4.4)', async () => {
  const { app, deps, clock } = await setup();
  const sealer = new StateSealer(deps.config.sealingKeys, clock);
  const state = await sealer.seal({
    id: 'flow-for-another-provider',
    flowId: 'f',
    clientId: 'alexa-skill',
    alexaState: 's',
    redirectUri: ALEXA_REDIRECT_URI,
    provider: 'github',
    expiresAt: Math.floor(clock.now() / 1000) + 600,
  });
  expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state }), /came back from the wrong place/);
});

test('the provider\'s access_denied goes back to Alexa with Alexa\'s state', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ error: 'access_denied', error_description: 'User said no', state });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.location);
  expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
  expect(location.searchParams.get('error')).toBe('access_denied');
  expect(location.searchParams.get('state')).toBe('alexa-state-123');
  expect(location.searchParams.has('code')).toBe(false);
});

test('an unknown provider error becomes server_error for Alexa', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ error: 'weird_provider_thing', state });
  expect(new URL(response.headers.location).searchParams.get('error')).toBe('server_error');
});

test('a callback with neither code nor error goes back to Alexa as server_error', async () => {
  const { app } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ state });
  const location = new URL(response.headers.location);
  expect(location.searchParams.get('error')).toBe('server_error');
  expect(location.searchParams.get('state')).toBe('alexa-state-123');
});

test('where the profile says so (WeChat), state and no code is the user\'s denial: access_denied with Alexa\'s state', async () => {
  const { app } = await setup({ UPSTREAM_PRESET: 'wechat' });
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ state });
  const location = new URL(response.headers.location);
  expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
  expect(location.searchParams.get('error')).toBe('access_denied');
  expect(location.searchParams.get('state')).toBe('alexa-state-123');
});

describe('a provider that keeps a short state gets a handle to the sealed one (X: at most 500 characters)', () => {
  test('the state sent upstream is a short random handle, redeemed once', async () => {
    const { app } = await setup({ UPSTREAM_PRESET: 'x' });
    const handle = await startFlow(app);
    expect(handle).toMatch(/^[0-9a-f]{32}$/);
    const response = await request(app).get('/oauth/callback').query({ code: 'c', state: handle });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.location).searchParams.get('state')).toBe('alexa-state-123');
    expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state: handle }), /already used/);
  });

  test('a handle expires with the sealed state', async () => {
    const { app, clock } = await setup({ UPSTREAM_PRESET: 'x' });
    const handle = await startFlow(app);
    clock.advanceSeconds(601);
    expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state: handle }), /already used|took too long/);
  });

  test('a made-up handle is refused', async () => {
    const { app } = await setup({ UPSTREAM_PRESET: 'x' });
    expectErrorPage(await request(app).get('/oauth/callback').query({ code: 'c', state: 'f'.repeat(32) }), /already used/);
  });

  test('a provider with no limit gets the sealed state itself', async () => {
    const { app } = await setup();
    expect((await startFlow(app)).split('.')).toHaveLength(5);
  });
});

describe('implicit mode callback (RFC 6749 §4.2.2)', () => {
  test('exchanges the code here and puts the token in the fragment only', async () => {
    const provider = new FakeProvider();
    const deps = await testDeps({ env: { LINK_MODE: 'implicit' }, fetch: provider.fetch });
    const app = createApp(deps);
    const state = await startFlow(app, { response_type: 'token' });
    const response = await request(app).get('/oauth/callback').query({ code: 'upstream-code', state });
    const location = new URL(response.headers.location);
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(Object.fromEntries(fragment)).toEqual({ access_token: 'upstream-access-token', token_type: 'Bearer', state: 'alexa-state-123' });
    expect(provider.requests[0].body.get('code')).toBe('upstream-code');
  });

  test('an upstream timeout goes back to Alexa as temporarily_unavailable in the fragment', async () => {
    const provider = new FakeProvider();
    provider.respond = (_request, signal) => hang(signal);
    const deps = await testDeps({ env: { LINK_MODE: 'implicit', UPSTREAM_TIMEOUT_MS: '120' }, fetch: provider.fetch });
    const app = createApp(deps);
    const state = await startFlow(app, { response_type: 'token' });
    const response = await request(app).get('/oauth/callback').query({ code: 'upstream-code', state });
    const location = new URL(response.headers.location);
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error')).toBe('temporarily_unavailable');
    expect(fragment.get('state')).toBe('alexa-state-123');
    expect(fragment.has('access_token')).toBe(false);
  });
});
