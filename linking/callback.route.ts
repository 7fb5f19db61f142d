import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { requestQuery } from '../models/request-target';
import { redirectErrorToAlexa, redirectResultToAlexa, type AlexaTarget } from './alexa-redirect';
import { sendErrorPage, toLinkingPage } from './error-page';
import { AccessDeniedError, asOAuthError, describeCause, LinkingPageError, OAuthError, ServerError } from './errors';
import { IssuedCodes } from './issued-code';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { StateHandles, type LinkingState } from './sealing';
import { upstreamFailureToOAuthError } from './upstream-errors';

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
 *                                                   (failures: back to Alexa with its state, as an error:
 *                                                    never a code for a sign-in that already failed)
 * Each step the flow passes is one log line with the flow's id; a refused callback is logged under
 * its flow's id whenever the state still says which flow it was (a replay included).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function callbackRoute(deps: LinkingDeps): RequestHandler {
  const codes = new IssuedCodes(deps.store);
  const handles = new StateHandles(deps.store);
  return async (req: Request, res: Response) => {
    const query = readQuery(req);
    const known: KnownFlow = {};
    let flow: LinkingState;
    try {
      const state = requireState(query);
      const sealed = await redeemHandle(state, handles, known);
      flow = await unseal(sealed, deps, known);
      if (StateHandles.isHandle(state)) await handles.markSpent(state, flow.flowId, flow.expiresAt);
      flow = await claimOnce(checkProvider(flow, deps), deps);
    } catch (error) {
      const reference = known.flowId ?? randomUUID();
      const page = toLinkingPage(error);
      const facts = { route: 'callback', reason: page.title, check: page.setting ?? 'nothing to set', hint: page.hint, cause: describeCause(page.internalCause) };
      deps.logger.warn(known.flowId ? { flowId: known.flowId, ...facts } : { reference, ...facts }, 'callback refused with an error page');
      return sendErrorPage(res, page, reference);
    }

    const log = deps.logger.child({ flowId: flow.flowId, route: 'callback' });
    log.info(
      { hasCode: query.params.has('code'), providerError: query.params.get('error')?.slice(0, 64) ?? null, secondsSinceAuthorize: secondsSince(flow, deps) },
      'callback received from the provider',
    );
    const target: AlexaTarget = { redirectUri: flow.redirectUri, mode: deps.config.linkMode, state: flow.alexaState };
    try {
      relayProviderError(query, log);
      const upstreamCode = treatMissingCode(query, deps);
      const result = deps.config.linkMode === 'code' ? await issueCode(upstreamCode, flow, deps, codes, log) : await exchangeForImplicit(upstreamCode, flow, deps, log);
      redirectResultToAlexa(res, target, result);
    } catch (error) {
      const oauthError = asOAuthError(error, 'linkbridge could not finish linking');
      log.warn(
        { error: oauthError.error, redirectUri: flow.redirectUri, check: settingAfterSignIn(oauthError), cause: describeCause(oauthError.internalCause) },
        `linking failed; answer to Alexa: the user is sent back with error=${oauthError.error}`,
      );
      redirectErrorToAlexa(res, target, oauthError);
    }
  };
}

/** What the callback learned about the flow before it refused it. */
interface KnownFlow {
  flowId?: string;
}

/** The sealed state's lifetime is fixed, so its expiry tells when the flow began. */
function secondsSince(flow: LinkingState, deps: LinkingDeps): number {
  return Math.max(0, Math.round(deps.clock.now() / 1000 - (flow.expiresAt - deps.config.stateTtlSeconds)));
}

/** The setting to check when linking fails after the provider's sign-in. */
function settingAfterSignIn(error: OAuthError): string {
  if (error instanceof RelayedError) {
    return error.error === 'access_denied'
      ? 'none if the user refused; otherwise the client registration at the provider (allowed scopes, redirect URI PUBLIC_URL/oauth/callback, test users)'
      : error.error === 'invalid_scope'
        ? 'UPSTREAM_SCOPE: the provider does not grant one of the scopes asked for'
        : "the provider's status, and the client registration at the provider";
  }
  if (error instanceof MissingCodeError) return "UPSTREAM_PRESET (the provider's callback did not carry a code)";
  if (error instanceof AccessDeniedError) return 'none: the user refused at the provider';
  return 'STORE_URL (the code could not be stored), or the failed provider call above';
}

function readQuery(req: Request): CallbackQuery {
  const source = requestQuery(req);
  return { params: toParams(source), repeated: repeatedNames(source) };
}

function requireState(query: CallbackQuery): string {
  if (query.repeated.includes('state')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the state parameter appears more than once in the callback' });
  }
  const state = query.params.get('state');
  if (state === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, {
      hint: "the provider's callback has no state parameter: the provider dropped it (see maxStateLength in the profile), or the callback URL was opened by hand",
    });
  }
  return state;
}

const INCOMPLETE_TITLE = 'The sign-in answer is incomplete';
const INCOMPLETE_EXPLANATION = 'The sign-in page sent you back without the details needed to finish linking.';

/**
 * A short handle (for providers that keep only a short state) stands for a sealed state in the store,
 * once. A replayed handle is refused under the flow that spent it, when that is still remembered.
 */
async function redeemHandle(state: string, handles: StateHandles, known: KnownFlow): Promise<string> {
  if (!StateHandles.isHandle(state)) return state;
  const sealed = await handles.redeem(state);
  if (sealed === undefined) {
    known.flowId = await handles.spentBy(state);
    throw new LinkingPageError(ALREADY_USED_TITLE, 'Each sign-in can finish linking once, within ten minutes. This one already has, or took too long.', {
      hint: known.flowId ? 'the provider sent this answer twice (a reload or a double submit)' : 'the state handle is unknown: already used, or more than ten minutes old',
    });
  }
  return sealed;
}

async function unseal(sealed: string, deps: LinkingDeps, known: KnownFlow): Promise<LinkingState> {
  const flow = await deps.sealer.unseal(sealed);
  known.flowId = flow.flowId;
  return flow;
}

/** RFC 9700 §4.4: a state made for another provider is a mix-up. */
function checkProvider(flow: LinkingState, deps: LinkingDeps): LinkingState {
  if (flow.provider !== deps.upstream.providerName) {
    throw new LinkingPageError('This sign-in came back from the wrong place', 'Linking was started with another sign-in service than the one that sent you here, so it was stopped for your safety.', {
      setting: 'UPSTREAM_PRESET',
      hint: `the flow was started for the provider "${flow.provider.slice(0, 40)}", this server is configured for "${deps.upstream.providerName}": the provider changed, or instances behind one address are configured differently`,
    });
  }
  return flow;
}

/** RFC 9700 §4.7: single use; the mark lives as long as the state could still be accepted. */
async function claimOnce(flow: LinkingState, deps: LinkingDeps): Promise<LinkingState> {
  const fresh = await deps.store.claim(`state:${flow.id}`, flow.expiresAt * 1000);
  if (!fresh) {
    throw new LinkingPageError(ALREADY_USED_TITLE, 'Each sign-in can finish linking once. This one already has, perhaps because the page was reloaded or opened twice.', {
      hint: 'the provider sent this answer twice (a reload or a double submit)',
    });
  }
  return flow;
}

const ALREADY_USED_TITLE = 'This sign-in link was already used';

/** RFC 6749 §4.1.2.1: the provider's own error goes to Alexa, as itself when Alexa knows it. */
function relayProviderError(query: CallbackQuery, log: Logger): void {
  const upstreamError = query.params.get('error');
  if (upstreamError === undefined) return;
  log.info({ upstreamError: upstreamError.slice(0, 64) }, 'the provider returned an error instead of a code');
  const error = RELAYED_UPSTREAM_ERRORS.has(upstreamError) ? upstreamError : 'server_error';
  throw new RelayedError(error, `The account provider answered ${error}.`);
}

/**
 * No code and no error: a denial where the profile says so (WeChat), otherwise a provider fault. An
 * empty or repeated code is no usable code either: Alexa hears of the failure now, not at its token call.
 */
function treatMissingCode(query: CallbackQuery, deps: LinkingDeps): string {
  const code = query.params.get('code');
  if (query.repeated.includes('code')) throw new MissingCodeError('the account provider returned the code parameter more than once');
  if (code !== undefined && code !== '') return code;
  if (code === undefined && deps.upstream.profile.authorization.missingCode === 'access_denied') {
    throw new AccessDeniedError('The user did not allow access at the account provider.');
  }
  throw new MissingCodeError('the account provider returned no authorization code');
}

/** The provider's callback carried no usable code. */
class MissingCodeError extends ServerError {}

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
  log.info({ answer: 'code' }, 'answer to Alexa: the user is sent back with linkbridge\'s code');
  return { code };
}

/** Implicit mode: exchange the code now and hand Alexa the access token in the fragment. @see RFC 6749 §4.2.2 */
async function exchangeForImplicit(upstreamCode: string, flow: LinkingState, deps: LinkingDeps, log: Logger): Promise<Record<string, string>> {
  try {
    const tokens = await deps.upstream.exchangeCode(upstreamCode, flow.upstreamCodeVerifier, {
      observe: (call) => log.info({ upstreamUrl: call.url, upstreamStatus: call.status, durationMs: call.durationMs }, 'provider token call answered with tokens'),
    });
    log.info({ answer: 'access_token' }, 'answer to Alexa: the user is sent back with the access token in the fragment');
    return { access_token: tokens.accessToken, token_type: 'Bearer' };
  } catch (error) {
    throw upstreamFailureToOAuthError(error, log);
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
