import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../models/logger';
import { authenticateClient } from './client-auth';
import {
  describeCause,
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  OAuthError,
  ServerError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from './errors';
import { IssuedCodes } from './issued-code';
import type { LinkingDeps } from './linking-deps';
import { rejectRepeated, requireParam, toParams, type Params } from './params';
import { verifyS256 } from './pkce';
import { toAlexaTokenResponse, type AlexaTokenResponse } from './token-response';
import { toOAuthError } from './upstream-errors';

/** One token request as the grant handlers see it. */
interface TokenRequest {
  readonly params: Params;
  readonly clientId: string;
  readonly log: Logger;
}

type GrantHandler = (request: TokenRequest) => Promise<AlexaTokenResponse>;

/**
 * `POST /oauth/token`, as a pipeline of small steps that reads like RFC 6749 §3.2 and §5:
 * noStore → parseForm → rejectRepeated → authenticateClient → pick grant → grant handler.
 * Every answer, success or error, carries `Cache-Control: no-store` and `Pragma: no-cache`.
 */
export function tokenRoute(deps: LinkingDeps): Array<RequestHandler | ErrorRequestHandler> {
  const grants: Readonly<Record<string, GrantHandler>> = {
    authorization_code: authorizationCodeGrant(deps),
    refresh_token: refreshTokenGrant(deps),
  };

  const handle: RequestHandler = async (req, res) => {
    const source = formParams(req);
    rejectRepeated(source);
    const params = toParams(source);
    const clientId = authenticateClient(req, params, deps.config.alexa);
    const grantType = requireParam(params, 'grant_type');
    const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
    if (!grant) throw new UnsupportedGrantTypeError(`grant_type ${grantType.slice(0, 40)} is not supported`);
    // Implicit-mode skills get their token in the redirect; no grant is issued here (RFC 6749 §4.2).
    if (deps.config.linkMode === 'implicit') throw new UnauthorizedClientError('LINK_MODE is implicit: this client gets its token from the authorization redirect');
    const body = await grant({ params, clientId, log: res.locals.log as Logger });
    res.status(200).json(body);
  };

  return [noStore(deps), express.text({ type: () => true, limit: '16kb' }), handle, tokenErrorHandler];
}

/** RFC 6749 §5.1: `Cache-Control: no-store` and `Pragma: no-cache` on every token response. */
function noStore(deps: LinkingDeps): RequestHandler {
  return (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    res.locals.log = deps.logger.child({ route: 'token' });
    next();
  };
}

/** RFC 6749 §3.2: the token request is `application/x-www-form-urlencoded`. */
function formParams(req: Request): URLSearchParams {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new InvalidRequestError('the token request must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(typeof req.body === 'string' ? req.body : '');
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.6: the code is ours, unexpired, unused, bound to client and redirect URI. */
function authorizationCodeGrant(deps: LinkingDeps): GrantHandler {
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

/** RFC 6749 §6: refresh through the provider; Alexa keeps its refresh token when the provider sends none. */
function refreshTokenGrant(deps: LinkingDeps): GrantHandler {
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

/** RFC 6749 §5.2 error bodies; anything unexpected is `server_error` with no internals. */
function tokenErrorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const log = res.locals.log as Logger | undefined;
  const oauthError = asOAuthError(error);
  if (oauthError instanceof ServerError) log?.error({ cause: describeCause(oauthError.internalCause ?? error) }, 'token request failed');
  else log?.info({ error: oauthError.error, description: oauthError.description }, 'token request refused');
  if (oauthError instanceof InvalidClientError && oauthError.usedBasic) res.set('WWW-Authenticate', 'Basic realm="linkbridge", charset="UTF-8"');
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).status(oauthError.status).json(oauthError.toJSON());
}

function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  // body-parser marks client faults (malformed, too large, bad charset) with a 4xx status.
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new InvalidRequestError('the request body cannot be read');
  return new ServerError('the token request could not be completed', error);
}
