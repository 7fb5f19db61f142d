import type { ProfileOverrides } from '../provider-profile';

/**
 * GitHub (OAuth apps, and GitHub apps' user tokens). The token call takes `client_id` and
 * `client_secret` in the body and no `grant_type`; the answer is form-encoded unless `Accept:
 * application/json`; errors come with HTTP 200 (`bad_verification_code` for a dead or reused code).
 * OAuth-app tokens do not expire and come with no refresh token; GitHub-app user tokens expire and
 * are refreshed at the same endpoint (`bad_refresh_token` when dead).
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 * @see https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication (PKCE, S256 only)
 */
export const githubPreset: ProfileOverrides = {
  name: 'github',
  documentation: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  authorization: { url: 'https://github.com/login/oauth/authorize', pkce: true },
  // The user's name and email; without a scope GitHub grants public data only.
  scope: { value: 'read:user user:email' },
  // https://docs.github.com/en/rest/users/users#get-the-authenticated-user
  userinfoUrl: 'https://api.github.com/user',
  token: {
    url: 'https://github.com/login/oauth/access_token',
    clientAuthentication: 'client_secret_post',
    omitParameters: ['grant_type'],
    headers: { accept: 'application/json' },
  },
  refresh: { omitParameters: [] },
  errors: {
    rules: [
      { code: 'bad_verification_code', error: 'invalid_grant' },
      { code: 'bad_refresh_token', error: 'invalid_grant' },
      { code: 'incorrect_client_credentials', error: 'invalid_client' },
    ],
  },
};
