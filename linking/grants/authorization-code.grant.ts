import { InvalidGrantError } from '../errors';
import { IssuedCodes } from '../issued-code';
import type { LinkingDeps } from '../linking-deps';
import { requireParam } from '../params';
import { verifyS256 } from '../pkce';
import { toAlexaTokenResponse } from '../token-response';
import { toOAuthError } from '../upstream-errors';
import type { GrantHandler } from './grant';

/** RFC 6749 §4.1.3 with RFC 7636 §4.6: the code is ours, unexpired, unused, bound to client and redirect URI. */
export function authorizationCodeGrant(deps: LinkingDeps): GrantHandler {
  const codes = new IssuedCodes(deps.store);
  return async ({ params, clientId, log }) => {
    const code = requireParam(params, 'code');
    const redirectUri = requireParam(params, 'redirect_uri');
    const verifier = params.get('code_verifier');
    // Redeemed before any other check: a code presented twice is dead whatever happens next (§4.1.2).
    const issued = await codes.redeem(code);
    if (!issued) throw new InvalidGrantError('the authorization code is invalid, expired or already used');
    const flowLog = log.child({ flowId: issued.flowId });
    if (issued.clientId !== clientId) throw new InvalidGrantError('the authorization code was issued to another client');
    if (issued.redirectUri !== redirectUri) throw new InvalidGrantError('redirect_uri does not match the authorization request');
    if (issued.codeChallenge !== undefined) {
      if (verifier === undefined) throw new InvalidGrantError('code_verifier is required: the authorization request had a code_challenge');
      if (!verifyS256(verifier, issued.codeChallenge)) throw new InvalidGrantError('code_verifier does not match the code_challenge');
    } else if (verifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
      throw new InvalidGrantError('code_verifier was sent but the authorization request had no code_challenge');
    }
    try {
      const tokens = await deps.upstream.exchangeCode(issued.upstreamCode, issued.upstreamCodeVerifier);
      flowLog.info('authorization code exchanged; tokens issued to Alexa');
      return toAlexaTokenResponse(tokens, { defaultExpiresIn: deps.config.defaultExpiresIn, log: flowLog });
    } catch (error) {
      throw toOAuthError(error, flowLog);
    }
  };
}
