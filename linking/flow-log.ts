import type { Logger } from '../models/logger';
import { describeCause } from '../models/logger';
import { AccessDeniedError, InvalidClientError, InvalidScopeError, ServerError, UnsupportedResponseTypeError, type ErrorOut, type LinkingPageError, type OAuthError } from './errors';
import { isCredentialsRefusal, judge, PROVIDER_CREDENTIALS_SETTING, whatToCheck, type ProviderFailure } from './upstream-errors';
import { CallbackWithoutCode, UpstreamRejectedError, type UpstreamCall } from './upstream/upstream-failures';

/**
 * The flow log: one JSON line per step of a linking flow, each with the flow's id (`flowId`, the
 * reference on its error pages), so a developer can follow one user's attempt from the Alexa app to
 * Alexa's answer; every refusal says what to check (`check`), and a page's `reason` and `hint`. The
 * routes write every line about a flow through here: the messages and fields are the ones documented in
 * docs/troubleshooting.md ("The flow log"). Lines carry facts chosen one by one, never a code, a token,
 * a state or a secret.
 */

/** Longest value of a parameter put in the log (a redirect URI is far shorter). */
const MAX_LOGGED_PARAMETER = 300;

/** When a refusal is not caused by a setting. */
const NOTHING_TO_SET = 'nothing to set: the request was not one the Alexa app sends';

// The authorization request (GET /oauth/authorize).

/** The first line of a flow: what Alexa asked for, without state or challenge values. */
export function authorizationRequestReceived(log: Logger, query: URLSearchParams): void {
  log.info(
    {
      responseType: query.get('response_type')?.slice(0, 20) ?? null,
      redirectUri: query.get('redirect_uri')?.slice(0, MAX_LOGGED_PARAMETER) ?? null,
      scope: query.get('scope')?.slice(0, MAX_LOGGED_PARAMETER) ?? null,
      hasState: query.has('state'),
      hasCodeChallenge: query.has('code_challenge'),
    },
    'authorization request received',
  );
}

/**
 * An authorization request answered with an error page. `redirectUri` is the refused one, for the
 * allowlist refusal: it holds the vendor id the developer needs and is not a secret.
 */
export function authorizationRefusedWithPage(log: Logger, page: LinkingPageError, redirectUri: string | undefined): void {
  log.warn(
    { reason: page.title, check: page.setting ?? NOTHING_TO_SET, hint: page.hint, redirectUri: redirectUri?.slice(0, MAX_LOGGED_PARAMETER), cause: describeCause(page.internalCause) },
    'authorization request refused with an error page',
  );
}

/** An authorization request refused back to Alexa's `redirect_uri`, with the setting behind it. */
export function authorizationRefusedToAlexa(log: Logger, out: ErrorOut): void {
  log.warn(
    { error: out.error.error, description: out.error.description, check: checkForAuthorization(out.error), cause: out.cause },
    `authorization request refused; answer to Alexa: ${out.error.error}`,
  );
}

function checkForAuthorization(error: OAuthError): string {
  if (error instanceof UnsupportedResponseTypeError) return "LINK_MODE, and the skill's authorization grant type in the Alexa developer console (Auth Code Grant or Implicit Grant)";
  if (error instanceof ServerError) return 'SEALING_KEYS and STORE_URL (the state could not be sealed or stored)';
  return NOTHING_TO_SET;
}

/** What to do when Alexa asks for fewer scopes than linkbridge needs. */
const SCOPE_SHORTFALL_CHECK =
  "the scopes in the skill's account-linking settings: run npm run skill:package and ask smapi update-account-linking-info (or correct the Alexa developer console) so Alexa asks for the same scopes; or set UPSTREAM_SCOPE, which replaces Alexa's";

/**
 * Alexa's `scope` lacks some of the scopes linkbridge asks for when Alexa sends none: the provider will
 * grant less than the account API needs, and the skill will say it cannot read the account.
 */
export function scopeShortfall(log: Logger, facts: { readonly scopeFromAlexa: string; readonly missingScopes: readonly string[] }): void {
  log.warn(
    { scopeFromAlexa: facts.scopeFromAlexa.slice(0, MAX_LOGGED_PARAMETER), missingScopes: facts.missingScopes.join(' ').slice(0, MAX_LOGGED_PARAMETER), check: SCOPE_SHORTFALL_CHECK },
    'Alexa asked for fewer scopes than linkbridge needs',
  );
}

/** The sealed state did not fit the provider's `state`: a handle went instead. */
export function stateStashed(log: Logger, facts: { readonly sealedLength: number; readonly maxStateLength: number }): void {
  log.debug({ sealedLength: facts.sealedLength, maxStateLength: facts.maxStateLength }, 'the sealed state is longer than the provider keeps; sent a handle to it');
}

/** The browser went to the provider's sign-in. */
export function sentToProvider(
  log: Logger,
  facts: { readonly provider: string; readonly authorizationUrl: string; readonly scopeFromAlexa: string | undefined; readonly pkceToProvider: boolean; readonly pkceFromAlexa: boolean },
): void {
  log.info({ ...facts, scopeFromAlexa: facts.scopeFromAlexa ?? null }, 'sent the user to the provider to sign in');
}

// The provider's callback (GET /oauth/callback).

/** Who a refused callback is logged under: its flow, or a reference of its own when the flow is unknown. */
export type CallbackReference = { readonly flowId: string } | { readonly reference: string };

/** A callback answered with an error page, under its flow's id whenever the state still said which. */
export function callbackRefusedWithPage(logger: Logger, page: LinkingPageError, id: CallbackReference): void {
  logger.warn(
    { ...id, route: 'callback', reason: page.title, check: page.setting ?? 'nothing to set', hint: page.hint, cause: describeCause(page.internalCause) },
    'callback refused with an error page',
  );
}

/** One address sent more callbacks than anyone linking would. */
export function callbacksRateLimited(logger: Logger, reference: string): void {
  logger.warn({ reference, route: 'callback' }, 'too many callbacks from one address; refused before anything was stored');
}

/** The provider sent the browser back with a state this flow may use. */
export function callbackReceived(log: Logger, facts: { readonly hasCode: boolean; readonly providerError: string | undefined; readonly secondsSinceAuthorize: number }): void {
  log.info({ ...facts, providerError: facts.providerError?.slice(0, 64) ?? null }, 'callback received from the provider');
}

/** The provider answered the sign-in with its own `error`. */
export function providerErrorInCallback(log: Logger, providerError: string): void {
  log.info({ upstreamError: providerError.slice(0, 64) }, 'the provider returned an error instead of a code');
}

/** Code mode: the browser goes back to Alexa with linkbridge's code. */
export function codeSentToAlexa(log: Logger): void {
  log.info({ answer: 'code' }, "answer to Alexa: the user is sent back with linkbridge's code");
}

/** Implicit mode: the browser goes back to Alexa with the access token in the fragment. */
export function tokenSentToAlexa(log: Logger): void {
  log.info({ answer: 'access_token' }, 'answer to Alexa: the user is sent back with the access token in the fragment');
}

/** Linking failed after the provider's sign-in: the browser goes back to Alexa with an error. */
export function linkingFailed(log: Logger, out: ErrorOut, redirectUri: string): void {
  log.warn(
    { error: out.error.error, redirectUri, check: checkAfterSignIn(out.error), cause: out.cause },
    `linking failed; answer to Alexa: the user is sent back with error=${out.error.error}`,
  );
}

/** The setting to check when linking fails after the provider's sign-in. */
function checkAfterSignIn(error: OAuthError): string {
  const cause = error.internalCause;
  if (cause instanceof CallbackWithoutCode && cause.providerError !== undefined) {
    if (error instanceof AccessDeniedError) {
      return 'none if the user refused; otherwise the client registration at the provider (allowed scopes, redirect URI PUBLIC_URL/oauth/callback, test users)';
    }
    if (error instanceof InvalidScopeError) return 'UPSTREAM_SCOPE: the provider does not grant one of the scopes asked for';
    return "the provider's status, and the client registration at the provider";
  }
  if (error instanceof AccessDeniedError) return 'none: the user refused at the provider';
  if (cause instanceof CallbackWithoutCode) return "UPSTREAM_PRESET (the provider's callback did not carry a code)";
  return 'STORE_URL (the code could not be stored), or the failed provider call above';
}

// The provider's token endpoint, from the token route and the implicit callback.

/** A token call that got tokens. */
export function providerCallAnswered(log: Logger, call: UpstreamCall): void {
  log.info({ upstreamUrl: call.url, upstreamStatus: call.status, durationMs: call.durationMs }, 'provider token call answered with tokens');
}

/**
 * A failed token call, once, under the flow id `log` carries: the URL called (no query values), the
 * HTTP status or network cause, the provider's error code, how long it took, what Alexa is told and
 * which setting to check, so a typo in a URL does not look like an outage.
 */
export function providerCallFailed(log: Logger, failure: ProviderFailure, told: OAuthError): void {
  const facts =
    failure instanceof UpstreamRejectedError
      ? { upstreamUrl: failure.url, upstreamStatus: failure.httpStatus, providerError: failure.error.slice(0, 64), meaning: failure.meaning ?? 'unmapped' }
      : { upstreamUrl: failure.url, upstreamStatus: failure.httpStatus, cause: failure.causeCode ?? failure.reason };
  const outcome = judge(failure) === 'retry' ? 'temporarily_unavailable' : told.error;
  log.warn({ ...facts, durationMs: failure.durationMs, outcome, check: whatToCheck(failure) }, 'the call to the provider failed');
  if (isCredentialsRefusal(failure)) {
    log.error({ upstreamUrl: failure.url }, `the provider rejected linkbridge's client credentials: check ${PROVIDER_CREDENTIALS_SETTING}`);
  }
}

// Alexa's token request (POST /oauth/token).

/** The store did not answer a token request: Alexa is told to retry. */
export function storeFailedTokenRequest(log: Logger, cause: string | undefined): void {
  log.error({ cause }, 'the store could not serve a token request');
}

/** The error Alexa gets for its token request. */
export function tokenAnswerToAlexa(log: Logger, error: OAuthError): void {
  log.info({ answer: error.error, status: error.status }, `answer to Alexa: ${error.status} ${error.error}`);
}

/** The provider gave tokens for linkbridge's code; they wait for the request that presents it. */
export function codeExchanged(log: Logger, flowId: string): void {
  log.info({ flowId }, 'authorization code exchanged with the provider');
}

/** The tokens for a code went to Alexa. */
export function tokensIssuedForCode(log: Logger, flowId: string): void {
  log.info({ flowId }, 'authorization code exchanged; tokens issued to Alexa');
}

/** Where a client-authentication failure at the token endpoint comes from. */
const ALEXA_CREDENTIALS_CHECK =
  "ALEXA_CLIENT_ID and ALEXA_CLIENT_SECRET must equal the Your Client ID and Your Secret in the skill's account linking settings (Alexa developer console, Build > Account Linking), and the Authentication Scheme there says whether Alexa sends them by HTTP Basic or in the body";

/** A refused (or failed) token request: the last line of a token request that did not give tokens. */
export function tokenRequestRefused(log: Logger, out: ErrorOut): void {
  const { error } = out;
  if (error instanceof ServerError) {
    log.error({ flowId: error.flowId, cause: out.cause }, 'token request failed');
  } else if (error instanceof InvalidClientError) {
    // Alexa's credentials are typed into the skill's account linking settings: say where to look.
    log.warn({ error: error.error, description: error.description, check: ALEXA_CREDENTIALS_CHECK }, 'token request refused');
  } else {
    log.info({ flowId: error.flowId, error: error.error, description: error.description }, 'token request refused');
  }
}
