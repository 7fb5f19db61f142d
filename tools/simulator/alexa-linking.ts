import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../models/clock';

/** Alexa waits this long for the token endpoint. @see ../../../shared/ALEXA-LINKING.md "Token response" */
export const ALEXA_TOKEN_BUDGET_MS = 4500;
/** Alexa waits this long for the skill. @see ../../../shared/ALEXA-LINKING.md "The skill side" */
export const ALEXA_SKILL_BUDGET_MS = 8000;

/** What Alexa remembers between opening the authorization URL and the redirect back. */
export interface LinkingAttempt {
  readonly state: string;
  /** PKCE verifier (RFC 7636 §4.1): 43 characters of base64url. */
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly responseType: 'code' | 'token';
  readonly authorizeUrl: string;
}

/**
 * Starts linking as the Alexa app does: an unguessable `state`, a PKCE S256 challenge (code grant), the skill's client
 * id, `response_type` by the skill's grant type, its scopes and the redirect URI of the user's region.
 * @see https://developer.amazon.com/docs/account-linking/configure-authorization-code-grant.html
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function startLinking(options: {
  readonly authorizationUrl: string;
  readonly clientId: string;
  readonly responseType: 'code' | 'token';
  readonly redirectUri: string;
  readonly scope?: string;
}): LinkingAttempt {
  const state = randomBytes(24).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  const url = new URL(options.authorizationUrl);
  url.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: options.responseType,
    state,
    redirect_uri: options.redirectUri,
    ...(options.scope ? { scope: options.scope } : {}),
    // PKCE belongs to the authorization code grant; an implicit request has no code to bind it to.
    ...(options.responseType === 'code' ? { code_challenge: pkceChallenge(codeVerifier), code_challenge_method: 'S256' } : {}),
  }).toString();
  return { state, codeVerifier, redirectUri: options.redirectUri, responseType: options.responseType, authorizeUrl: url.toString() };
}

/** RFC 7636 §4.2: `BASE64URL(SHA256(verifier))`. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The token endpoint's answer as Alexa sees it, and how long it took. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
  readonly ms: number;
  /** Set when no answer came: a network error, or no answer within Alexa's budget. */
  readonly failure?: string;
}

/**
 * One token request as Alexa makes it: `POST`, form-encoded, the skill's client credentials in HTTP
 * Basic (`accessTokenScheme: HTTP_BASIC`), given up after {@link ALEXA_TOKEN_BUDGET_MS}.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export async function requestToken(
  tokenUrl: string,
  form: Readonly<Record<string, string>>,
  credentials: { readonly clientId: string; readonly clientSecret: string },
  deps: { readonly fetch: typeof fetch; readonly clock: Clock },
): Promise<TokenAnswer> {
  const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
  const started = deps.clock.now();
  try {
    const response = await deps.fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(ALEXA_TOKEN_BUDGET_MS),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: Alexa cannot read it either; the status and an empty body say so.
    }
    return { status: response.status, body, ms: deps.clock.now() - started };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      status: 0,
      body: {},
      ms: deps.clock.now() - started,
      failure: timedOut ? `no answer within Alexa's ${ALEXA_TOKEN_BUDGET_MS} ms` : 'the token endpoint could not be reached',
    };
  }
}
