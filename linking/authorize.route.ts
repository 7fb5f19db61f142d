import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { epochSeconds } from '../models/clock';
import { alexaRedirect } from './alexa-redirect';
import { sendErrorPage } from './error-page';
import {
  describeCause,
  InvalidRequestError,
  LinkingPageError,
  OAuthError,
  ServerError,
  UnsupportedResponseTypeError,
} from './errors';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { createCodeVerifier, isWellFormedS256Challenge, s256Challenge } from './pkce';

/** An authorization request whose client and redirect URI are trusted, so errors may go back to Alexa. */
interface TrustedRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly alexaState?: string;
  readonly params: Params;
  readonly repeated: readonly string[];
}

/** A fully checked authorization request. */
interface CheckedRequest extends TrustedRequest {
  readonly codeChallenge?: string;
  readonly scope?: string;
}

/**
 * `GET /oauth/authorize`: Alexa's authorization request. Checks the client and the redirect URI
 * (failures get an error page, never a redirect), then the rest (failures go back to Alexa), seals the
 * flow into the upstream `state` and sends the user to the provider.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 and #section-4.2.1
 */
export function authorizeRoute(deps: LinkingDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const flowId = randomUUID();
    const log = deps.logger.child({ flowId, route: 'authorize' });
    let trusted: TrustedRequest;
    try {
      trusted = checkClientAndRedirectUri(req, deps);
    } catch (error) {
      const page = error instanceof LinkingPageError ? error : new LinkingPageError('Something went wrong', 'linkbridge could not read this request.', 400, error);
      log.warn({ reason: page.title }, 'authorization request refused with an error page');
      return sendErrorPage(res, page, flowId);
    }

    try {
      const checked = checkAuthorizationRequest(trusted, deps);
      const location = await sendUpstream(checked, flowId, deps);
      log.info({ provider: deps.upstream.providerName, pkceFromAlexa: Boolean(checked.codeChallenge) }, 'linking started');
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, location);
    } catch (error) {
      const oauthError = error instanceof OAuthError ? error : new ServerError('linkbridge could not start linking', error);
      log.warn({ error: oauthError.error, description: oauthError.description, cause: describeCause(oauthError.internalCause) }, 'authorization request refused');
      res
        .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
        .redirect(
          302,
          alexaRedirect(trusted.redirectUri, deps.config.linkMode, {
            error: oauthError.error,
            error_description: oauthError.description,
            state: trusted.alexaState,
          }),
        );
    }
  };
}

/** Steps that decide whether a redirect back is safe at all. @see RFC 6749 §4.1.2.1, §3.1.2.2 */
function checkClientAndRedirectUri(req: Request, deps: LinkingDeps): TrustedRequest {
  const source = new URL(req.originalUrl, 'http://linkbridge.invalid').searchParams;
  const repeated = repeatedNames(source);
  const params = toParams(source);
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) {
    throw new LinkingPageError('The request is ambiguous', 'The client_id or redirect_uri parameter appears more than once.');
  }
  const clientId = params.get('client_id');
  if (clientId === undefined) {
    throw new LinkingPageError('The request has no client_id', 'The link the Alexa app opened has no client_id parameter.');
  }
  if (clientId !== deps.config.alexa.clientId) {
    throw new LinkingPageError(
      'Unknown client',
      'The client_id in this request is not the one linkbridge is configured with. Check that the Client ID in the skill\'s account linking settings matches ALEXA_CLIENT_ID.',
    );
  }
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === undefined) {
    throw new LinkingPageError('The request has no redirect_uri', 'The link the Alexa app opened has no redirect_uri parameter.');
  }
  if (!deps.config.alexa.redirectUrls.has(redirectUri)) {
    throw new LinkingPageError(
      'Redirect address not allowed',
      `The redirect address in this request is not on linkbridge's allowlist. Add the skill's vendor id to ALEXA_VENDOR_IDS (or the exact URL to ALEXA_REDIRECT_URLS).`,
    );
  }
  return { clientId, redirectUri, alexaState: repeated.includes('state') ? undefined : params.get('state'), params, repeated };
}

/** Steps whose failures are reported to Alexa. @see RFC 6749 §4.1.1, RFC 7636 §4.3 */
function checkAuthorizationRequest(request: TrustedRequest, deps: LinkingDeps): CheckedRequest {
  if (request.repeated.length > 0) throw new InvalidRequestError(`the ${request.repeated[0]} parameter is repeated`);
  const expected = deps.config.linkMode === 'code' ? 'code' : 'token';
  const responseType = request.params.get('response_type');
  if (responseType === undefined) throw new InvalidRequestError('the response_type parameter is missing');
  if (responseType !== expected) {
    throw new UnsupportedResponseTypeError(`this server issues response_type=${expected} (LINK_MODE=${deps.config.linkMode})`);
  }
  return { ...request, codeChallenge: checkCodeChallenge(request.params, deps), scope: request.params.get('scope') };
}

/** RFC 7636 §4.3/§4.4.1: only S256 is accepted; a challenge without a method would mean `plain`. */
function checkCodeChallenge(params: Params, deps: LinkingDeps): string | undefined {
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequestError('code_challenge_method was sent without code_challenge');
    return undefined;
  }
  if (deps.config.linkMode === 'implicit') throw new InvalidRequestError('PKCE applies to the authorization code grant only');
  if (method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256');
  if (!isWellFormedS256Challenge(challenge)) throw new InvalidRequestError('code_challenge is not a base64url SHA-256 value');
  return challenge;
}

/** Seals the flow into the upstream `state` and builds the provider's authorization URL. */
async function sendUpstream(request: CheckedRequest, flowId: string, deps: LinkingDeps): Promise<string> {
  const pkce = deps.upstream.usesPkce;
  const upstreamCodeVerifier = pkce ? createCodeVerifier() : undefined;
  const state = await deps.sealer.seal({
    id: randomUUID(),
    flowId,
    clientId: request.clientId,
    alexaState: request.alexaState ?? '',
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    upstreamCodeVerifier,
    provider: deps.upstream.providerName,
    scope: request.scope,
    expiresAt: epochSeconds(deps.clock) + deps.config.stateTtlSeconds,
  });
  return deps.upstream.authorizationUrl({
    state,
    scope: request.scope,
    codeChallenge: upstreamCodeVerifier === undefined ? undefined : s256Challenge(upstreamCodeVerifier),
  });
}
