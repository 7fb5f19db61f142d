/**
 * Slack OAuth v2 (a user token, token rotation on) through the `slack` preset.
 * @see https://docs.slack.dev/authentication/installing-with-oauth
 * @see https://docs.slack.dev/reference/methods/oauth.v2.access
 * @see https://docs.slack.dev/authentication/using-token-rotation
 */
import { json } from '../../support/provider-replicas/replica-server';
import { startSlackReplica } from '../../support/provider-replicas/slack.replica';
import { CLIENT, describePresetFlows } from './preset-suite';

const basicHeader = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

describePresetFlows({
  preset: 'slack',
  start: startSlackReplica,
  env: (origin) => ({ UPSTREAM_AUTHORIZATION_URL: `${origin}/oauth/v2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/api/oauth.v2.access` }),
  alexaScope: 'users:read users.profile:read',
  expectAuthorization: (upstream) => {
    expect(upstream.searchParams.get('user_scope')).toBe('users:read,users.profile:read');
    expect(upstream.searchParams.has('scope')).toBe(false);
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
  },
  expectTokenCall: (call) => {
    expect(call.headers.authorization).toBe(basicHeader);
    expect(call.body.has('client_secret')).toBe(false);
    expect(call.body.get('redirect_uri')).toBe(CLIENT.redirectUri);
  },
  refresh: {
    kind: 'rotating',
    expectCall: (call) => {
      expect(call.headers.authorization).toBe(basicHeader);
      expect(Object.fromEntries(call.body)).toEqual({ grant_type: 'refresh_token', refresh_token: expect.stringMatching(/^xoxe-1-/) });
    },
  },
  identity: { userId: 'U0001', teamId: 'T0001' },
  outage: json(200, { ok: false, error: 'ratelimited' }),
});
