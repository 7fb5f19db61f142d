import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { alexaRedirect } from './alexa-redirect';
import { sendErrorPage } from './error-page';
import { describeCause, LinkingPageError, OAuthError, ServerError } from './errors';
import { IssuedCodes } from './issued-code';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { StateRejectedError, type LinkingState } from './sealing';
import { toOAuthError } from './upstream-errors';

/** Upstream error codes passed on to Alexa as they are; anything else becomes `server_error`. */
const RELAYED_UPSTREAM_ERRORS = new Set([
  'access_denied',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * `GET /oauth/callback`: the provider sends the user back. Unseals and checks the state (single use,
 * bound to this provider), then answers Alexa: with linkbridge's own code (code mode), or with the
 * token in the fragment after exchanging the code here (implicit mode).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function callbackRoute(deps: LinkingDeps): RequestHandler {
  const codes = new IssuedCodes(deps.store);
  return async (req: Request, res: Response) => {
    const source = new URL(req.originalUrl, 'http://linkbridge.invalid').searchParams;
    const params = toParams(source);
    let flow: LinkingState;
    try {
      flow = await openState(source, params, deps);
    } catch (error) {
      const reference = randomUUID();
      const page = toPage(error);
      deps.logger.warn({ reference, route: 'callback', reason: page.title, cause: describeCause(page.internalCause) }, 'callback refused with an error page');
      return sendErrorPage(res, page, reference);
    }

    const log = deps.logger.child({ flowId: flow.flowId, route: 'callback' });
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const answer = (answerParams: Record<string, string | undefined>) =>
      res.redirect(302, alexaRedirect(flow.redirectUri, deps.config.linkMode, { ...answerParams, state: flow.alexaState }));

    try {
      const upstreamError = params.get('error');
      if (upstreamError !== undefined) {
        log.info({ upstreamError: upstreamError.slice(0, 64) }, 'the provider returned an error; relaying it to Alexa');
        const error = RELAYED_UPSTREAM_ERRORS.has(upstreamError) ? upstreamError : 'server_error';
        return answer({ error, error_description: `The account provider answered ${error}.` });
      }
      const upstreamCode = params.get('code');
      if (upstreamCode === undefined) throw new ServerError('the account provider returned no authorization code');

      if (deps.config.linkMode === 'code') {
        const expiresAt = deps.clock.now() + deps.config.codeTtlSeconds * 1000;
        const code = await codes.issue(
          {
            flowId: flow.flowId,
            clientId: flow.clientId,
            redirectUri: flow.redirectUri,
            codeChallenge: flow.codeChallenge,
            upstreamCode,
            upstreamCodeVerifier: flow.upstreamCodeVerifier,
          },
          expiresAt,
        );
        log.info('authorization code issued to Alexa');
        return answer({ code });
      }
      return answer(await exchangeForImplicit(upstreamCode, flow, deps, log));
    } catch (error) {
      const oauthError = error instanceof OAuthError ? error : new ServerError('linkbridge could not finish linking', error);
      log.warn({ error: oauthError.error, cause: describeCause(oauthError.internalCause) }, 'linking failed; told Alexa');
      return answer({ error: oauthError.error, error_description: oauthError.description });
    }
  };
}

/** Steps that make the state trustworthy: present once, unsealed, for this provider, not replayed. */
async function openState(source: URLSearchParams, params: Params, deps: LinkingDeps): Promise<LinkingState> {
  if (repeatedNames(source).includes('state')) throw new LinkingPageError('The sign-in answer is ambiguous', 'The state parameter appears more than once.');
  const sealed = params.get('state');
  if (sealed === undefined) {
    throw new LinkingPageError('The sign-in answer has no state', 'The account provider sent the browser back without the state linkbridge gave it.');
  }
  const flow = await deps.sealer.unseal(sealed);
  if (flow.provider !== deps.upstream.providerName) {
    throw new LinkingPageError('The sign-in answer came from the wrong provider', 'This linking flow was started with another account provider.', 400);
  }
  // The mark lives as long as the state could still be accepted.
  const fresh = await deps.store.claim(`state:${flow.id}`, flow.expiresAt * 1000);
  if (!fresh) throw new LinkingPageError('This sign-in link was already used', 'Each sign-in can finish linking once. This one already has.');
  return flow;
}

/** Implicit mode: exchange the code now and hand Alexa the access token in the fragment. @see RFC 6749 §4.2.2 */
async function exchangeForImplicit(upstreamCode: string, flow: LinkingState, deps: LinkingDeps, log: Logger): Promise<Record<string, string>> {
  try {
    const tokens = await deps.upstream.exchangeCode(upstreamCode, flow.upstreamCodeVerifier);
    log.info('token handed to Alexa in the fragment');
    return { access_token: tokens.accessToken, token_type: 'Bearer' };
  } catch (error) {
    throw toOAuthError(error, log);
  }
}

function toPage(error: unknown): LinkingPageError {
  if (error instanceof LinkingPageError) return error;
  if (error instanceof StateRejectedError) {
    return error.reason === 'expired'
      ? new LinkingPageError('This sign-in took too long', 'The linking flow expired before the account provider sent you back.', 400, error)
      : new LinkingPageError('This sign-in answer cannot be trusted', 'The state the account provider sent back was altered or was not made by this server.', 400, error);
  }
  return new LinkingPageError('Something went wrong', 'linkbridge could not finish this sign-in.', 500, error);
}
