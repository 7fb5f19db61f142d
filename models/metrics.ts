/**
 * What linkbridge counts and times for an operator's dashboard: the linking funnel, the token grants'
 * outcomes, the calls to the provider and to the account API, the skill's requests and the store's
 * failures. Both halves call this one interface (the skill never imports `linking/`); the Prometheus
 * implementation (`prometheus.metrics.ts`) is wired in `deps.ts` when `METRICS_PORT` is set, and
 * {@link noMetrics} otherwise.
 *
 * Every label value is one of the closed sets below, never a value a request chose: no token, code,
 * user id, secret or URL can reach a label, and the number of series stays bounded.
 * @see https://prometheus.io/docs/practices/naming/#labels
 */

/** The error codes of RFC 6749 §4.1.2.1 and §5.2 linkbridge answers with. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'temporarily_unavailable',
  'server_error',
] as const;

/** One of {@link OAUTH_ERROR_CODES}. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 */
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** How `GET /oauth/authorize` ended: the browser went to the provider, or was refused (a page, or back to Alexa). */
export const AUTHORIZATION_OUTCOMES = ['sent_to_provider', 'error_page', 'error_to_alexa'] as const;
export type AuthorizationOutcome = (typeof AUTHORIZATION_OUTCOMES)[number];

/**
 * How the provider's callback ended: Alexa got linkbridge's `code` (code mode) or the `access_token`
 * (implicit mode), or the browser went back to Alexa with that OAuth error, or got an error page, or was
 * refused for its address's rate.
 */
export const CALLBACK_OUTCOMES = ['code', 'access_token', 'error_page', 'rate_limited', ...OAUTH_ERROR_CODES] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/**
 * How a refresh ended: `ok` (this request's provider call gave the tokens), `replayed` (the answer stored
 * for an earlier request with the same refresh token, or another request's call, gave them), or the
 * OAuth error Alexa got (`temporarily_unavailable` is the `503` Alexa retries).
 */
export const REFRESH_OUTCOMES = ['ok', 'replayed', ...OAUTH_ERROR_CODES] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/** How the redemption of one of linkbridge's codes ended: `ok` (Alexa got the tokens), or the OAuth error it got. */
export const CODE_REDEMPTION_OUTCOMES = ['ok', ...OAUTH_ERROR_CODES] as const;
export type CodeRedemptionOutcome = (typeof CODE_REDEMPTION_OUTCOMES)[number];

/** Which call to the provider's token side: the code exchange, a refresh, a revocation. */
export const PROVIDER_CALLS = ['code', 'refresh', 'revocation'] as const;
export type ProviderCall = (typeof PROVIDER_CALLS)[number];

/**
 * How a call to the provider ended: `ok`; `rejected` (the provider answered with an error of its own);
 * or why it gave no usable answer (`server` is a 5xx or 429).
 */
export const PROVIDER_CALL_OUTCOMES = ['ok', 'rejected', 'timeout', 'network', 'server', 'redirect', 'unreadable', 'too_large'] as const;
export type ProviderCallOutcome = (typeof PROVIDER_CALL_OUTCOMES)[number];

/** How a call to the account API ended (`skill/account-api.client.ts`'s kinds of failure, or `ok`). */
export const ACCOUNT_API_OUTCOMES = ['ok', 'unauthorized', 'unavailable', 'not_configured'] as const;
export type AccountApiOutcome = (typeof ACCOUNT_API_OUTCOMES)[number];

/**
 * How `POST /alexa` ended: an answer, an answer asking the user to link (a LinkAccount card: not linked,
 * or the link expired), a refusal of the request (verification, envelope, skill id, body), or a failure.
 */
export const SKILL_OUTCOMES = ['answered', 'link_account', 'refused', 'failed'] as const;
export type SkillOutcome = (typeof SKILL_OUTCOMES)[number];

/** The store's operations (`models/store.ts`). */
export const STORE_OPERATIONS = ['put', 'get', 'take', 'delete', 'claim', 'lock', 'unlock', 'purgeExpired', 'ping'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** What the product reports; each method is one event, its labels from the closed sets above. */
export interface Metrics {
  /** `GET /oauth/authorize` answered. */
  authorizationRequest(outcome: AuthorizationOutcome): void;
  /** `GET /oauth/callback` answered. */
  callback(outcome: CallbackOutcome): void;
  /** A code presented at `POST /oauth/token` (`grant_type=authorization_code`) was answered. */
  codeRedemption(outcome: CodeRedemptionOutcome): void;
  /** A refresh token presented at `POST /oauth/token` (`grant_type=refresh_token`) was answered. */
  refresh(outcome: RefreshOutcome): void;
  /** A call to the provider ended, after `seconds`. */
  providerCall(call: ProviderCall, outcome: ProviderCallOutcome, seconds: number): void;
  /** A call to the account API ended, after `seconds`. */
  accountApiCall(outcome: AccountApiOutcome, seconds: number): void;
  /**
   * `POST /alexa` answered. `request` is the intent's name or the request's type, already bounded by the
   * skill to the ones it knows (`other` for the rest).
   */
  skillRequest(request: string, outcome: SkillOutcome): void;
  /** A store operation failed (the store was unreachable, busy or closed). */
  storeFailure(operation: StoreOperation): void;
}

/** Metrics off (no `METRICS_PORT`): every event is dropped, at the cost of one empty call. */
export const noMetrics: Metrics = Object.freeze({
  authorizationRequest: () => undefined,
  callback: () => undefined,
  codeRedemption: () => undefined,
  refresh: () => undefined,
  providerCall: () => undefined,
  accountApiCall: () => undefined,
  skillRequest: () => undefined,
  storeFailure: () => undefined,
});

/** An OAuth error's code as a label: one of {@link OAUTH_ERROR_CODES}, `server_error` for anything else. */
export function oauthOutcome(error: string): OAuthErrorCode {
  return bounded(error, OAUTH_ERROR_CODES, 'server_error');
}

/** `value` when it is one of `known`, else `fallback`: a label never takes a value from outside its set. */
export function bounded<T extends string>(value: string, known: readonly T[], fallback: T): T {
  return (known as readonly string[]).includes(value) ? (value as T) : fallback;
}
