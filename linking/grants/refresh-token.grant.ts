import type { LinkingDeps } from '../linking-deps';
import { requireParam } from '../params';
import { toAlexaTokenResponse } from '../token-response';
import { toOAuthError } from '../upstream-errors';
import type { GrantHandler } from './grant';

/** RFC 6749 §6: refresh through the provider; Alexa keeps its refresh token when the provider sends none. */
export function refreshTokenGrant(deps: LinkingDeps): GrantHandler {
  return async ({ params, log }) => {
    const refreshToken = requireParam(params, 'refresh_token');
    try {
      const tokens = await deps.upstream.refresh(refreshToken);
      log.info({ rotated: tokens.refreshToken !== undefined }, 'tokens refreshed');
      return toAlexaTokenResponse(tokens, { defaultExpiresIn: deps.config.defaultExpiresIn, presentedRefreshToken: refreshToken, log });
    } catch (error) {
      throw toOAuthError(error, log);
    }
  };
}
