import type { Logger } from '../models/logger';
import { InvalidGrantError, InvalidScopeError, OAuthError, ServerError, TemporarilyUnavailableError } from './errors';
import { UpstreamRejectedError, UpstreamUnavailableError } from './upstream-client';

/**
 * Translates an upstream failure into the error Alexa gets. Only the provider's own `invalid_grant`
 * becomes `invalid_grant`: Alexa treats it as a dead link, so a passing failure must never look like it.
 */
export function toOAuthError(error: unknown, log: Logger): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof UpstreamRejectedError) {
    log.warn({ upstreamError: error.error.slice(0, 64), upstreamStatus: error.httpStatus }, 'the provider rejected the token request');
    if (error.error === 'invalid_grant') return new InvalidGrantError('the account provider rejected the grant', error);
    if (error.error === 'invalid_scope') return new InvalidScopeError('the account provider rejected the scope', error);
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
      log.error('the provider rejected linkbridge\'s client credentials: check UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET');
    }
    return new ServerError('the account provider refused the token request', error);
  }
  if (error instanceof UpstreamUnavailableError) {
    log.warn({ reason: error.reason, upstreamStatus: error.httpStatus }, 'the provider\'s token endpoint is unavailable');
    return error.reason === 'unreadable'
      ? new ServerError('the account provider answered with an unreadable token response', error)
      : new TemporarilyUnavailableError('the account provider did not answer in time; try again', error);
  }
  return new ServerError('linkbridge could not complete the token request', error);
}
