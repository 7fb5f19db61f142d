import type { ProviderProfile } from '../../models/provider-profile';

/**
 * A provider that speaks RFC 6749 as written: form-encoded POST to the token endpoint, HTTP Basic
 * client authentication (§2.3.1), JSON response with the standard field names (§5.1).
 * URLs come from `UPSTREAM_*` or from discovery of `UPSTREAM_ISSUER`.
 */
export const oauth2Preset: Omit<ProviderProfile, 'authorizationUrl' | 'tokenUrl'> = {
  name: 'oauth2',
  scopeSeparator: ' ',
  pkce: true,
  clientAuthentication: 'client_secret_basic',
  clientIdParameter: 'client_id',
  clientSecretParameter: 'client_secret',
  authorizationParameters: {},
  tokenRequestMethod: 'POST',
  tokenRequestHeaders: {},
  sendRedirectUriOnTokenRequest: true,
  tokenResponse: {
    accessToken: 'access_token',
    refreshToken: 'refresh_token',
    expiresIn: 'expires_in',
    scope: 'scope',
    error: 'error',
    errorDescription: 'error_description',
  },
};
