/**
 * The flow log: one line per step of a linking flow, every one with the flow's id, so a developer can
 * follow one user's attempt from the Alexa app to Alexa's answer; every refusal says what to check;
 * nothing secret on the way. The provider is a fake behind `fetch`; each of its answers takes 120 ms on
 * the test clock.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../app';
import { authorizeQuery, basic, FakeProvider, json, startFlow } from '../../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, TEST_SEALING_KEY, TestClock, testDeps } from '../../support/test-app';

type Entry = Record<string, unknown>;

async function setup(env: Record<string, string | undefined> = {}) {
  const clock = new TestClock();
  const provider = new FakeProvider();
  const logs = new CapturedLogs();
  const timed: typeof fetch = async (input, init) => {
    const response = await provider.fetch(input, init);
    clock.advanceSeconds(0.12);
    return response;
  };
  const deps = await testDeps({ env: { LOG_LEVEL: 'info', ...env }, clock, logs, fetch: timed });
  return { app: createApp(deps), provider, logs, clock };
}

/** The lines of one flow, in order, as `message` only. */
function messagesOf(entries: Entry[], flowId: string): string[] {
  return entries.filter((entry) => entry.flowId === flowId).map((entry) => String(entry.msg));
}

function flowIdOf(entries: Entry[]): string {
  const received = entries.find((entry) => entry.msg === 'authorization request received');
  expect(received?.flowId).toEqual(expect.any(String));
  return received!.flowId as string;
}

async function callback(app: Express, query: Record<string, string>) {
  return request(app).get('/oauth/callback').query(query);
}

describe('a flow the provider refuses at the token call, followed by its flow id', () => {
  test('from authorize to the answer Alexa gets, with the provider URL, status and duration, and no secret', async () => {
    const { app, provider, logs } = await setup();
    provider.respond = () => json(400, { error: 'invalid_grant', error_description: 'authorization code is invalid' });

    const state = await startFlow(app);
    const back = await callback(app, { code: 'upstream-code-value-42', state });
    const code = new URL(back.headers.location).searchParams.get('code')!;
    const token = await request(app)
      .post('/oauth/token')
      .set('Authorization', basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI });
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');

    const flowId = flowIdOf(logs.entries);
    expect(messagesOf(logs.entries, flowId)).toEqual([
      'authorization request received',
      'sent the user to the provider to sign in',
      'callback received from the provider',
      "answer to Alexa: the user is sent back with linkbridge's code",
      'the call to the provider failed',
      'answer to Alexa: 400 invalid_grant',
      'token request refused',
    ]);
    const flow = logs.entries.filter((entry) => entry.flowId === flowId);
    // Every step at info level or above: a production log shows the whole flow.
    expect(flow.every((entry) => (entry.level as number) >= 30)).toBe(true);
    expect(flow[0]).toMatchObject({ route: 'authorize', redirectUri: ALEXA_REDIRECT_URI, responseType: 'code', scope: 'profile' });
    expect(flow[1]).toMatchObject({ provider: 'oauth2', authorizationUrl: 'https://provider.test/authorize' });
    expect(flow[4]).toMatchObject({
      route: 'token',
      upstreamUrl: 'https://provider.test/token',
      upstreamStatus: 400,
      providerError: 'invalid_grant',
      durationMs: 120,
      outcome: 'invalid_grant',
      check: expect.stringContaining('PUBLIC_URL'),
    });

    for (const secret of ['upstream-code-value-42', code, state, 'alexa-state-123', BASE_TEST_ENV.ALEXA_CLIENT_SECRET, BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET, TEST_SEALING_KEY]) {
      expect(logs.text).not.toContain(secret);
    }
  });

  test('a token URL with a wrong host names the URL and why, not an outage', async () => {
    const { app, provider, logs } = await setup();
    provider.respond = () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND provider.test'), { code: 'ENOTFOUND' }) });
    };
    const state = await startFlow(app);
    const code = new URL((await callback(app, { code: 'c', state })).headers.location).searchParams.get('code')!;
    const token = await request(app)
      .post('/oauth/token')
      .set('Authorization', basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI });
    expect(token.status).toBe(503);
    const failed = logs.entries.find((entry) => entry.msg === 'the call to the provider failed');
    expect(failed).toMatchObject({ flowId: flowIdOf(logs.entries), upstreamUrl: 'https://provider.test/token', cause: 'ENOTFOUND', check: expect.stringMatching(/host name .*UPSTREAM_TOKEN_URL.*does not resolve/) });
  });
});

function alexaToken(app: Express, form: Record<string, string>, secret = BASE_TEST_ENV.ALEXA_CLIENT_SECRET) {
  return request(app).post('/oauth/token').set('Authorization', basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, secret)).type('form').send(form);
}

test('code mode: the token call that succeeds is logged under the flow id with its URL, status and duration', async () => {
  const { app, logs } = await setup();
  const state = await startFlow(app);
  const code = new URL((await callback(app, { code: 'c', state })).headers.location).searchParams.get('code')!;
  expect((await alexaToken(app, { grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI })).status).toBe(200);
  const flowId = flowIdOf(logs.entries);
  expect(messagesOf(logs.entries, flowId).slice(4)).toEqual([
    'provider token call answered with tokens',
    'authorization code exchanged with the provider',
    'authorization code exchanged; tokens issued to Alexa',
  ]);
  expect(logs.entries.find((entry) => entry.msg === 'provider token call answered with tokens')).toMatchObject({ route: 'token', upstreamUrl: 'https://provider.test/token', upstreamStatus: 200, durationMs: 120 });
});

test('a token request the grant refuses (wrong redirect_uri) is logged under its flow id', async () => {
  const { app, logs } = await setup();
  const state = await startFlow(app);
  const code = new URL((await callback(app, { code: 'c', state })).headers.location).searchParams.get('code')!;
  const refused = await alexaToken(app, { grant_type: 'authorization_code', code, redirect_uri: 'https://pitangui.amazon.com/api/skill/link/M3BVP74N95SP1F' });
  expect(refused.body.error).toBe('invalid_grant');
  expect(logs.entries.find((entry) => entry.msg === 'token request refused')).toMatchObject({ flowId: flowIdOf(logs.entries), error: 'invalid_grant', description: expect.stringContaining('redirect_uri') });
});

test('a wrong Alexa client secret is a warning that says where the secret is set', async () => {
  const { app, logs } = await setup();
  const refused = await alexaToken(app, { grant_type: 'refresh_token', refresh_token: 'r' }, 'not-the-secret');
  expect(refused.status).toBe(401);
  const line = logs.entries.find((entry) => entry.msg === 'token request refused');
  expect(line).toMatchObject({ level: 40, error: 'invalid_client', check: expect.stringContaining('ALEXA_CLIENT_SECRET') });
  expect(String(line?.check)).toContain('Account Linking');
  expect(logs.text).not.toContain('not-the-secret');
});

test('implicit mode: the provider token call that succeeds is logged with its URL, status and duration', async () => {
  const { app, logs } = await setup({ LINK_MODE: 'implicit' });
  const state = await startFlow(app, { response_type: 'token' });
  const back = await callback(app, { code: 'c', state });
  expect(new URL(back.headers.location).hash).toContain('access_token=');
  const flowId = flowIdOf(logs.entries);
  expect(messagesOf(logs.entries, flowId).slice(2)).toEqual([
    'callback received from the provider',
    'provider token call answered with tokens',
    'answer to Alexa: the user is sent back with the access token in the fragment',
  ]);
  expect(logs.entries.find((entry) => entry.msg === 'provider token call answered with tokens')).toMatchObject({ upstreamUrl: 'https://provider.test/token', upstreamStatus: 200, durationMs: 120 });
  expect(logs.text).not.toContain('upstream-access-token');
});

test('the redirect-allowlist refusal logs the redirect_uri, which holds the vendor id, and the settings to check', async () => {
  const { app, logs } = await setup();
  const wrongVendor = 'https://layla.amazon.com/api/skill/link/M2OTHERVENDOR7';
  const response = await request(app).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: wrongVendor }));
  expect(response.status).toBe(400);
  const refusal = logs.entries.find((entry) => entry.msg === 'authorization request refused with an error page');
  expect(refusal).toMatchObject({ redirectUri: wrongVendor, check: 'ALEXA_VENDOR_IDS or ALEXA_REDIRECT_URLS', flowId: expect.any(String) });
});

test('an unknown client_id is refused naming ALEXA_CLIENT_ID in the log', async () => {
  const { app, logs } = await setup();
  await request(app).get('/oauth/authorize').query(authorizeQuery({ client_id: 'someone-else' }));
  expect(logs.entries.find((entry) => entry.msg === 'authorization request refused with an error page')).toMatchObject({ check: 'ALEXA_CLIENT_ID' });
});

test('a response_type the link mode does not serve is refused naming LINK_MODE', async () => {
  const { app, logs } = await setup();
  await request(app).get('/oauth/authorize').query(authorizeQuery({ response_type: 'token' }));
  const refusal = logs.entries.find((entry) => String(entry.msg).startsWith('authorization request refused; answer to Alexa'));
  expect(refusal).toMatchObject({ error: 'unsupported_response_type', check: expect.stringContaining('LINK_MODE') });
});

describe('a replayed callback is logged under its own flow id, and its page shows that id', () => {
  test.each([
    ['a sealed state', {}],
    ['a short-state handle (X)', { UPSTREAM_PRESET: 'x' }],
  ])('%s', async (_label, env) => {
    const { app, logs } = await setup(env);
    const state = await startFlow(app);
    expect((await callback(app, { code: 'c', state })).status).toBe(302);
    const replay = await callback(app, { code: 'c', state });
    expect(replay.status).toBe(400);
    const flowId = flowIdOf(logs.entries);
    expect(/id="error-reference">([^<]+)</.exec(replay.text)?.[1]).toBe(flowId);
    expect(logs.entries.find((entry) => entry.msg === 'callback refused with an error page')).toMatchObject({ flowId, reason: 'This sign-in link was already used' });
  });
});

test('after a restart without SEALING_KEYS, a flow in progress is told the server restarted, not that its state was altered', async () => {
  const before = await setup({ SEALING_KEYS: undefined });
  const state = await startFlow(before.app);
  // The restarted process: the same configuration, so a new key made at start.
  const after = await setup({ SEALING_KEYS: undefined });
  const response = await callback(after.app, { code: 'c', state });
  expect(response.status).toBe(400);
  expect(response.text).toContain('The service restarted while you were signing in');
  expect(response.text).not.toMatch(/altered|changed on the way/);
  expect(response.text).toContain('set SEALING_KEYS');
  expect(after.logs.entries.find((entry) => entry.msg === 'callback refused with an error page')).toMatchObject({
    check: 'SEALING_KEYS',
    cause: 'StateRejectedError: sealed state rejected: restarted',
  });
});

describe('in code mode, a sign-in that failed goes back to Alexa as an error, never as a code', () => {
  test.each([
    ['the provider\'s error', { error: 'access_denied' }, 'access_denied'],
    ['the provider\'s unknown error', { error: 'consent_required' }, 'server_error'],
    ['no code and no error', {}, 'server_error'],
    ['an empty code', { code: '' }, 'server_error'],
  ])('%s', async (_label, query, error) => {
    const { app, logs } = await setup();
    const state = await startFlow(app);
    const response = await callback(app, { ...query, state });
    const location = new URL(response.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
    expect(location.searchParams.has('code')).toBe(false);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('alexa-state-123');
    const failed = logs.entries.find((entry) => String(entry.msg).startsWith('linking failed; answer to Alexa'));
    expect(failed).toMatchObject({ flowId: flowIdOf(logs.entries), error, check: expect.any(String) });
  });

  test('a repeated code', async () => {
    const { app } = await setup();
    const state = await startFlow(app);
    const response = await request(app).get(`/oauth/callback?code=a&code=b&state=${encodeURIComponent(state)}`);
    const location = new URL(response.headers.location);
    expect(location.searchParams.has('code')).toBe(false);
    expect(location.searchParams.get('error')).toBe('server_error');
  });
});

describe('Alexa asking for fewer scopes than linkbridge needs is a warning in the flow, with the scopes missing and the fix', () => {
  // The github preset passes Alexa's scope on, and asks for read:user user:email when Alexa sends none.
  const github = { UPSTREAM_PRESET: 'github', UPSTREAM_SCOPE: undefined };
  const SHORTFALL = 'Alexa asked for fewer scopes than linkbridge needs';

  test('a scope that lacks one of them', async () => {
    const { app, logs } = await setup(github);
    await startFlow(app, { scope: 'read:user' });
    const flowId = flowIdOf(logs.entries);
    expect(messagesOf(logs.entries, flowId)).toEqual(['authorization request received', SHORTFALL, 'sent the user to the provider to sign in']);
    const warning = logs.entries.find((entry) => entry.msg === SHORTFALL);
    expect(warning).toMatchObject({ level: 40, route: 'authorize', scopeFromAlexa: 'read:user', missingScopes: 'user:email' });
    expect(String(warning?.check)).toContain('npm run skill:package');
    expect(String(warning?.check)).toContain('UPSTREAM_SCOPE');
  });

  test.each([
    ['every scope linkbridge needs', github, { scope: 'user:email read:user repo' }],
    ['no scope at all (linkbridge asks for its own)', github, { scope: undefined }],
    ['a scope that UPSTREAM_SCOPE replaces anyway', {}, { scope: 'something-else' }],
  ])('no warning for %s', async (_label, env, query) => {
    const { app, logs } = await setup(env);
    await startFlow(app, query);
    expect(logs.entries.filter((entry) => entry.msg === SHORTFALL)).toEqual([]);
  });
});
