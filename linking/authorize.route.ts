import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { epochSeconds } from '../models/clock';
import type { Logger } from '../models/logger';
import { requestQuery } from '../models/request-target';
import { redirectErrorToAlexa, type AlexaTarget } from './alexa-redirect';
import { sendErrorPage, toLinkingPage } from './error-page';
import { asOAuthError, describeCause, InvalidRequestError, LinkingPageError, ServerError, UnsupportedResponseTypeError, type OAuthError } from './errors';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { createCodeVerifier, isWellFormedS256Challenge, s256Challenge } from './pkce';
import { StateHandles } from './sealing';
import { urlForLogs } from './upstream/upstream-failures';

/**
 * Longest `state` accepted from Alexa. Alexa's are a few hundred characters; a much longer one is not
 * Alexa's, and sealed into the upstream state it would overflow the provider's (and our) URL limits.
 */
export const MAX_ALEXA_STATE_LENGTH = 2048;

/** The query, read once. */
interface AuthorizationQuery {
  readonly params: Params;
  readonly repeated: readonly string[];
}

/** A request whose client and redirect URI are trusted, so errors may go back to Alexa. */
interface TrustedRequest extends AuthorizationQuery {
  readonly clientId: string;
  readonly redirectUri: string;
}

/** A fully checked authorization request. */
interface CheckedRequest extends TrustedRequest {
  readonly alexaState: string;
  readonly codeChallenge?: string;
  readonly scope?: string;
}

/**
 * `GET /oauth/authorize`: Alexa's authorization request, as a pipeline of small steps that reads like
 * RFC 6749 §4.1.1 and §4.1.2.1:
 *   readQuery → trustClient → trustRedirectUri                    (failures: an error page, never a redirect)
 *   → rejectRepeated → requireState → boundState → checkResponseType → checkCodeChallenge
 *                                                                  (failures: back to Alexa's redirect_uri)
 *   → sealFlow → (stashLongState) → redirect to the provider.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 and #section-4.2.1
 */
export function authorizeRoute(deps: LinkingDeps): RequestHandler {
  const handles = new StateHandles(deps.store);
  return async (req: Request, res: Response) => {
    const flowId = randomUUID();
    const log = deps.logger.child({ flowId, route: 'authorize' });
    log.info(receivedFacts(req), 'authorization request received');

    let trusted: TrustedRequest;
    try {
      const query = readQuery(req);
      trusted = trustRedirectUri(trustClient(query, deps), deps);
    } catch (error) {
      const page = toLinkingPage(error);
      log.warn(
        { reason: page.title, check: page.setting ?? 'nothing to set: the request was not one the Alexa app sends', hint: page.hint, redirectUri: refusedRedirectUri(req, page), cause: describeCause(page.internalCause) },
        'authorization request refused with an error page',
      );
      return sendErrorPage(res, page, flowId);
    }

    const target: AlexaTarget = { redirectUri: trusted.redirectUri, mode: deps.config.linkMode, state: alexaStateToEcho(trusted) };
    try {
      const checked = checkCodeChallenge(checkResponseType(boundState(requireState(rejectRepeated(trusted))), deps), deps);
      const location = await sendUpstream(checked, flowId, deps, handles, log);
      log.info(
        {
          provider: deps.upstream.providerName,
          authorizationUrl: urlForLogs(deps.upstream.profile.authorization.url),
          scopeFromAlexa: checked.scope ?? null,
          pkceToProvider: deps.upstream.usesPkce,
          pkceFromAlexa: Boolean(checked.codeChallenge),
        },
        'sent the user to the provider to sign in',
      );
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, location);
    } catch (error) {
      const oauthError = asOAuthError(error, 'linkbridge could not start linking');
      log.warn(
        { error: oauthError.error, description: oauthError.description, check: settingFor(oauthError), cause: describeCause(oauthError.internalCause) },
        `authorization request refused; answer to Alexa: ${oauthError.error}`,
      );
      redirectErrorToAlexa(res, target, oauthError);
    }
  };
}

/** Longest value of a parameter put in the log (a redirect URI is far shorter). */
const MAX_LOGGED_PARAMETER = 300;

/** What the first log line of a flow says: what Alexa asked for, no state or challenge values. */
function receivedFacts(req: Request): Record<string, unknown> {
  const params = requestQuery(req);
  return {
    responseType: params.get('response_type')?.slice(0, 20) ?? null,
    redirectUri: params.get('redirect_uri')?.slice(0, MAX_LOGGED_PARAMETER) ?? null,
    scope: params.get('scope')?.slice(0, MAX_LOGGED_PARAMETER) ?? null,
    hasState: params.has('state'),
    hasCodeChallenge: params.has('code_challenge'),
  };
}

/**
 * The refused `redirect_uri`, for the allowlist refusal: it holds the vendor id the developer needs
 * (`…/api/skill/link/M3BVP74N95SP1F`) and is not a secret.
 */
function refusedRedirectUri(req: Request, page: LinkingPageError): string | undefined {
  if (page.setting !== REDIRECT_SETTING) return undefined;
  return requestQuery(req).get('redirect_uri')?.slice(0, MAX_LOGGED_PARAMETER);
}

/** The setting behind an error sent back to Alexa, when one is. */
function settingFor(error: OAuthError): string {
  if (error instanceof UnsupportedResponseTypeError) return "LINK_MODE, and the skill's authorization grant type in the Alexa developer console (Auth Code Grant or Implicit Grant)";
  if (error instanceof ServerError) return 'SEALING_KEYS and STORE_URL (the state could not be sealed or stored)';
  return 'nothing to set: the request was not one the Alexa app sends';
}

const CLIENT_SETTING = 'ALEXA_CLIENT_ID';
const REDIRECT_SETTING = 'ALEXA_VENDOR_IDS or ALEXA_REDIRECT_URLS';

function readQuery(req: Request): AuthorizationQuery {
  const source = requestQuery(req);
  return { params: toParams(source), repeated: repeatedNames(source) };
}

const INCOMPLETE_TITLE = 'This link is incomplete';
const INCOMPLETE_EXPLANATION = 'The page was opened without the details the Alexa app always sends.';

/** RFC 6749 §4.1.2.1: an invalid client gets no redirect. */
function trustClient(query: AuthorizationQuery, deps: LinkingDeps): AuthorizationQuery & { clientId: string } {
  if (query.repeated.includes('client_id')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the client_id parameter appears more than once' });
  }
  const clientId = query.params.get('client_id');
  if (clientId === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the request has no client_id parameter' });
  }
  if (clientId !== deps.config.alexa.clientId) {
    throw new LinkingPageError('This skill is not set up for linking here', 'The Alexa app asked to link with details this service does not recognise.', {
      advice: 'contact',
      setting: CLIENT_SETTING,
      hint: "the client_id is not ALEXA_CLIENT_ID: make the Client ID in the skill's account-linking settings and ALEXA_CLIENT_ID the same (npm run skill:package writes it)",
    });
  }
  return { ...query, clientId };
}

/** RFC 6749 §3.1.2.2, RFC 9700 §4.1.3: exact match against the allowlist, or no redirect. */
function trustRedirectUri(query: AuthorizationQuery & { clientId: string }, deps: LinkingDeps): TrustedRequest {
  if (query.repeated.includes('redirect_uri')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the redirect_uri parameter appears more than once' });
  }
  const redirectUri = query.params.get('redirect_uri');
  if (redirectUri === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the request has no redirect_uri parameter' });
  }
  if (!deps.config.alexa.redirectUrls.has(redirectUri)) {
    throw new LinkingPageError('This skill cannot send you back to the Alexa app', 'For your safety, this service only sends you back to addresses it knows, and the Alexa app asked for another one.', {
      advice: 'contact',
      setting: REDIRECT_SETTING,
      hint: "the redirect_uri is not on the allowlist: add the skill's vendor id (the last part of the redirect_uri, in upper case) to ALEXA_VENDOR_IDS, or the exact URL to ALEXA_REDIRECT_URLS; the log has the redirect_uri",
    });
  }
  return { ...query, redirectUri };
}

/** Alexa's state goes back with an error only when it is single and within bounds. */
function alexaStateToEcho(request: TrustedRequest): string | undefined {
  const state = request.params.get('state');
  return request.repeated.includes('state') || state === undefined || state.length > MAX_ALEXA_STATE_LENGTH ? undefined : state;
}

/** RFC 6749 §3.1: no parameter more than once. */
function rejectRepeated(request: TrustedRequest): TrustedRequest {
  if (request.repeated.length > 0) throw new InvalidRequestError(`the ${request.repeated[0]} parameter is repeated`);
  return request;
}

/** Alexa always sends `state`; a request without one is not Alexa's. */
function requireState(request: TrustedRequest): TrustedRequest & { alexaState: string } {
  const alexaState = request.params.get('state');
  if (alexaState === undefined) throw new InvalidRequestError('the state parameter is required');
  return { ...request, alexaState };
}

function boundState<T extends { alexaState: string }>(request: T): T {
  if (request.alexaState.length > MAX_ALEXA_STATE_LENGTH) {
    throw new InvalidRequestError(`the state parameter is longer than ${MAX_ALEXA_STATE_LENGTH} characters`);
  }
  return request;
}

/** RFC 6749 §4.1.1 / §4.2.1: `code` or `token`, whichever LINK_MODE serves. */
function checkResponseType<T extends TrustedRequest>(request: T, deps: LinkingDeps): T {
  const expected = deps.config.linkMode === 'code' ? 'code' : 'token';
  const responseType = request.params.get('response_type');
  if (responseType === undefined) throw new InvalidRequestError('the response_type parameter is missing');
  if (responseType !== expected) {
    throw new UnsupportedResponseTypeError(`this server issues response_type=${expected} (LINK_MODE=${deps.config.linkMode})`);
  }
  return request;
}

/** RFC 7636 §4.3/§4.4.1: only S256 is accepted; a challenge without a method would mean `plain`. */
function checkCodeChallenge(request: TrustedRequest & { alexaState: string }, deps: LinkingDeps): CheckedRequest {
  const challenge = request.params.get('code_challenge');
  const method = request.params.get('code_challenge_method');
  const checked = { ...request, scope: request.params.get('scope') };
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequestError('code_challenge_method was sent without code_challenge');
    return checked;
  }
  if (deps.config.linkMode === 'implicit') throw new InvalidRequestError('PKCE applies to the authorization code grant only');
  if (method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256');
  if (!isWellFormedS256Challenge(challenge)) throw new InvalidRequestError('code_challenge is not a base64url SHA-256 value');
  return { ...checked, codeChallenge: challenge };
}

/**
 * Seals the flow into the upstream `state` (stashed behind a short handle when the provider keeps
 * less) and builds the provider's authorization URL.
 */
async function sendUpstream(request: CheckedRequest, flowId: string, deps: LinkingDeps, handles: StateHandles, log: Logger): Promise<string> {
  const upstreamCodeVerifier = deps.upstream.usesPkce ? createCodeVerifier() : undefined;
  const expiresAt = epochSeconds(deps.clock) + deps.config.stateTtlSeconds;
  const sealed = await deps.sealer.seal({
    id: randomUUID(),
    flowId,
    clientId: request.clientId,
    alexaState: request.alexaState,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    upstreamCodeVerifier,
    provider: deps.upstream.providerName,
    scope: request.scope,
    expiresAt,
  });
  const maxStateLength = deps.upstream.profile.authorization.maxStateLength;
  let state = sealed;
  if (maxStateLength !== undefined && sealed.length > maxStateLength) {
    state = await handles.stash(sealed, expiresAt);
    log.debug({ sealedLength: sealed.length, maxStateLength }, 'the sealed state is longer than the provider keeps; sent a handle to it');
  }
  return deps.upstream.authorizationUrl({
    state,
    scope: request.scope,
    codeChallenge: upstreamCodeVerifier === undefined ? undefined : s256Challenge(upstreamCodeVerifier),
  });
}
