import type { ProfileOverrides } from '../provider-profile';

/**
 * Slack OAuth v2, for a user token. Alexa's scope goes to `user_scope` (comma-separated); the code
 * answer nests the user token under `authed_user`, the refresh answer (token rotation on) does not.
 * Client credentials by HTTP Basic, as Slack prefers. Errors are HTTP 200 `{"ok":false,"error":…}`:
 * `invalid_code` for a dead or reused code, `invalid_refresh_token` for a dead refresh token.
 * @see https://docs.slack.dev/authentication/installing-with-oauth
 * @see https://docs.slack.dev/reference/methods/oauth.v2.access
 * @see https://docs.slack.dev/authentication/using-token-rotation
 */
export const slackPreset: ProfileOverrides = {
  name: 'slack',
  documentation: 'https://docs.slack.dev/reference/methods/oauth.v2.access',
  authorization: { url: 'https://slack.com/oauth/v2/authorize', pkce: true },
  // The user's profile and email through users.profile.get.
  scope: { parameter: 'user_scope', separator: ',', value: 'users:read users.profile:read' },
  token: {
    url: 'https://slack.com/api/oauth.v2.access',
    clientAuthentication: 'client_secret_basic',
    answer: {
      accessToken: 'authed_user.access_token',
      refreshToken: 'authed_user.refresh_token',
      expiresIn: 'authed_user.expires_in',
      scope: 'authed_user.scope',
      identity: { userId: 'authed_user.id', teamId: 'team.id' },
    },
  },
  refresh: { answer: { identity: { teamId: 'team.id' } } },
  errors: {
    rules: [
      { code: 'invalid_code', error: 'invalid_grant' },
      { code: 'invalid_refresh_token', error: 'invalid_grant' },
      { code: 'invalid_client_id', error: 'invalid_client' },
      { code: 'bad_client_secret', error: 'invalid_client' },
      ...['ratelimited', 'service_unavailable', 'fatal_error', 'internal_error', 'request_timeout'].map((code) => ({ code, error: 'temporarily_unavailable' as const })),
    ],
  },
};
