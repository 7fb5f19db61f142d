/**
 * X (Twitter) OAuth 2.0 with PKCE through the `x` preset.
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token
 */
import { json } from '../../support/provider-replicas/replica-server';
import { startXReplica, X_MAX_STATE_LENGTH } from '../../support/provider-replicas/x.replica';
import { CLIENT, describePresetFlows } from './preset-suite';

const basicHeader = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

describePresetFlows({
  preset: 'x',
  start: startXReplica,
  env: (origin) => ({ UPSTREAM_AUTHORIZATION_URL: `${origin}/i/oauth2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/2/oauth2/token` }),
  alexaScope: 'tweet.read users.read',
  expectAuthorization: (upstream) => {
    expect(upstream.searchParams.get('client_id')).toBe(CLIENT.clientId);
    // offline.access is what makes X issue a refresh token.
    expect(upstream.searchParams.get('scope')).toBe('tweet.read users.read offline.access');
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
    // The sealed state would be 600+ characters; X keeps 500 at most.
    expect(upstream.searchParams.get('state')!.length).toBeLessThanOrEqual(X_MAX_STATE_LENGTH);
  },
  expectTokenCall: (call) => {
    expect(call.headers.authorization).toBe(basicHeader);
    expect(call.body.get('client_id')).toBe(CLIENT.clientId);
    expect(call.body.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  },
  refresh: {
    kind: 'rotating',
    expectCall: (call) => {
      expect(call.path).toBe('/2/oauth2/token');
      expect(call.headers.authorization).toBe(basicHeader);
      expect(Object.fromEntries(call.body)).toEqual({ client_id: CLIENT.clientId, grant_type: 'refresh_token', refresh_token: expect.any(String) });
    },
  },
  outage: json(503, { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 }),
});
