import type { Logger } from '../models/logger';
import type { UpstreamTokens } from './upstream-client';

/** RFC 6749 §5.1 success body as Alexa reads it. */
export interface AlexaTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** Alexa needs access tokens that live at least this long (Alexa account-linking requirements). */
export const ALEXA_MINIMUM_LIFETIME_SECONDS = 360;
/** Login with Amazon caps its own tokens here; Alexa's own limit is not published. */
const SAFE_TOKEN_LENGTH = 2048;

/**
 * Normalizes the provider's tokens for Alexa: `token_type` is always `Bearer`, `expires_in` always
 * present, and a refresh answer without `refresh_token` returns the one Alexa presented, so Alexa
 * never loses it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function toAlexaTokenResponse(
  tokens: UpstreamTokens,
  options: { defaultExpiresIn: number; presentedRefreshToken?: string; log: Logger },
): AlexaTokenResponse {
  const expiresIn = tokens.expiresIn ?? options.defaultExpiresIn;
  if (expiresIn < ALEXA_MINIMUM_LIFETIME_SECONDS) {
    options.log.warn({ expiresIn }, `the provider's access tokens live under ${ALEXA_MINIMUM_LIFETIME_SECONDS} s; Alexa expects at least that`);
  }
  if (tokens.accessToken.length > SAFE_TOKEN_LENGTH) {
    options.log.warn({ length: tokens.accessToken.length }, `the access token is longer than ${SAFE_TOKEN_LENGTH} characters; Alexa may refuse it`);
  }
  const response: AlexaTokenResponse = { access_token: tokens.accessToken, token_type: 'Bearer', expires_in: expiresIn };
  const refreshToken = tokens.refreshToken ?? options.presentedRefreshToken;
  if (refreshToken !== undefined) response.refresh_token = refreshToken;
  if (tokens.scope !== undefined) response.scope = tokens.scope;
  return response;
}
