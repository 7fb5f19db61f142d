import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../models/logger';
import { oauthOutcome } from '../models/metrics';
import { requestQuery } from '../models/request-target';
import { redirectErrorToAlexa, redirectResultToAlexa, type AlexaTarget } from './alexa-redirect';
import { sendErrorPage, stateRejectedPage } from './error-page';
import { AccessDeniedError, errorOut, InvalidScopeError, LinkingPageError, pageOut, ServerError, TemporarilyUnavailableError, type OAuthError } from './errors';
import { callbackReceived, callbackRefusedWithPage, codeSentToAlexa, linkingFailed, providerCallAnswered, providerCallFailed, providerErrorInCallback, tokenSentToAlexa } from './flow-log';
import { IssuedCodes } from './issued-code';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { StateHandles, StateRejectedError, type LinkingState } from './sealing';
import { runSteps, type Step } from './steps';
import { isProviderFailure } from './upstream-errors';
import { CallbackWithoutCode } from './upstream/upstream-failures';
import { vaultOf } from './vault/vault';

/**
 * One callback from the provider, as its steps learn it. Each optional field is set by the step named
 * in its comment; a step runs only after the ones before it.
 */
interface CallbackFlow {
  readonly deps: LinkingDeps;
  readonly codes: IssuedCodes;
  readonly handles: StateHandles;
  /** The provider's answer, as parameters each present once (empty ones dropped). */
  readonly params: Params;
  readonly repeated: readonly string[];
  /** `requireState`: the provider's `state`, a sealed state or a short handle to one. */
  state?: string;
  /** `redeemHandle`: the sealed state. */
  sealed?: string;
  /**
   * `redeemHandle` (a replayed handle) or `unseal`: the flow's id, as soon as the state tells it, so a
   * refused callback is logged, and its page referenced, under its flow.
   */
  flowId?: string;
  /** `unseal`: the flow as authorize sealed it. */
  linking?: LinkingState;
  /** `acceptForAlexa`: the flow's log, and where Alexa is answered; from then on a refusal goes back there. */
  log?: Logger;
  alexa?: AlexaTarget;
  /** `requireCode`: the provider's authorization code. */
  upstreamCode?: string;
  /** `issueCode` or `exchangeForImplicit`: what Alexa gets, with its state. */
  result?: Record<string, string>;
}

/**
 * `GET /oauth/callback`: the provider sends the user back, as steps that read like RFC 6749 §4.1.2.
 * Until the state is unsealed, checked and claimed a refusal is an error page (the state cannot be
 * trusted to say where to go); after that it goes back to Alexa with its state, as an error: never a
 * code for a sign-in that already failed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
function callbackSteps(mode: 'code' | 'implicit'): readonly Step<CallbackFlow>[] {
  return [
    requireState,
    redeemHandle, // a short handle stands for a sealed state in the store, once
    unseal, // RFC 9700 §4.7: sealed by this service, unexpired
    spendHandle,
    checkProvider, // RFC 9700 §4.4: no mix-up
    claimOnce, // RFC 9700 §4.7: single use
    acceptForAlexa,
    relayProviderError, // §4.1.2.1: the provider's own error goes to Alexa
    requireCode,
    mode === 'code' ? issueCode : exchangeForImplicit, // §4.1.2 | §4.2.2
  ];
}

/** `GET /oauth/callback`: runs {@link callbackSteps} for the link mode, then sends the browser back to Alexa. */
export function callbackRoute(deps: LinkingDeps): RequestHandler {
  const codes = new IssuedCodes(deps.store);
  const handles = new StateHandles(deps.store);
  const steps = callbackSteps(deps.config.linkMode);
  return async (req: Request, res: Response) => {
    const query = requestQuery(req);
    const flow: CallbackFlow = { deps, codes, handles, params: toParams(query), repeated: repeatedNames(query) };
    try {
      await runSteps(flow, steps);
    } catch (failure) {
      return refuse(res, flow, failure);
    }
    deps.metrics.callback(deps.config.linkMode === 'code' ? 'code' : 'access_token');
    redirectResultToAlexa(res, flow.alexa!, flow.result!);
  };
}

/** Back to Alexa once the flow is claimed; an error page before, under the flow's id when it is known. */
function refuse(res: Response, flow: CallbackFlow, failure: unknown): void {
  if (flow.alexa) {
    const out = errorOut(failure);
    if (isProviderFailure(failure)) providerCallFailed(flow.log!, failure, out.error);
    linkingFailed(flow.log!, out, flow.alexa.redirectUri);
    flow.deps.metrics.callback(oauthOutcome(out.error.error));
    return redirectErrorToAlexa(res, flow.alexa, out);
  }
  const page = pageOut(failure);
  const reference = flow.flowId ?? randomUUID();
  callbackRefusedWithPage(flow.deps.logger, page, flow.flowId ? { flowId: flow.flowId } : { reference });
  flow.deps.metrics.callback('error_page');
  sendErrorPage(res, page, reference);
}

const INCOMPLETE_TITLE = 'The sign-in answer is incomplete';
const INCOMPLETE_EXPLANATION = 'The sign-in page sent you back without the details needed to finish linking.';
const ALREADY_USED_TITLE = 'This sign-in link was already used';

function requireState(flow: CallbackFlow): void {
  if (flow.repeated.includes('state')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the state parameter appears more than once in the callback' });
  }
  const state = flow.params.get('state');
  if (state === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, {
      hint: "the provider's callback has no state parameter: the provider dropped it (see maxStateLength in the profile), or the callback URL was opened by hand",
    });
  }
  flow.state = state;
}

/**
 * A short handle (for providers that keep only a short state) stands for a sealed state in the store,
 * once. A replayed handle is refused under the flow that spent it, when that is still remembered.
 */
async function redeemHandle(flow: CallbackFlow): Promise<void> {
  const state = flow.state!;
  if (!StateHandles.isHandle(state)) {
    flow.sealed = state;
    return;
  }
  const sealed = await flow.handles.redeem(state);
  if (sealed === undefined) {
    flow.flowId = await flow.handles.spentBy(state);
    throw new LinkingPageError(ALREADY_USED_TITLE, 'Each sign-in can finish linking once, within ten minutes. This one already has, or took too long.', {
      hint: flow.flowId ? 'the provider sent this answer twice (a reload or a double submit)' : 'the state handle is unknown: already used, or more than ten minutes old',
    });
  }
  flow.sealed = sealed;
}

/** A state that cannot be trusted gets a page that says why (expired, a restart, another key, altered). */
async function unseal(flow: CallbackFlow): Promise<void> {
  try {
    flow.linking = await flow.deps.sealer.unseal(flow.sealed!);
  } catch (failure) {
    throw failure instanceof StateRejectedError ? stateRejectedPage(failure) : failure;
  }
  flow.flowId = flow.linking.flowId;
}

/** A redeemed handle is remembered as spent by its flow, so a replay is refused under that flow. */
async function spendHandle(flow: CallbackFlow): Promise<void> {
  if (StateHandles.isHandle(flow.state!)) await flow.handles.markSpent(flow.state!, flow.linking!.flowId, flow.linking!.expiresAt);
}

/** RFC 9700 §4.4: a state made for another provider is a mix-up. */
function checkProvider(flow: CallbackFlow): void {
  const { provider } = flow.linking!;
  const configured = flow.deps.upstream.providerName;
  if (provider !== configured) {
    throw new LinkingPageError('This sign-in came back from the wrong place', 'Linking was started with another sign-in service than the one that sent you here, so it was stopped for your safety.', {
      setting: 'UPSTREAM_PRESET',
      hint: `the flow was started for the provider "${provider.slice(0, 40)}", this server is configured for "${configured}": the provider changed, or instances behind one address are configured differently`,
    });
  }
}

/** RFC 9700 §4.7: single use; the mark lives as long as the state could still be accepted. */
async function claimOnce(flow: CallbackFlow): Promise<void> {
  const { id, expiresAt } = flow.linking!;
  if (!(await flow.deps.store.claim(`state:${id}`, expiresAt * 1000))) {
    throw new LinkingPageError(ALREADY_USED_TITLE, 'Each sign-in can finish linking once. This one already has, perhaps because the page was reloaded or opened twice.', {
      hint: 'the provider sent this answer twice (a reload or a double submit)',
    });
  }
}

/** The flow is this callback's alone now: from here on Alexa is answered, and the flow log says so. */
function acceptForAlexa(flow: CallbackFlow): void {
  const { deps } = flow;
  const linking = flow.linking!;
  flow.log = deps.logger.child({ flowId: linking.flowId, route: 'callback' });
  flow.alexa = { redirectUri: linking.redirectUri, mode: deps.config.linkMode, state: linking.alexaState };
  // The sealed state's lifetime is fixed, so its expiry tells when the flow began.
  const secondsSinceAuthorize = Math.max(0, Math.round(deps.clock.now() / 1000 - (linking.expiresAt - deps.config.stateTtlSeconds)));
  callbackReceived(flow.log, { hasCode: flow.params.has('code'), providerError: flow.params.get('error'), secondsSinceAuthorize });
}

/**
 * RFC 6749 §4.1.2.1: the provider's own error goes to Alexa as itself when it is one Alexa should hear
 * of as such (the user refused, a scope, a passing failure); any other is `server_error`.
 */
function relayProviderError(flow: CallbackFlow): void {
  const providerError = flow.params.get('error');
  if (providerError === undefined) return;
  providerErrorInCallback(flow.log!, providerError);
  throw relayed(new CallbackWithoutCode(providerError.slice(0, 64), 'the provider returned an error instead of a code'));
}

function relayed(cause: CallbackWithoutCode): OAuthError {
  switch (cause.providerError) {
    case 'access_denied':
      return new AccessDeniedError('The account provider answered access_denied.', cause);
    case 'invalid_scope':
      return new InvalidScopeError('The account provider answered invalid_scope.', cause);
    case 'temporarily_unavailable':
      return new TemporarilyUnavailableError('The account provider answered temporarily_unavailable.', cause);
    default:
      return new ServerError('The account provider answered server_error.', cause);
  }
}

/**
 * No code and no error: a denial where the profile says so (WeChat), otherwise a provider fault. An
 * empty or repeated code is no usable code either: Alexa hears of the failure now, not at its token call.
 */
function requireCode(flow: CallbackFlow): void {
  const code = flow.params.get('code');
  if (flow.repeated.includes('code')) {
    throw new ServerError('the account provider returned the code parameter more than once', new CallbackWithoutCode(undefined, 'a repeated code'));
  }
  if (code !== undefined && code !== '') {
    flow.upstreamCode = code;
    return;
  }
  if (code === undefined && flow.deps.upstream.profile.authorization.missingCode === 'access_denied') {
    throw new AccessDeniedError('The user did not allow access at the account provider.');
  }
  throw new ServerError('the account provider returned no authorization code', new CallbackWithoutCode(undefined, 'no code'));
}

/** Code mode: linkbridge's own code, bound to Alexa's client, redirect URI and PKCE challenge. @see RFC 6749 §4.1.2 */
async function issueCode(flow: CallbackFlow): Promise<void> {
  const { deps } = flow;
  const linking = flow.linking!;
  const expiresAt = deps.clock.now() + deps.config.codeTtlSeconds * 1000;
  const code = await flow.codes.issue(
    {
      flowId: linking.flowId,
      clientId: linking.clientId,
      redirectUri: linking.redirectUri,
      codeChallenge: linking.codeChallenge,
      upstreamCode: flow.upstreamCode!,
      upstreamCodeVerifier: linking.upstreamCodeVerifier,
    },
    expiresAt,
  );
  codeSentToAlexa(flow.log!);
  flow.result = { code };
}

/**
 * Implicit mode: exchange the code now and hand Alexa the access token in the fragment: the provider's
 * (relay custody), or linkbridge's own for a new link that keeps the provider's grant (vault custody).
 * @see RFC 6749 §4.2.2
 */
async function exchangeForImplicit(flow: CallbackFlow): Promise<void> {
  const { deps } = flow;
  const log = flow.log!;
  const tokens = await deps.upstream.exchangeCode(flow.upstreamCode!, flow.linking!.upstreamCodeVerifier, {
    observe: (call) => providerCallAnswered(log, call),
  });
  let accessToken = tokens.accessToken;
  if (deps.config.tokenCustody === 'vault') {
    const vault = vaultOf(deps);
    accessToken = (await vault.issueImplicitToken(await vault.keep(tokens, 'implicit', log))).access_token;
  }
  tokenSentToAlexa(log);
  flow.result = { access_token: accessToken, token_type: 'Bearer' };
}
