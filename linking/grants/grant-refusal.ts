import type { Logger } from '../../models/logger';
import { StoreUnavailableError } from '../../models/store';
import { errorOut, type OAuthError } from '../errors';
import { providerCallFailed, storeFailedTokenRequest, tokenAnswerToAlexa } from '../flow-log';
import { isProviderFailure } from '../upstream-errors';

/**
 * The token endpoint's error for a failed grant, as `errorOut` decides it (a provider that is down and a
 * store that cannot answer are `503`, so Alexa retries rather than giving up on the link), with the flow
 * log's lines about it: the failed provider call or store, then the answer Alexa gets.
 */
export function grantRefusal(failure: unknown, log: Logger): OAuthError {
  const out = errorOut(failure);
  if (isProviderFailure(failure)) providerCallFailed(log, failure, out.error);
  else if (failure instanceof StoreUnavailableError) storeFailedTokenRequest(log, out.cause);
  tokenAnswerToAlexa(log, out.error);
  return out.error;
}
