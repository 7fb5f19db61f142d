/**
 * The flows every preset must pass end to end against its provider's replica, over real HTTP on
 * loopback: linkbridge configured with the preset and credentials only (endpoints pointed at the
 * replica), Alexa played by supertest, the user's browser by `fetch` without following redirects.
 *   authorize parameters · code exchange · refresh twice (or no refresh token where the provider has
 *   none) · the provider's invalid-code error → 400 invalid_grant · the provider's denial →
 *   access_denied with Alexa's state · implicit mode · a provider outage → 503
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp, type AppDeps } from '../../../app';
import { buildDeps } from '../../../deps';
import type { UpstreamTokens } from '../../../linking/upstream-client';
import { loadConfig } from '../../../models/config';
import type { ProfileOverrides } from '../../../models/provider-profile';
import { Cleanup } from '../../support/cleanup';
import { basic } from '../../support/fake-provider';
import type { RegisteredClient, ReplicaAnswer, ReplicaCall, RunningReplica } from '../../support/provider-replicas/replica-server';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, captureLogger } from '../../support/test-app';

export const CLIENT: RegisteredClient = {
  clientId: BASE_TEST_ENV.UPSTREAM_CLIENT_ID,
  clientSecret: BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET,
  redirectUri: `${BASE_TEST_ENV.PUBLIC_URL}/oauth/callback`,
};

/** An Alexa state of a realistic length (Alexa's are opaque strings of a few hundred characters). */
export const ALEXA_STATE = `A2SAAEAE${'q7Xb3kLmN9pR2sT5vW8yZ1cF4hJ6'.repeat(10)}`;

/** One preset against its replica. */
export interface PresetCase {
  readonly preset: string;
  readonly start: (client: RegisteredClient) => Promise<RunningReplica>;
  /** The `UPSTREAM_*` variables that point linkbridge at the replica (beside the credentials). */
  readonly env: (origin: string) => Record<string, string>;
  /** The `LINKBRIDGE_CONFIG` file, when endpoint overrides need it (WeChat's refresh endpoint). */
  readonly file?: (origin: string) => { upstream: { profile: ProfileOverrides } };
  /** The scope the skill's account-linking settings give Alexa. */
  readonly alexaScope: string;
  /** Headers of the browser the user signs in with (WeChat's official-account page opens only in WeChat's). */
  readonly browserHeaders?: Readonly<Record<string, string>>;
  /** What the authorization request must look like for this provider. */
  readonly expectAuthorization: (upstream: URL, raw: string) => void;
  /** What the code exchange call must look like. */
  readonly expectTokenCall: (call: ReplicaCall) => void;
  readonly refresh: { readonly kind: 'rotating' | 'stable'; readonly expectCall: (call: ReplicaCall) => void } | { readonly kind: 'none' };
  /** The identity fields linkbridge reads from the code answer. */
  readonly identity?: Readonly<Record<string, string>>;
  /** A provider outage as this provider answers it. */
  readonly outage: ReplicaAnswer;
}

/** linkbridge in front of a replica. */
export interface Linkbridge {
  readonly app: Express;
  readonly deps: AppDeps;
  readonly logs: CapturedLogs;
}

export async function startLinkbridge(testCase: PresetCase, origin: string, env: Record<string, string> = {}): Promise<Linkbridge> {
  const file = testCase.file?.(origin);
  const config = loadConfig(
    {
      ...BASE_TEST_ENV,
      UPSTREAM_AUTHORIZATION_URL: undefined,
      UPSTREAM_TOKEN_URL: undefined,
      UPSTREAM_PRESET: testCase.preset,
      // The preset's own scope, or Alexa's: as a deployment that follows the presets table.
      UPSTREAM_SCOPE: undefined,
      ...testCase.env(origin),
      ...(file ? { LINKBRIDGE_CONFIG: 'linkbridge.json' } : {}),
      ...env,
    },
    () => JSON.stringify(file),
  );
  const logs = new CapturedLogs();
  const deps = await buildDeps(config, captureLogger(logs), { fetch: globalThis.fetch });
  return { app: createApp(deps), deps, logs };
}

/** Alexa opens linkbridge's authorization URL; returns where linkbridge sends the browser. */
export async function authorize(bridge: Linkbridge, testCase: PresetCase, mode: 'code' | 'token' = 'code'): Promise<string> {
  const response = await request(bridge.app)
    .get('/oauth/authorize')
    .query({ client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID, response_type: mode, redirect_uri: ALEXA_REDIRECT_URI, state: ALEXA_STATE, scope: testCase.alexaScope });
  expect(response.status).toBe(302);
  return response.headers.location as string;
}

/** The user at the provider: the browser follows the authorization URL (its fragment stays in the browser). */
export async function visitProvider(upstreamUrl: string, browserHeaders: Readonly<Record<string, string>> = {}): Promise<URL> {
  const response = await fetch(upstreamUrl.split('#')[0], { redirect: 'manual', headers: browserHeaders });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(CLIENT.redirectUri);
  return location;
}

/** The browser arrives at linkbridge's callback; returns where linkbridge sends it (Alexa). */
export async function callback(bridge: Linkbridge, location: URL): Promise<URL> {
  const response = await request(bridge.app).get(`${location.pathname}${location.search}`);
  expect(response.status).toBe(302);
  const landing = new URL(response.headers.location as string);
  expect(`${landing.origin}${landing.pathname}`).toBe(ALEXA_REDIRECT_URI);
  return landing;
}

export async function link(bridge: Linkbridge, testCase: PresetCase, mode: 'code' | 'token' = 'code'): Promise<URL> {
  return callback(bridge, await visitProvider(await authorize(bridge, testCase, mode), testCase.browserHeaders));
}

/** Alexa's token request (HTTP Basic, as the skill's settings say). */
export function tokenRequest(bridge: Linkbridge, form: Record<string, string>) {
  return request(bridge.app)
    .post('/oauth/token')
    .type('form')
    .set('Authorization', basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET))
    .send(new URLSearchParams(form).toString());
}

export function exchange(bridge: Linkbridge, code: string) {
  return tokenRequest(bridge, { grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI });
}

/** Registers the standard flows for one preset. */
export function describePresetFlows(testCase: PresetCase): void {
  const cleanup = new Cleanup();
  let replica: RunningReplica;
  let bridge: Linkbridge;
  let implicitBridge: Linkbridge;

  beforeAll(async () => {
    replica = cleanup.add(await testCase.start(CLIENT), (started) => started.close());
    bridge = await startLinkbridge(testCase, replica.origin);
    cleanup.add(bridge.deps.store, (store) => store.close());
    implicitBridge = await startLinkbridge(testCase, replica.origin, { LINK_MODE: 'implicit' });
    cleanup.add(implicitBridge.deps.store, (store) => store.close());
  });
  afterAll(() => cleanup.run());
  beforeEach(() => {
    replica.state.decision = 'allow';
    replica.state.failNext = undefined;
  });

  test('authorize: the provider gets its own parameters and accepts them', async () => {
    const upstream = await authorize(bridge, testCase);
    testCase.expectAuthorization(new URL(upstream), upstream);
    // The provider's strict checks pass: it sends the user back with a code.
    expect((await visitProvider(upstream, testCase.browserHeaders)).searchParams.get('code')).toBeTruthy();
  });

  test('code exchange: Alexa gets the provider\'s token, normalized', async () => {
    const landing = await link(bridge, testCase);
    expect(landing.searchParams.get('state')).toBe(ALEXA_STATE);
    const code = landing.searchParams.get('code')!;
    const exchangeSpy = jest.spyOn(bridge.deps.upstream, 'exchangeCode');
    const before = replica.state.calls.length;
    const response = await exchange(bridge, code);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), expires_in: expect.any(Number) });
    expect(replica.state.accessTokens.has(response.body.access_token) || replica.state.accessTokens.has(response.body.access_token.replace(/^xoxe\.xoxp-/, ''))).toBe(true);
    const [tokenCall] = replica.state.calls.slice(before);
    testCase.expectTokenCall(tokenCall);
    if (testCase.refresh.kind === 'none') expect(response.body.refresh_token).toBeUndefined();
    else expect(response.body.refresh_token).toEqual(expect.any(String));
    if (testCase.identity) {
      const tokens = (await exchangeSpy.mock.results[0].value) as UpstreamTokens;
      expect(tokens.identity).toEqual(testCase.identity);
    }
    exchangeSpy.mockRestore();
  });

  if (testCase.refresh.kind !== 'none') {
    const { kind, expectCall } = testCase.refresh;
    test(`refresh twice (${kind === 'rotating' ? 'each answer\'s refresh token is the next one to use' : 'the same refresh token each time'})`, async () => {
      const landing = await link(bridge, testCase);
      const first = await exchange(bridge, landing.searchParams.get('code')!);
      let refreshToken: string = first.body.refresh_token;
      let accessToken: string = first.body.access_token;
      for (let round = 0; round < 2; round++) {
        const before = replica.state.calls.length;
        const refreshed = await tokenRequest(bridge, { grant_type: 'refresh_token', refresh_token: refreshToken });
        expect(refreshed.status).toBe(200);
        expect(refreshed.body.access_token).not.toBe(accessToken);
        expect(refreshed.body.refresh_token).toEqual(expect.any(String));
        if (kind === 'rotating') expect(refreshed.body.refresh_token).not.toBe(refreshToken);
        else expect(refreshed.body.refresh_token).toBe(refreshToken);
        expectCall(replica.state.calls[before]);
        refreshToken = refreshed.body.refresh_token;
        accessToken = refreshed.body.access_token;
      }
    });
  }

  test('the provider\'s own error for a dead or reused code is 400 invalid_grant', async () => {
    const landing = await link(bridge, testCase);
    replica.state.burnIssuedCodes();
    const response = await exchange(bridge, landing.searchParams.get('code')!);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  test('the provider\'s denial reaches Alexa as access_denied with Alexa\'s state', async () => {
    replica.state.decision = 'deny';
    const landing = await link(bridge, testCase);
    expect(landing.searchParams.get('error')).toBe('access_denied');
    expect(landing.searchParams.get('state')).toBe(ALEXA_STATE);
    expect(landing.searchParams.has('code')).toBe(false);
  });

  test('implicit mode: the token is in the fragment, with Alexa\'s state', async () => {
    const landing = await link(implicitBridge, testCase, 'token');
    expect(landing.search).toBe('');
    const fragment = new URLSearchParams(landing.hash.slice(1));
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('state')).toBe(ALEXA_STATE);
    expect(fragment.get('access_token')).toBeTruthy();
  });

  test('a provider outage is 503 temporarily_unavailable, logged with the URL called and its status', async () => {
    const landing = await link(bridge, testCase);
    replica.state.failNext = testCase.outage;
    const response = await exchange(bridge, landing.searchParams.get('code')!);
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('temporarily_unavailable');
    const line = bridge.logs.entries.filter((entry) => entry.msg === 'the call to the provider failed').at(-1);
    expect(line).toMatchObject({ upstreamUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[^?]*$/), upstreamStatus: testCase.outage.status, flowId: expect.any(String) });
  });
}
