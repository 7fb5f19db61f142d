import type { Logger } from '../../models/logger';
import { describeCause } from '../../models/logger';
import { StoreUnavailableError } from '../../models/store';
import { OAuthError, TemporarilyUnavailableError } from '../errors';
import { toOAuthError } from '../upstream-errors';

/**
 * The token endpoint's error for a failed grant: the provider's failures as `upstream-errors` maps them,
 * and a store that cannot answer as `503`, so Alexa retries rather than giving up on the link.
 */
export function toTokenError(error: unknown, log: Logger): OAuthError {
  if (error instanceof StoreUnavailableError) {
    log.error({ cause: describeCause(error) }, 'the store could not serve a token request');
    return new TemporarilyUnavailableError('linkbridge could not reach its store; try again', error);
  }
  return toOAuthError(error, log);
}
