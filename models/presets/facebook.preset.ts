import type { ProfileOverrides } from '../provider-profile';

/**
 * Facebook Login, built by hand. The code is exchanged with a GET to the Graph API carrying
 * `client_id`, `redirect_uri`, `client_secret` and `code` (no `grant_type`); scopes are separated by
 * commas; there are no refresh tokens. Errors are a nested `{"error":{"message","type":"OAuthException",
 * "code","error_subcode"}}`: code 100 for a dead, reused or mismatched code, 190 for a dead token,
 * 1, 2, 4, 17, 32, 341 and 613 while Facebook is busy or throttling (but code 1 also says "Error
 * validating client secret", which is linkbridge's configuration, not a passing fault).
 * @see https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export const facebookPreset: ProfileOverrides = {
  name: 'facebook',
  documentation: 'https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow',
  authorization: { url: 'https://www.facebook.com/v23.0/dialog/oauth', pkce: false },
  scope: { separator: ',', value: 'public_profile email' },
  // https://developers.facebook.com/docs/graph-api/reference/user
  userinfoUrl: 'https://graph.facebook.com/v23.0/me?fields=name,email',
  token: {
    url: 'https://graph.facebook.com/v23.0/oauth/access_token',
    method: 'GET',
    clientAuthentication: 'client_secret_post',
    omitParameters: ['grant_type', 'code_verifier'],
  },
  refresh: null,
  errors: {
    codePath: 'error.code',
    descriptionPath: 'error.message',
    rules: [
      // "Error validating client secret." comes as code 1, which otherwise means a passing fault.
      { code: 1, descriptionIncludes: 'client secret', error: 'invalid_client' },
      { code: 100, error: 'invalid_grant' },
      { code: 190, error: 'invalid_grant' },
      { code: 101, error: 'invalid_client' },
      ...[1, 2, 4, 17, 32, 341, 613].map((code) => ({ code, error: 'temporarily_unavailable' as const })),
    ],
  },
};
