import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { readBodyText } from '../models/read-body';
import { authenticateClient } from './client-auth';
import { errorOut, InvalidClientError, InvalidRequestError, MethodNotAllowedError, UnauthorizedClientError, UnsupportedGrantTypeError } from './errors';
import { tokenRequestRefused } from './flow-log';
import { authorizationCodeGrant } from './grants/authorization-code.grant';
import type { GrantHandler } from './grants/grant';
import { refreshTokenGrant } from './grants/refresh-token.grant';
import { vaultRefreshGrant } from './grants/vault-refresh.grant';
import type { LinkingDeps } from './linking-deps';
import { rejectRepeated, requireParam, toParams, type Params } from './params';
import { runSteps, type Step } from './steps';
import type { AlexaTokenResponse } from './token-response';

/**
 * One token request, as its steps learn it. Each optional field is set by the step named in its
 * comment; a step runs only after the ones before it.
 */
interface TokenFlow {
  readonly req: Request;
  readonly log: Logger;
  readonly deps: LinkingDeps;
  readonly grants: Readonly<Record<string, GrantHandler>>;
  /** `parseForm`: the form's parameters, each present once. */
  params?: Params;
  /** `authenticateClient`: the client, authenticated. */
  clientId?: string;
  /** `selectGrant`: the handler of the request's `grant_type`. */
  grant?: GrantHandler;
  /** `runGrant`: the tokens for Alexa. */
  answer?: AlexaTokenResponse;
}

/**
 * `POST /oauth/token`, as steps that read like RFC 6749 §3.2 and §5 (after Express's `noStore` and the
 * bounded body reader). Every answer, success or error, carries `Cache-Control: no-store` and `Pragma: no-cache`.
 */
const TOKEN_STEPS: readonly Step<TokenFlow>[] = [
  parseForm, // §3.2: application/x-www-form-urlencoded, no parameter twice (§3.1)
  authenticate, // §2.3.1: HTTP Basic or body credentials
  selectGrant, // §5.2: unsupported_grant_type
  refuseInImplicitMode, // §4.2: an implicit-mode client gets its token in the redirect
  runGrant, // §4.1.3 or §6, answered per §5.1
];

/** `POST /oauth/token`: no-store headers, the bounded body reader, {@link TOKEN_STEPS}, and the one error answer. */
export function tokenRoute(deps: LinkingDeps): Array<RequestHandler | ErrorRequestHandler> {
  const grants: Readonly<Record<string, GrantHandler>> = {
    authorization_code: authorizationCodeGrant(deps),
    // Vault custody answers Alexa's refresh from the link; relay custody refreshes at the provider.
    refresh_token: deps.config.tokenCustody === 'vault' ? vaultRefreshGrant(deps) : refreshTokenGrant(deps),
  };
  const handle: RequestHandler = async (req, res) => {
    const flow: TokenFlow = { req, log: res.locals.log as Logger, deps, grants };
    await runSteps(flow, TOKEN_STEPS);
    res.status(200).json(flow.answer);
  };
  return [noStore(deps), readBodyText(16 * 1024), handle, sendTokenError];
}

/** Any other method at the token endpoint: `405 invalid_request` with `Allow: POST`. @see RFC 6749 §3.2 */
export function tokenMethodNotAllowed(deps: LinkingDeps): Array<RequestHandler | ErrorRequestHandler> {
  const refuseMethod: RequestHandler = (_req, _res, next) => next(new MethodNotAllowedError('POST'));
  return [noStore(deps), refuseMethod, sendTokenError];
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

/** RFC 6749 §3.2: the token request is `application/x-www-form-urlencoded`; §3.1: no parameter twice. */
function parseForm(flow: TokenFlow): void {
  const { req } = flow;
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new InvalidRequestError('the token request must be application/x-www-form-urlencoded');
  }
  const source = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
  rejectRepeated(source);
  flow.params = toParams(source);
}

function authenticate(flow: TokenFlow): void {
  flow.clientId = authenticateClient(flow.req, flow.params!, flow.deps.config.alexa);
}

function selectGrant(flow: TokenFlow): void {
  const grantType = requireParam(flow.params!, 'grant_type');
  const grant = Object.hasOwn(flow.grants, grantType) ? flow.grants[grantType] : undefined;
  if (!grant) throw new UnsupportedGrantTypeError(`grant_type ${grantType.slice(0, 40)} is not supported`);
  flow.grant = grant;
}

/** Implicit-mode skills get their token in the redirect; no grant is issued here (RFC 6749 §4.2). */
function refuseInImplicitMode(flow: TokenFlow): void {
  if (flow.deps.config.linkMode === 'implicit') {
    throw new UnauthorizedClientError('this client gets its access token from the authorization redirect, not from the token endpoint');
  }
}

async function runGrant(flow: TokenFlow): Promise<void> {
  flow.answer = await flow.grant!({ params: flow.params!, clientId: flow.clientId!, log: flow.log });
}

/** RFC 6749 §5.2: the error body `errorOut` made for the client; its cause goes to the log only. */
function sendTokenError(failure: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const out = errorOut(failure);
  const log = res.locals.log as Logger | undefined;
  if (log) tokenRequestRefused(log, out);
  const { error } = out;
  if (error instanceof InvalidClientError && error.usedBasic) res.set('WWW-Authenticate', 'Basic realm="linkbridge", charset="UTF-8"');
  if (error instanceof MethodNotAllowedError) res.set('Allow', error.allow);
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).status(error.status).json(out.body);
}
