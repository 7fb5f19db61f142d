/**
 * GitHub through the `github` preset: an OAuth app (tokens that do not expire, no refresh token) and
 * a GitHub app with expiring user tokens (refresh tokens, rotated).
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 */
import { startGithubReplica } from '../../support/provider-replicas/github.replica';
import { type ReplicaCall } from '../../support/provider-replicas/replica-server';
import { CLIENT, describePresetFlows, type PresetCase } from './preset-suite';

const common: Omit<PresetCase, 'start' | 'refresh'> = {
  preset: 'github',
  env: (origin) => ({ UPSTREAM_AUTHORIZATION_URL: `${origin}/login/oauth/authorize`, UPSTREAM_TOKEN_URL: `${origin}/login/oauth/access_token` }),
  alexaScope: 'read:user user:email',
  expectAuthorization: (upstream) => {
    expect(upstream.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(upstream.searchParams.get('scope')).toBe('read:user user:email');
  },
  expectTokenCall: (call: ReplicaCall) => {
    expect(call.headers.accept).toBe('application/json');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body.get('client_id')).toBe(CLIENT.clientId);
    expect(call.body.get('client_secret')).toBe(CLIENT.clientSecret);
    expect(call.body.has('grant_type')).toBe(false);
  },
  // GitHub's own words for "slow down" are a 5xx or 429.
  outage: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Unicorn!</html>' },
};

describe('OAuth app', () => {
  describePresetFlows({ ...common, start: (client) => startGithubReplica(client), refresh: { kind: 'none' } });
});

describe('GitHub app with expiring user tokens', () => {
  describePresetFlows({
    ...common,
    start: (client) => startGithubReplica(client, { expiringTokens: true }),
    refresh: {
      kind: 'rotating',
      expectCall: (call) => {
        expect(Object.fromEntries(call.body)).toEqual({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, grant_type: 'refresh_token', refresh_token: expect.any(String) });
      },
    },
    outage: { status: 429, headers: { 'content-type': 'application/json' }, body: '{"message":"API rate limit exceeded"}' },
  });
});
