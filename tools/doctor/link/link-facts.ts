/**
 * What `doctor --link` learned, as plain values: no code, token or secret, only what the provider, the
 * account API and the skill did with them. The JSON report carries these beside the findings.
 */
import type { ProviderCallTiming } from '../provider-adapter';
import type { AccountApiFacts } from './account-api.step';
import type { GrantFacts } from './grant-probe';

/** What the code exchange returned. */
export interface ExchangeFacts {
  /** The answer's `token_type`, when it has one. */
  readonly tokenType?: string;
  /** `expires_in` in seconds, when the answer states it. */
  readonly expiresIn?: number;
  readonly refreshToken: boolean;
  readonly scopeAsked: readonly string[];
  /** The scope the answer says was granted, when it says. */
  readonly scopeGranted?: readonly string[];
  /** The identity fields the profile reads from the answer (`userId`, …), and those the answer carried. */
  readonly identityRead: readonly string[];
  readonly identityFound: readonly string[];
  /** Characters in the access token (Alexa may refuse one over 2048). */
  readonly accessTokenLength: number;
}

/** For an OpenID Connect provider: `offline_access` and what its discovery document says about refresh tokens. */
export interface OpenIdFacts {
  readonly documentUrl: string;
  /** `scopes_supported` lists `offline_access`. */
  readonly offlineAccessOffered: boolean;
  /** `grant_types_supported` (absent when the document lists none; RFC 8414 then means no refresh grant is promised). */
  readonly grantTypesSupported?: readonly string[];
  readonly offlineAccessAsked: boolean;
  /** Whether the granted scope includes it; unknown when the answer states no scope. */
  readonly offlineAccessGranted?: boolean;
  readonly refreshTokenIssued: boolean;
}

export interface LinkFacts {
  readonly provider: string;
  /** How the test account signed in. */
  readonly signIn: 'browser' | 'headless';
  /** The provider's authorization endpoint (without query). */
  readonly authorizationEndpoint: string;
  readonly exchange?: ExchangeFacts;
  readonly accountApi?: AccountApiFacts;
  readonly grant?: GrantFacts;
  readonly openId?: OpenIdFacts;
  /** Every token and revocation call, timed. */
  readonly calls: readonly ProviderCallTiming[];
}

/** The settings the verdict weighs, as the service would run with them. */
export interface LinkSettings {
  /** `TOKEN_CUSTODY`: `relay` (Alexa holds the provider's tokens) or `vault` (linkbridge does). */
  readonly custody: 'relay' | 'vault';
  readonly linkMode: 'code' | 'implicit';
  readonly replayWindowSeconds: number;
  readonly upstreamTimeoutMs: number;
  readonly defaultExpiresIn: number;
  /** `UPSTREAM_SCOPE`, when it is set. */
  readonly scopeSetting?: string;
}
