import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { epochSeconds } from '../models/clock';
import type { Logger } from '../models/logger';
import { linkingScopes } from '../models/provider-profile';
import { requestQuery } from '../models/request-target';
import { redirectErrorToAlexa, type AlexaTarget } from './alexa-redirect';
import { sendErrorPage } from './error-page';
import { errorOut, InvalidRequestError, LinkingPageError, pageOut, UnsupportedResponseTypeError } from './errors';
import { authorizationRefusedToAlexa, authorizationRefusedWithPage, authorizationRequestReceived, scopeShortfall, sentToProvider, stateStashed } from './flow-log';
import type { LinkingDeps } from './linking-deps';
import { repeatedNames, toParams, type Params } from './params';
import { createCodeVerifier, isWellFormedS256Challenge, s256Challenge } from './pkce';
import { StateHandles } from './sealing';
import { runSteps, type Step } from './steps';
import { requestedScope } from './upstream/authorization-request';
import { urlForLogs } from './upstream/upstream-failures';

/**
 * Longest `state` accepted from Alexa. Alexa's are a few hundred characters; a much longer one is not
 * Alexa's, and sealed into the upstream state it would overflow the provider's (and our) URL limits.
 */
export const MAX_ALEXA_STATE_LENGTH = 2048;

/**
 * One authorization request, as its steps learn it. Each optional field is set by the step named in
 * its comment; a step runs only after the ones before it in {@link AUTHORIZE_STEPS}.
 */
interface AuthorizeFlow {
  readonly deps: LinkingDeps;
  readonly handles: StateHandles;
  readonly flowId: string;
  readonly log: Logger;
  /** The query as sent (for the log), and as parameters each present once, empty ones dropped. */
  readonly query: URLSearchParams;
  readonly params: Params;
  readonly repeated: readonly string[];
  /** `trustClient`: the client, one linkbridge knows. */
  clientId?: string;
  /** `trustRedirectUri`: where Alexa is answered; from then on a refusal goes back there, not to a page. */
  alexa?: AlexaTarget;
  /** `requireState`: Alexa's `state`, returned to it untouched. */
  alexaState?: string;
  /** `checkCodeChallenge`: Alexa's PKCE challenge, when it sent one. */
  codeChallenge?: string;
  /** `sealFlow`: the provider's authorization URL, carrying the sealed flow as its `state`. */
  providerUrl?: string;
}

/**
 * `GET /oauth/authorize`: Alexa's authorization request, as steps that read like RFC 6749 §4.1.1 and
 * §4.1.2.1. Until the client and its redirect URI are trusted a refusal is an error page, never a
 * redirect; after that it goes back to Alexa's `redirect_uri` with Alexa's `state`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 and #section-4.2.1
 */
const AUTHORIZE_STEPS: readonly Step<AuthorizeFlow>[] = [
  trustClient, // §4.1.2.1: an unknown client gets no redirect
  trustRedirectUri, // §3.1.2.2, RFC 9700 §4.1.3: an exact match with the allowlist, or no redirect
  rejectRepeated, // §3.1: no parameter more than once
  requireState, // Alexa always sends one
  boundState,
  checkResponseType, // §4.1.1 / §4.2.1: the one LINK_MODE serves
  checkCodeChallenge, // RFC 7636 §4.3: S256 only
  noteScopeShortfall,
  sealFlow, // RFC 9700 §4.7: the flow, sealed into the provider's `state`
  logSentToProvider,
];

/** `GET /oauth/authorize`: runs {@link AUTHORIZE_STEPS}, then sends the browser to the provider's sign-in. */
export function authorizeRoute(deps: LinkingDeps): RequestHandler {
  const handles = new StateHandles(deps.store);
  return async (req: Request, res: Response) => {
    const flow = startFlow(req, deps, handles);
    authorizationRequestReceived(flow.log, flow.query);
    try {
      await runSteps(flow, AUTHORIZE_STEPS);
    } catch (failure) {
      return refuse(res, flow, failure);
    }
    deps.metrics.authorizationRequest('sent_to_provider');
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, flow.providerUrl!);
  };
}

function startFlow(req: Request, deps: LinkingDeps, handles: StateHandles): AuthorizeFlow {
  const flowId = randomUUID();
  const query = requestQuery(req);
  return { deps, handles, flowId, log: deps.logger.child({ flowId, route: 'authorize' }), query, params: toParams(query), repeated: repeatedNames(query) };
}

/** RFC 6749 §4.1.2.1: back to Alexa once its redirect URI is trusted; an error page before. */
function refuse(res: Response, flow: AuthorizeFlow, failure: unknown): void {
  if (flow.alexa) {
    const out = errorOut(failure);
    authorizationRefusedToAlexa(flow.log, out);
    flow.deps.metrics.authorizationRequest('error_to_alexa');
    return redirectErrorToAlexa(res, flow.alexa, out);
  }
  const page = pageOut(failure);
  // The refused redirect URI holds the vendor id the developer needs (`…/api/skill/link/M3BVP74N95SP1F`).
  authorizationRefusedWithPage(flow.log, page, page.setting === REDIRECT_SETTING ? flow.query.get('redirect_uri') ?? undefined : undefined);
  flow.deps.metrics.authorizationRequest('error_page');
  sendErrorPage(res, page, flow.flowId);
}

const CLIENT_SETTING = 'ALEXA_CLIENT_ID';
const REDIRECT_SETTING = 'ALEXA_VENDOR_IDS or ALEXA_REDIRECT_URLS';
const INCOMPLETE_TITLE = 'This link is incomplete';
const INCOMPLETE_EXPLANATION = 'The page was opened without the details the Alexa app always sends.';

/** RFC 6749 §4.1.2.1: an invalid client gets no redirect. */
function trustClient(flow: AuthorizeFlow): void {
  if (flow.repeated.includes('client_id')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the client_id parameter appears more than once' });
  }
  const clientId = flow.params.get('client_id');
  if (clientId === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the request has no client_id parameter' });
  }
  if (clientId !== flow.deps.config.alexa.clientId) {
    throw new LinkingPageError('This skill is not set up for linking here', 'The Alexa app asked to link with details this service does not recognise.', {
      advice: 'contact',
      setting: CLIENT_SETTING,
      hint: "the client_id is not ALEXA_CLIENT_ID: make the Client ID in the skill's account-linking settings and ALEXA_CLIENT_ID the same (npm run skill:package writes it)",
    });
  }
  flow.clientId = clientId;
}

/** RFC 6749 §3.1.2.2, RFC 9700 §4.1.3: exact match against the allowlist, or no redirect. */
function trustRedirectUri(flow: AuthorizeFlow): void {
  if (flow.repeated.includes('redirect_uri')) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the redirect_uri parameter appears more than once' });
  }
  const redirectUri = flow.params.get('redirect_uri');
  if (redirectUri === undefined) {
    throw new LinkingPageError(INCOMPLETE_TITLE, INCOMPLETE_EXPLANATION, { hint: 'the request has no redirect_uri parameter' });
  }
  if (!flow.deps.config.alexa.redirectUrls.has(redirectUri)) {
    throw new LinkingPageError('This skill cannot send you back to the Alexa app', 'For your safety, this service only sends you back to addresses it knows, and the Alexa app asked for another one.', {
      advice: 'contact',
      setting: REDIRECT_SETTING,
      hint: "the redirect_uri is not on the allowlist: add the skill's vendor id (the last part of the redirect_uri, in upper case) to ALEXA_VENDOR_IDS, or the exact URL to ALEXA_REDIRECT_URLS; the log has the redirect_uri",
    });
  }
  flow.alexa = { redirectUri, mode: flow.deps.config.linkMode, state: stateToEcho(flow) };
}

/** Alexa's state goes back with an error only when it is single and within bounds. */
function stateToEcho(flow: AuthorizeFlow): string | undefined {
  const state = flow.params.get('state');
  return flow.repeated.includes('state') || state === undefined || state.length > MAX_ALEXA_STATE_LENGTH ? undefined : state;
}

/** RFC 6749 §3.1: no parameter more than once. */
function rejectRepeated(flow: AuthorizeFlow): void {
  if (flow.repeated.length > 0) throw new InvalidRequestError(`the ${flow.repeated[0]} parameter is repeated`);
}

/** Alexa always sends `state`; a request without one is not Alexa's. */
function requireState(flow: AuthorizeFlow): void {
  const alexaState = flow.params.get('state');
  if (alexaState === undefined) throw new InvalidRequestError('the state parameter is required');
  flow.alexaState = alexaState;
}

function boundState(flow: AuthorizeFlow): void {
  if (flow.alexaState!.length > MAX_ALEXA_STATE_LENGTH) {
    throw new InvalidRequestError(`the state parameter is longer than ${MAX_ALEXA_STATE_LENGTH} characters`);
  }
}

/**
 * RFC 6749 §4.1.1 / §4.2.1: `code` or `token`, whichever the link mode serves. The description names
 * the response type this server issues, never the setting behind it (the flow log does).
 */
function checkResponseType(flow: AuthorizeFlow): void {
  const expected = flow.deps.config.linkMode === 'code' ? 'code' : 'token';
  const responseType = flow.params.get('response_type');
  if (responseType === undefined) throw new InvalidRequestError('the response_type parameter is missing');
  if (responseType !== expected) throw new UnsupportedResponseTypeError(`this server issues response_type=${expected} only`);
}

/** RFC 7636 §4.3/§4.4.1: only S256 is accepted; a challenge without a method would mean `plain`. */
function checkCodeChallenge(flow: AuthorizeFlow): void {
  const challenge = flow.params.get('code_challenge');
  const method = flow.params.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequestError('code_challenge_method was sent without code_challenge');
    return;
  }
  if (flow.deps.config.linkMode === 'implicit') throw new InvalidRequestError('PKCE applies to the authorization code grant only');
  if (method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256');
  if (!isWellFormedS256Challenge(challenge)) throw new InvalidRequestError('code_challenge is not a base64url SHA-256 value');
  flow.codeChallenge = challenge;
}

/**
 * Where the profile passes Alexa's scope on, a skill whose account-linking settings list fewer scopes
 * than linkbridge asks for when Alexa sends none gets fewer from the provider: said in the flow log,
 * with the fix. The request goes on; the provider may still grant what the account API needs.
 */
function noteScopeShortfall(flow: AuthorizeFlow): void {
  const { profile } = flow.deps.upstream;
  const { scope: rule } = profile;
  const scopeFromAlexa = flow.params.get('scope');
  if (rule.alexa !== 'pass' || scopeFromAlexa === undefined) return;
  // The scope linkbridge needs: the one value it asks for when Alexa sends none, and skill:package lists.
  const needed = linkingScopes(profile);
  const asked = new Set(scopesIn(requestedScope(rule, scopeFromAlexa)));
  const missingScopes = needed.filter((scope) => !asked.has(scope));
  if (missingScopes.length > 0) scopeShortfall(flow.log, { scopeFromAlexa, missingScopes });
}

function scopesIn(scope: string | undefined): string[] {
  return (scope ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Seals the flow into the upstream `state` (stashed behind a short handle when the provider keeps
 * less) and builds the provider's authorization URL.
 */
async function sealFlow(flow: AuthorizeFlow): Promise<void> {
  const { deps } = flow;
  const upstreamCodeVerifier = deps.upstream.usesPkce ? createCodeVerifier() : undefined;
  const expiresAt = epochSeconds(deps.clock) + deps.config.stateTtlSeconds;
  const scope = flow.params.get('scope');
  const sealed = await deps.sealer.seal({
    id: randomUUID(),
    flowId: flow.flowId,
    clientId: flow.clientId!,
    alexaState: flow.alexaState!,
    redirectUri: flow.alexa!.redirectUri,
    codeChallenge: flow.codeChallenge,
    upstreamCodeVerifier,
    provider: deps.upstream.providerName,
    scope,
    expiresAt,
  });
  const maxStateLength = deps.upstream.profile.authorization.maxStateLength;
  let state = sealed;
  if (maxStateLength !== undefined && sealed.length > maxStateLength) {
    state = await flow.handles.stash(sealed, expiresAt);
    stateStashed(flow.log, { sealedLength: sealed.length, maxStateLength });
  }
  flow.providerUrl = deps.upstream.authorizationUrl({
    state,
    scope,
    codeChallenge: upstreamCodeVerifier === undefined ? undefined : s256Challenge(upstreamCodeVerifier),
  });
}

function logSentToProvider(flow: AuthorizeFlow): void {
  const { upstream } = flow.deps;
  sentToProvider(flow.log, {
    provider: upstream.providerName,
    authorizationUrl: urlForLogs(upstream.profile.authorization.url),
    scopeFromAlexa: flow.params.get('scope'),
    pkceToProvider: upstream.usesPkce,
    pkceFromAlexa: flow.codeChallenge !== undefined,
  });
}
