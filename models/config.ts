/**
 * The configuration's types: what the service reads once at boot, typed and frozen. The loader
 * (`config-loader.ts`) builds it from the environment (`config-env.ts`) and the `LINKBRIDGE_CONFIG` file,
 * and refuses once, naming every problem (`config-error.ts`).
 */
import type { PresetName } from './presets/catalog';
import type { ConfigProblem } from './config-error';
import type { ProfileOverrides } from './provider-profile';
import type { StoreLocation } from './store-location';

export { ConfigError, type ConfigProblem } from './config-error';
export { ALEXA_REDIRECT_HOSTS, CALLBACK_RATE_DEFAULTS, DEMO_DEFAULTS, EPHEMERAL_KEY_ID_PREFIX, listeningPort, loadConfig } from './config-loader';
export { parseDynamoDbStoreUrl, type DynamoDbStoreLocation, type StoreLocation } from './store-location';

/** How linkbridge hands Alexa the user's token. */
export type LinkMode = 'code' | 'implicit';

/**
 * Who holds the provider's tokens: `relay` hands them to Alexa; `vault` keeps the provider's grant in
 * the store and hands Alexa linkbridge's own tokens (docs/how-linking-works.md, "Token custody").
 */
export type TokenCustody = 'relay' | 'vault';

/** Vault custody's lifetimes (`TOKEN_CUSTODY=vault`). */
export interface VaultConfig {
  /** `VAULT_ACCESS_TOKEN_SECONDS`: code mode's access tokens for Alexa, renewed by Alexa's refresh. */
  readonly accessTokenSeconds: number;
  /** `VAULT_IMPLICIT_TOKEN_SECONDS`: implicit mode's access token, which Alexa cannot refresh. */
  readonly implicitTokenSeconds: number;
  /** `VAULT_LINK_IDLE_DAYS`: a link unused this long is forgotten. */
  readonly linkIdleDays: number;
}

/** One key that seals the upstream `state`; the first key of the list seals, all of them unseal. */
export interface SealingKey {
  readonly kid: string;
  /** 32 bytes for A256GCM direct encryption. */
  readonly secret: Uint8Array;
}

/** What linkbridge needs to know about the Alexa side (it is Alexa's authorization server). */
export interface AlexaConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact redirect URIs Alexa may send; anything else gets an error page. */
  readonly redirectUrls: ReadonlySet<string>;
}

/** How linkbridge talks to the upstream provider (it is the provider's OAuth client). */
export interface UpstreamConfig {
  /** Name of a built-in preset (`oauth2` is the plain RFC 6749 provider). */
  readonly preset: PresetName;
  readonly issuer?: string;
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
  /** `UPSTREAM_REFRESH_URL`: the refresh grant's endpoint, where a preset refreshes elsewhere (WeChat). */
  readonly refreshUrl?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** PKCE S256 toward the upstream; `undefined` means "as the preset says". */
  readonly pkce?: boolean;
  /** Field-by-field changes to the preset, from the `LINKBRIDGE_CONFIG` file's `upstream.profile`. */
  readonly profile?: ProfileOverrides;
  /** Budget for one upstream HTTP call, kept well inside Alexa's 4.5 s token budget. */
  readonly timeoutMs: number;
}

/** The skill half's settings. */
export interface SkillConfig {
  /** The user's account API, called with the linked token as a Bearer token. */
  readonly accountApiUrl?: string;
  readonly accountApiTimeoutMs: number;
  /** Alexa request signature and timestamp checks; off only for local testing. */
  readonly verifySignature: boolean;
  readonly skillId?: string;
  /**
   * Extra request headers for the account API (`LINKBRIDGE_CONFIG` `skill.accountApiHeaders`); like
   * `accountApiUrl`, a value may name identity fields (`{userId}`), filled in vault custody.
   */
  readonly accountApiHeaders?: Readonly<Record<string, string>>;
  /** Extra profile fields to speak: JSON path in the account API's answer → spoken label. */
  readonly fieldMap?: Readonly<Record<string, string>>;
  /** Privacy policy URL written to the skill manifest. */
  readonly privacyPolicyUrl?: string;
}

/**
 * Idempotent token calls: the provider's answer to one presented refresh token (or code) is kept,
 * sealed, and replayed to Alexa's retries; one instance at a time calls the provider for it.
 */
export interface TokenReplayConfig {
  /** How long a provider answer is replayed to requests presenting the same refresh token. */
  readonly windowSeconds: number;
  /** Expiry of the store lock held during one provider call; a crashed holder blocks no longer. */
  readonly lockTtlMs: number;
  /** The provider call may run this long in the background after Alexa got its `503` (inside the lock). */
  readonly providerDeadlineMs: number;
}

/** The whole service configuration, read once at boot and frozen. */
export interface Config {
  readonly port: number;
  /** Origin (and optional path prefix) Alexa and the upstream reach linkbridge at; no trailing slash. */
  readonly publicUrl: string;
  readonly linkMode: LinkMode;
  /** `TOKEN_CUSTODY`: `relay` (default) or `vault`. */
  readonly tokenCustody: TokenCustody;
  readonly vault: VaultConfig;
  readonly alexa: AlexaConfig;
  readonly upstream: UpstreamConfig;
  /** Where the store is: `STORE_URL` (default `sqlite:` under `DATA_DIR`), parsed once at boot. */
  readonly store: StoreLocation;
  /** How the token endpoint keeps one provider call per presented credential. */
  readonly tokenReplay: TokenReplayConfig;
  readonly sealingKeys: readonly SealingKey[];
  /** True when no `SEALING_KEYS` was given and a key was made for this process only. */
  readonly sealingKeysEphemeral: boolean;
  /** `expires_in` sent to Alexa when the provider gives none. */
  readonly defaultExpiresIn: number;
  /** Lifetime of the authorization codes linkbridge issues to Alexa. */
  readonly codeTtlSeconds: number;
  /** Lifetime of the sealed upstream state. */
  readonly stateTtlSeconds: number;
  readonly logLevel: string;
  /** True when no upstream was configured: the embedded demo provider and account API run. */
  readonly demo: boolean;
  /** `NODE_ENV=production`: no demo, no simulator by default, and end-user pages without developer hints. */
  readonly production: boolean;
  /** Port of the embedded demo provider (demo mode only). */
  readonly demoProviderPort: number;
  readonly skill: SkillConfig;
  /** `HOST`: the interface to listen on; unset listens on all interfaces. */
  readonly host?: string;
  readonly simulator: SimulatorConfig;
  /** `TRUST_PROXY`: whose `X-Forwarded-For` tells the client's address (rate limits, logs); `false` trusts no one. */
  readonly trustProxy: TrustProxy;
  /** `CALLBACK_RATE_BURST`, `CALLBACK_RATE_PER_SECOND`: how many provider callbacks one address may send. */
  readonly callbackRate: CallbackRateConfig;
  /** `METRICS_PORT`: Prometheus metrics on a port of their own, off when unset. */
  readonly metrics: MetricsConfig;
  /** Settings that work but will fail someone later; said at start and by the doctor. */
  readonly warnings: readonly ConfigProblem[];
}

/** The simulator that plays Alexa (`GET /simulator`). */
export interface SimulatorConfig {
  /** On in demo mode unless `NODE_ENV=production`; `SIMULATOR=true|false` decides otherwise. */
  readonly enabled: boolean;
}

/**
 * Which proxies in front of linkbridge are believed about the client's address (`X-Forwarded-For`), as
 * Express's `trust proxy` takes it: `false` (none, the default: the address is the connection's), the
 * number of proxies in front, or the proxies' addresses and subnets (`loopback`, `linklocal` and
 * `uniquelocal` name the usual ranges).
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
export type TrustProxy = false | number | readonly string[];

/** A token bucket per client address for `GET /oauth/callback`: `burst` at once, then `perSecond`. */
export interface CallbackRateConfig {
  readonly burst: number;
  readonly perSecond: number;
}

/** Where `GET /metrics` listens; no port means no metrics are collected. */
export interface MetricsConfig {
  readonly port?: number;
}
