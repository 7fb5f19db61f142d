import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { redirectErrorToAlexa, redirectResultToAlexa, type AlexaTarget } from './alexa-redirect';
import { sendErrorPage, toLinkingPage } from './error-page';
import { AccessDeniedError, asOAuthError, describeCause, LinkingPageError, OAuthError, ServerError } from './errors';
import { IssuedCodes } from './issued-code';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { StateHandles, type LinkingState } from './sealing';
import { toOAuthError } from './upstream-errors';

/** Upstream error codes passed on to Alexa as they are; anything else becomes `server_error`. */
const RELAYED_UPSTREAM_ERRORS = new Set(['access_denied', 'invalid_scope', 'server_error', 'temporarily_unavailable']);

/** The provider's answer, read once. */
interface CallbackQuery {
  readonly params: Params;
  readonly repeated: readonly string[];
}

/**
 * `GET /oauth/callback`: the provider sends the user back. A pipeline of small steps:
 *   readQuery → requireState → redeemHandle → unseal → checkProvider → claimOnce
 *                                                   (failures: an error page, the state cannot be trusted)
 *   → relayProviderError → treatMissingCode → issueCode (code mode) | exchangeForImplicit (implicit mode)
 *                                                   (failures: back to Alexa with its state)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function callbackRoute(deps: LinkingDeps): RequestHandler {
  const codes = new IssuedCodes(deps.store);
  const handles = new StateHandles(deps.store);
  return async (req: Request, res: Response) => {
    const query = readQuery(req);
    let flow: LinkingState;
    try {
      flow = await claimOnce(checkProvider(await unseal(await redeemHandle(requireState(query), handles), deps), deps), deps);
    } catch (error) {
      const reference = randomUUID();
      const page = toLinkingPage(error);
      deps.logger.warn({ reference, route: 'callback', reason: page.title, cause: describeCause(page.internalCause) }, 'callback refused with an error page');
      return sendErrorPage(res, page, reference);
    }

    const log = deps.logger.child({ flowId: flow.flowId, route: 'callback' });
    const target: AlexaTarget = { redirectUri: flow.redirectUri, mode: deps.config.linkMode, state: flow.alexaState };
    try {
      relayProviderError(query, log);
      const upstreamCode = treatMissingCode(query, deps);
      const result = deps.config.linkMode === 'code' ? await issueCode(upstreamCode, flow, deps, codes, log) : await exchangeForImplicit(upstreamCode, flow, deps, log);
      redirectResultToAlexa(res, target, result);
    } catch (error) {
      const oauthError = asOAuthError(error, 'linkbridge could not finish linking');
      log.warn({ error: oauthError.error, cause: describeCause(oauthError.internalCause) }, 'linking failed; told Alexa');
      redirectErrorToAlexa(res, target, oauthError);
    }
  };
}

function readQuery(req: Request): CallbackQuery {
  const source = new URL(req.originalUrl, 'http://linkbridge.invalid').searchParams;
  return { params: toParams(source), repeated: repeatedNames(source) };
}

function requireState(query: CallbackQuery): string {
  if (query.repeated.includes('state')) throw new LinkingPageError('The sign-in answer is ambiguous', 'The state parameter appears more than once.');
  const state = query.params.get('state');
  if (state === undefined) {
    throw new LinkingPageError('The sign-in answer has no state', 'The account provider sent the browser back without the state linkbridge gave it.');
  }
  return state;
}

/** A short handle (for providers that keep only a short state) stands for a sealed state in the store, once. */
async function redeemHandle(state: string, handles: StateHandles): Promise<string> {
  if (!StateHandles.isHandle(state)) return state;
  const sealed = await handles.redeem(state);
  if (sealed === undefined) {
    throw new LinkingPageError('This sign-in link was already used', 'Each sign-in can finish linking once, within ten minutes. This one already has, or took too long.');
  }
  return sealed;
}

function unseal(sealed: string, deps: LinkingDeps): Promise<LinkingState> {
  return deps.sealer.unseal(sealed);
}

/** RFC 9700 §4.4: a state made for another provider is a mix-up. */
function checkProvider(flow: LinkingState, deps: LinkingDeps): LinkingState {
  if (flow.provider !== deps.upstream.providerName) {
    throw new LinkingPageError('The sign-in answer came from the wrong provider', 'This linking flow was started with another account provider.', 400);
  }
  return flow;
}

/** RFC 9700 §4.7: single use; the mark lives as long as the state could still be accepted. */
async function claimOnce(flow: LinkingState, deps: LinkingDeps): Promise<LinkingState> {
  const fresh = await deps.store.claim(`state:${flow.id}`, flow.expiresAt * 1000);
  if (!fresh) throw new LinkingPageError('This sign-in link was already used', 'Each sign-in can finish linking once. This one already has.');
  return flow;
}

/** RFC 6749 §4.1.2.1: the provider's own error goes to Alexa, as itself when Alexa knows it. */
function relayProviderError(query: CallbackQuery, log: Logger): void {
  const upstreamError = query.params.get('error');
  if (upstreamError === undefined) return;
  log.info({ upstreamError: upstreamError.slice(0, 64) }, 'the provider returned an error; relaying it to Alexa');
  const error = RELAYED_UPSTREAM_ERRORS.has(upstreamError) ? upstreamError : 'server_error';
  throw new RelayedError(error, `The account provider answered ${error}.`);
}

/** No code and no error: a denial where the profile says so (WeChat), otherwise a provider fault. */
function treatMissingCode(query: CallbackQuery, deps: LinkingDeps): string {
  const code = query.params.get('code');
  if (code !== undefined) return code;
  if (deps.upstream.profile.authorization.missingCode === 'access_denied') {
    throw new AccessDeniedError('The user did not allow access at the account provider.');
  }
  throw new ServerError('the account provider returned no authorization code');
}

/** Code mode: linkbridge's own code, bound to Alexa's client, redirect URI and PKCE challenge. @see RFC 6749 §4.1.2 */
async function issueCode(upstreamCode: string, flow: LinkingState, deps: LinkingDeps, codes: IssuedCodes, log: Logger): Promise<Record<string, string>> {
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
  return { code };
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

/** An error the provider sent, relayed with its own RFC 6749 code. */
class RelayedError extends OAuthError {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}
