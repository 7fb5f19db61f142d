import type { ProfileOverrides } from '../provider-profile';

/**
 * X (Twitter) OAuth 2.0 with PKCE, as a confidential client: HTTP Basic and `client_id` in the body at
 * once. A refresh token only with the `offline.access` scope, always added here; `state` at most 500
 * characters. A dead or reused code or refresh token is `400 invalid_request` ("Value passed for the
 * … was invalid"), which here means `invalid_grant`.
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token
 * @see https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code (revoke a token)
 */
export const xPreset: ProfileOverrides = {
  name: 'x',
  documentation: 'https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code',
  authorization: { url: 'https://x.com/i/oauth2/authorize', pkce: true, maxStateLength: 500 },
  scope: { value: 'tweet.read users.read', always: ['offline.access'] },
  token: {
    url: 'https://api.x.com/2/oauth2/token',
    clientAuthentication: 'client_secret_basic_with_client_id',
  },
  errors: {
    rules: [{ code: 'invalid_request', descriptionIncludes: 'was invalid', error: 'invalid_grant' }],
  },
  // RFC 7009: `token` and `token_type_hint`, with the token request's client authentication.
  revocationUrl: 'https://api.x.com/2/oauth2/revoke',
};
