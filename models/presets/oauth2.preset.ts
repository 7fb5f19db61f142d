import type { ProfileOverrides } from '../provider-profile';

/**
 * A provider that speaks RFC 6749 as written: form-encoded POST to the token endpoint, HTTP Basic
 * client authentication (§2.3.1), JSON answers with the standard field names (§5.1), PKCE (RFC 7636).
 * Endpoints come from `UPSTREAM_*`, the config file or discovery of `UPSTREAM_ISSUER` (RFC 8414).
 * @see https://www.rfc-editor.org/rfc/rfc6749
 */
export const oauth2Preset: ProfileOverrides = {
  name: 'oauth2',
  documentation: 'https://www.rfc-editor.org/rfc/rfc6749',
};
