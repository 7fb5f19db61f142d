import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { readBodyText } from '../models/read-body';
import { authenticateClient } from './client-auth';
import {
  describeCause,
  InvalidClientError,
  InvalidRequestError,
  OAuthError,
  ServerError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from './errors';
import { authorizationCodeGrant } from './grants/authorization-code.grant';
import type { GrantHandler } from './grants/grant';
import { refreshTokenGrant } from './grants/refresh-token.grant';
import type { LinkingDeps } from './linking-deps';
import { rejectRepeated, requireParam, toParams } from './params';

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

  return [noStore(deps), readBodyText(16 * 1024), handle, tokenErrorHandler];
}

/** RFC 6749 §5.1: `Cache-Control: no-store` and `Pragma: no-cache` on every token response. */
function noStore(deps: LinkingDeps): RequestHandler {
  // One child logger for the route, not one per request.
  const log = deps.logger.child({ route: 'token' });
  return (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    res.locals.log = log;
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

/** Where a client-authentication failure at the token endpoint comes from. */
const CLIENT_CREDENTIALS_CHECK =
  "ALEXA_CLIENT_ID and ALEXA_CLIENT_SECRET must equal the Your Client ID and Your Secret in the skill's account linking settings (Alexa developer console, Build > Account Linking), and the Authentication Scheme there says whether Alexa sends them by HTTP Basic or in the body";

/** RFC 6749 §5.2 error bodies; anything unexpected is `server_error` with no internals. */
function tokenErrorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const log = res.locals.log as Logger | undefined;
  const oauthError = asOAuthError(error);
  const flowId = oauthError.flowId;
  if (oauthError instanceof ServerError) log?.error({ flowId, cause: describeCause(oauthError.internalCause ?? error) }, 'token request failed');
  else if (oauthError instanceof InvalidClientError) {
    // Alexa's credentials are typed into the skill's account linking settings: say where to look.
    log?.warn({ error: oauthError.error, description: oauthError.description, check: CLIENT_CREDENTIALS_CHECK }, 'token request refused');
  } else log?.info({ flowId, error: oauthError.error, description: oauthError.description }, 'token request refused');
  if (oauthError instanceof InvalidClientError && oauthError.usedBasic) res.set('WWW-Authenticate', 'Basic realm="linkbridge", charset="UTF-8"');
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).status(oauthError.status).json(oauthError.toJSON());
}

function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  // The body reader marks client faults (too large, compressed, another charset, cut short) with a 4xx status.
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new InvalidRequestError('the request body cannot be read');
  return new ServerError('the token request could not be completed', error);
}
