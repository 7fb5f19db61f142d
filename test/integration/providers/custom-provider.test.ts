/**
 * A provider described only in the LINKBRIDGE_CONFIG file, with no code: renamed parameters, a
 * separate refresh endpoint, an error map, a GET token call, form-encoded answers and nested fields.
 */
import { startCustomReplica } from '../../support/provider-replicas/custom.replica';
import type { RunningReplica } from '../../support/provider-replicas/replica-server';
import { Cleanup } from '../../support/cleanup';
import { CLIENT, exchange, link, startLinkbridge, tokenRequest, type Linkbridge, type PresetCase } from './preset-suite';

function acmeProfile(origin: string) {
  return {
    name: 'acme',
    authorization: { url: `${origin}/oauth/begin`, clientIdParameter: 'app', parameters: { display: 'page' }, pkce: false },
    scope: { parameter: 'perms', separator: ',', value: 'read write' },
    token: {
      url: `${origin}/oauth/exchange`,
      method: 'GET' as const,
      clientAuthentication: 'client_secret_post' as const,
      parameterNames: { client_id: 'app', client_secret: 'key', code: 'auth_code', redirect_uri: 'callback' },
      omitParameters: ['grant_type' as const],
      answer: { accessToken: 'token', refreshToken: 'renew', expiresIn: 'ttl', identity: { memberId: 'member' } },
    },
    refresh: {
      url: `${origin}/oauth/renew`,
      method: 'POST' as const,
      parameterNames: { refresh_token: 'renew_token' },
      parameters: { mode: 'renew' },
      answer: { accessToken: 'result.token.value', refreshToken: 'result.renew', expiresIn: 'result.token.ttl' },
    },
    errors: {
      codePath: 'fault',
      descriptionPath: 'fault_text',
      rules: [
        { code: 'E_CODE_USED', error: 'invalid_grant' as const },
        { code: 'E_RENEW_DEAD', error: 'invalid_grant' as const },
      ],
    },
  };
}

const acme: PresetCase = {
  // No preset and no UPSTREAM_* endpoint: the file says everything.
  preset: 'oauth2',
  start: startCustomReplica,
  env: () => ({}),
  file: (origin) => ({ upstream: { profile: acmeProfile(origin) } }),
  alexaScope: 'read write',
  expectAuthorization: () => undefined,
  expectTokenCall: () => undefined,
  refresh: { kind: 'none' },
  outage: { status: 500 },
};

const cleanup = new Cleanup();
let replica: RunningReplica;
let bridge: Linkbridge;

beforeAll(async () => {
  replica = cleanup.add(await startCustomReplica(CLIENT), (started) => started.close());
  bridge = await startLinkbridge(acme, replica.origin);
  cleanup.add(bridge.deps.store, (store) => store.close());
});
afterAll(() => cleanup.run());

test('is not demo mode, and the profile is the file\'s', () => {
  expect(bridge.deps.config.demo).toBe(false);
  expect(bridge.deps.upstream.providerName).toBe('acme');
});

test('links, exchanges with a GET in its own names, and refreshes twice at the other endpoint', async () => {
  const landing = await link(bridge, acme);
  const begin = replica.state.calls.find((call) => call.path === '/oauth/begin')!;
  expect(begin.query.get('perms')).toBe('read,write');
  expect(begin.query.has('client_id')).toBe(false);

  const exchanged = await exchange(bridge, landing.searchParams.get('code')!);
  expect(exchanged.status).toBe(200);
  expect(exchanged.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: expect.stringMatching(/^refresh-/) });
  const exchangeCall = replica.state.calls.find((call) => call.path === '/oauth/exchange')!;
  expect(exchangeCall.method).toBe('GET');
  expect([...exchangeCall.query.keys()].sort()).toEqual(['app', 'auth_code', 'callback', 'key']);

  let refreshToken: string = exchanged.body.refresh_token;
  for (let round = 0; round < 2; round++) {
    const refreshed = await tokenRequest(bridge, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ expires_in: 7200, access_token: expect.stringMatching(/^access-/) });
    expect(refreshed.body.refresh_token).not.toBe(refreshToken);
    refreshToken = refreshed.body.refresh_token;
  }
  const renewCalls = replica.state.calls.filter((call) => call.path === '/oauth/renew');
  expect(renewCalls).toHaveLength(2);
  expect(Object.fromEntries(renewCalls[0].body)).toEqual({ app: CLIENT.clientId, key: CLIENT.clientSecret, renew_token: expect.any(String), mode: 'renew' });
});

test('its own error codes map to invalid_grant, for the code and for the refresh token', async () => {
  const landing = await link(bridge, acme);
  replica.state.burnIssuedCodes();
  expect(await exchange(bridge, landing.searchParams.get('code')!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  expect(await tokenRequest(bridge, { grant_type: 'refresh_token', refresh_token: 'refresh-unknown' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
});

test('the user is named by the field the profile says', async () => {
  const landing = await link(bridge, acme);
  const spy = jest.spyOn(bridge.deps.upstream, 'exchangeCode');
  await exchange(bridge, landing.searchParams.get('code')!);
  expect((await spy.mock.results[0].value).identity).toEqual({ memberId: 'member-7' });
  spy.mockRestore();
});
