import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssue, isAbsoluteHttpUrl, ProfileOverridesSchema, type ProfileOverrides } from './provider-profile';

/** How linkbridge hands Alexa the user's token. */
export type LinkMode = 'code' | 'implicit';

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
  readonly preset: string;
  readonly issuer?: string;
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
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
  readonly alexa: AlexaConfig;
  readonly upstream: UpstreamConfig;
  /** `sqlite:<path>` (default, under `DATA_DIR`), `memory:`, `redis://…` or `dynamodb://…`; checked at boot. */
  readonly storeUrl: string;
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
  /** Listening address and the simulator: see {@link readListenAndSimulator}. */
  readonly host?: string;
  readonly simulator: SimulatorConfig;
}

/** The simulator that plays Alexa (`GET /simulator`). */
export interface SimulatorConfig {
  /** On in demo mode unless `NODE_ENV=production`; `SIMULATOR=true|false` decides otherwise. */
  readonly enabled: boolean;
}

/** A configuration value that stops the start; the message names the variable and what it expects. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expectation: string,
  ) {
    super(`${variable}: ${expectation}`);
    this.name = 'ConfigError';
  }
}

/**
 * Key ids of keys made at start when `SEALING_KEYS` is not set begin with this, and end with a random
 * part that differs at each start: a state sealed before a restart is then recognisably "sealed by a
 * key of an earlier run", not "tampered".
 */
export const EPHEMERAL_KEY_ID_PREFIX = 'ephemeral-';

/** Vendor-id redirect hosts Alexa uses, by region. @see ../shared/ALEXA-LINKING.md "Redirect URLs" */
export const ALEXA_REDIRECT_HOSTS = ['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp'] as const;

/** Demo credentials used only when no upstream is configured. */
export const DEMO_DEFAULTS = {
  alexaClientId: 'linkbridge-demo-alexa',
  alexaClientSecret: 'linkbridge-demo-alexa-secret',
  upstreamClientId: 'linkbridge-demo',
  upstreamClientSecret: 'linkbridge-demo-secret',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The optional JSON file named by `LINKBRIDGE_CONFIG`. The provider profile is checked against the
 * profile schema itself (`models/provider-profile.ts`), so every field the profile has is accepted here
 * and nothing else.
 */
const ConfigFileSchema = z.looseObject({
  upstream: z.strictObject({ profile: ProfileOverridesSchema.optional() }).optional(),
  skill: z
    .looseObject({ fieldMap: z.record(z.string(), z.string(), { error: 'must map JSON paths to spoken labels (strings)' }).optional() })
    .optional(),
});
type ConfigFile = z.output<typeof ConfigFileSchema>;

/**
 * The port linkbridge listens on (`PORT`, default 3000), read as {@link loadConfig} reads it: for the tools
 * that reach a running linkbridge (`npm run simulate`) without loading the whole configuration.
 */
export function listeningPort(env: Env): number {
  return new EnvReader(env).integer('PORT', 3000, { min: 0, max: 65535 });
}

/**
 * Reads and validates the configuration from the environment (and the `LINKBRIDGE_CONFIG` file).
 * Throws a {@link ConfigError} naming the first bad variable.
 */
export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const read = new EnvReader(env);
  const file = readConfigFile(env.LINKBRIDGE_CONFIG, readFile);

  const port = listeningPort(env);
  const publicUrl = stripTrailingSlash(read.url('PUBLIC_URL') ?? `http://localhost:${port}`);
  const linkMode = read.oneOf('LINK_MODE', ['code', 'implicit'] as const, 'code');

  const demo = isDemo(env, file, read);

  const alexa: AlexaConfig = {
    clientId: demo ? read.string('ALEXA_CLIENT_ID') ?? DEMO_DEFAULTS.alexaClientId : read.required('ALEXA_CLIENT_ID'),
    clientSecret: demo
      ? read.string('ALEXA_CLIENT_SECRET') ?? DEMO_DEFAULTS.alexaClientSecret
      : read.required('ALEXA_CLIENT_SECRET'),
    redirectUrls: readRedirectUrls(read, demo ? [`${publicUrl}/simulator/link`] : []),
  };

  const demoProviderPort = read.integer('DEMO_PROVIDER_PORT', port === 0 ? 0 : port + 1, { min: 0, max: 65535 });
  const demoIssuer = `http://localhost:${demoProviderPort}`;
  const upstream = readUpstream(read, demo, file, demoIssuer);
  const { keys: sealingKeys, ephemeral } = readSealingKeys(read);

  const config: Config = {
    production: read.string('NODE_ENV') === 'production',
    port,
    publicUrl,
    linkMode,
    alexa,
    upstream,
    storeUrl: readStoreUrl(read),
    tokenReplay: readTokenReplay(read, upstream.timeoutMs),
    sealingKeys,
    sealingKeysEphemeral: ephemeral,
    defaultExpiresIn: read.integer('DEFAULT_EXPIRES_IN', 3600, { min: 360, max: 31_536_000 }),
    codeTtlSeconds: read.integer('CODE_TTL_SECONDS', 300, { min: 10, max: 300 }),
    stateTtlSeconds: read.integer('STATE_TTL_SECONDS', 600, { min: 60, max: 600 }),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    demo,
    demoProviderPort,
    skill: {
      accountApiUrl: read.url('ACCOUNT_API_URL') ?? (demo ? `${demoIssuer}/me` : undefined),
      accountApiTimeoutMs: read.integer('ACCOUNT_API_TIMEOUT_MS', 3000, { min: 100, max: 6000 }),
      verifySignature: read.boolean('ALEXA_VERIFY_SIGNATURE', true),
      skillId: read.string('SKILL_ID'),
      fieldMap: file.skill?.fieldMap,
      privacyPolicyUrl: read.url('PRIVACY_POLICY_URL'),
    },
    ...readListenAndSimulator(read, demo),
  };
  return deepFreeze(config);
}

/**
 * Demo mode (the embedded provider, demo credentials) only when nothing upstream is configured: no
 * `UPSTREAM_*` variable and no endpoint in the config file's profile. Never under `NODE_ENV=production`,
 * where a service with nothing upstream must not look healthy.
 */
function isDemo(env: Env, file: ConfigFile, read: EnvReader): boolean {
  const upstreamVariable = Object.keys(env).find((name) => name.startsWith('UPSTREAM_') && read.string(name) !== undefined);
  const profile = file.upstream?.profile;
  const profileEndpoint = Boolean(profile?.authorization?.url || profile?.token?.url || profile?.refresh?.url || profile?.userinfoUrl);
  if (upstreamVariable !== undefined || profileEndpoint) return false;
  if (read.string('NODE_ENV') === 'production') {
    throw new ConfigError('UPSTREAM_PRESET', 'nothing upstream is configured, and demo mode never runs with NODE_ENV=production: set UPSTREAM_PRESET and the UPSTREAM_* it needs');
  }
  return read.boolean('LINKBRIDGE_DEMO', true);
}

// ── Listening address and simulator ─────────────────────────────────────────────────────────────────

/**
 * `HOST`: the interface to listen on (a host name or IP address; unset listens on all interfaces).
 * `SIMULATOR`: serves `GET /simulator`, which plays Alexa against this instance. On by default in demo
 * mode only, and never by default when `NODE_ENV=production`.
 */
function readListenAndSimulator(read: EnvReader, demo: boolean): Pick<Config, 'host' | 'simulator'> {
  const host = read.string('HOST');
  if (host !== undefined && !/^[A-Za-z0-9.:-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host)) {
    throw new ConfigError('HOST', `expects a host name or IP address to listen on (such as 127.0.0.1 or ::), got "${host}"`);
  }
  const production = read.string('NODE_ENV') === 'production';
  return { host: host?.replace(/^\[(.*)\]$/, '$1'), simulator: { enabled: read.boolean('SIMULATOR', demo && !production) } };
}

function readUpstream(read: EnvReader, demo: boolean, file: ConfigFile, demoIssuer: string): UpstreamConfig {
  const pkce = read.string('UPSTREAM_PKCE') === undefined ? undefined : read.boolean('UPSTREAM_PKCE', true);
  return {
    preset: read.string('UPSTREAM_PRESET') ?? 'oauth2',
    issuer: read.url('UPSTREAM_ISSUER') ?? (demo ? demoIssuer : undefined),
    authorizationUrl: read.url('UPSTREAM_AUTHORIZATION_URL'),
    tokenUrl: read.url('UPSTREAM_TOKEN_URL'),
    clientId: demo ? read.string('UPSTREAM_CLIENT_ID') ?? DEMO_DEFAULTS.upstreamClientId : read.required('UPSTREAM_CLIENT_ID'),
    clientSecret: demo
      ? read.string('UPSTREAM_CLIENT_SECRET') ?? DEMO_DEFAULTS.upstreamClientSecret
      : read.required('UPSTREAM_CLIENT_SECRET'),
    scope: read.string('UPSTREAM_SCOPE') ?? (demo ? 'openid profile email' : undefined),
    pkce,
    profile: file.upstream?.profile,
    timeoutMs: read.integer('UPSTREAM_TIMEOUT_MS', 3000, { min: 100, max: 4000 }),
  };
}

// ---- Shared store and idempotent token calls --------------------------------------------------------

/** `STORE_URL`: `sqlite:<path>`, `memory:`, `redis://` / `rediss://` with a host, or `dynamodb://<table>?region=…`. */
function readStoreUrl(read: EnvReader): string {
  const url = read.string('STORE_URL') ?? `sqlite:${(read.string('DATA_DIR') ?? 'data').replace(/\/$/, '')}/linkbridge.sqlite`;
  const scheme = /^([a-z]+):/.exec(url)?.[1];
  if (scheme === 'sqlite' && url.length > 'sqlite:'.length) return url;
  if (scheme === 'memory') return url;
  if (scheme === 'redis' || scheme === 'rediss') {
    if (!isUrlWithHost(url)) throw new ConfigError('STORE_URL', 'expects redis://[user:password@]host[:port][/db], as in redis://127.0.0.1:6379/0');
    return url;
  }
  if (scheme === 'dynamodb') {
    parseDynamoDbStoreUrl(url);
    return url;
  }
  // The value may hold a password: only its scheme is repeated.
  throw new ConfigError('STORE_URL', `expects sqlite:<path>, memory:, redis://host[:port] or dynamodb://<table>?region=<region>, got scheme "${scheme ?? '(none)'}"`);
}

// ---- DynamoDB store location ---------------------------------------------------------------------------

/** Where a `dynamodb://` store lives: the table, its region and, when not the region's own, the endpoint. */
export interface DynamoDbStoreLocation {
  readonly table: string;
  readonly region: string;
  /** A local DynamoDB (dynalite, DynamoDB Local) or a VPC or FIPS endpoint; unset: the region's endpoint. */
  readonly endpoint?: string;
}

const DYNAMODB_URL_FORM = 'expects dynamodb://<table>?region=<region>[&endpoint=<http(s) URL>], as in dynamodb://linkbridge?region=us-east-1';

/**
 * `STORE_URL=dynamodb://<table>?region=<region>[&endpoint=<url>]`, checked at start: a table name DynamoDB
 * accepts, a region, an absolute http(s) endpoint when one is given, and no other parameter (a misspelt one
 * would otherwise be ignored). Credentials are not part of it: they come from the AWS SDK's default chain.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
export function parseDynamoDbStoreUrl(url: string): DynamoDbStoreLocation {
  const match = /^dynamodb:\/\/([^/?#]*)\/?(?:\?([^#]*))?$/.exec(url);
  if (!match) throw new ConfigError('STORE_URL', DYNAMODB_URL_FORM);
  const table = match[1];
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new ConfigError('STORE_URL', `the DynamoDB table name must be 3 to 255 letters, digits, "_", "-" or ".", got "${table}"`);
  }
  const parameters = new URLSearchParams(match[2] ?? '');
  for (const name of new Set(parameters.keys())) {
    if ((name !== 'region' && name !== 'endpoint') || parameters.getAll(name).length > 1) {
      throw new ConfigError('STORE_URL', `unexpected or repeated parameter "${name}": ${DYNAMODB_URL_FORM}`);
    }
  }
  const region = parameters.get('region') ?? '';
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(region)) throw new ConfigError('STORE_URL', `needs the table's region (region=us-east-1): ${DYNAMODB_URL_FORM}`);
  const endpoint = parameters.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !isAbsoluteHttpUrl(endpoint)) {
    throw new ConfigError('STORE_URL', 'endpoint= expects an absolute http(s) URL, as in endpoint=http://127.0.0.1:8000');
  }
  return endpoint === undefined ? { table, region } : { table, region, endpoint };
}

/** `TOKEN_REPLAY_WINDOW_SECONDS` and `STORE_LOCK_TTL_MS`; the lock outlives the provider call. */
function readTokenReplay(read: EnvReader, answerBudgetMs: number): TokenReplayConfig {
  const windowSeconds = read.integer('TOKEN_REPLAY_WINDOW_SECONDS', 600, { min: 30, max: 86_400 });
  const lockTtlMs = read.integer('STORE_LOCK_TTL_MS', 15_000, { min: 2000, max: 120_000 });
  if (lockTtlMs < answerBudgetMs + 1000) {
    throw new ConfigError('STORE_LOCK_TTL_MS', `must be at least UPSTREAM_TIMEOUT_MS + 1000 (${answerBudgetMs + 1000}), got ${lockTtlMs}`);
  }
  // A second of margin: the provider call always ends (or is cut) before its lock can be taken over.
  return { windowSeconds, lockTtlMs, providerDeadlineMs: lockTtlMs - 1000 };
}

function isUrlWithHost(value: string): boolean {
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------------------------

function readRedirectUrls(read: EnvReader, extra: string[]): Set<string> {
  const urls = new Set<string>(extra);
  for (const vendorId of read.list('ALEXA_VENDOR_IDS')) {
    if (!/^[A-Z0-9]+$/i.test(vendorId)) {
      throw new ConfigError('ALEXA_VENDOR_IDS', `"${vendorId}" is not a vendor id (letters and digits, as in M3BVP74N95SP1F)`);
    }
    // The redirect URL Alexa sends carries the id in upper case; a lower-case one would never match it.
    if (vendorId !== vendorId.toUpperCase()) {
      throw new ConfigError(
        'ALEXA_VENDOR_IDS',
        `"${vendorId}" has lower-case letters; vendor ids are upper case (did you mean ${vendorId.toUpperCase()}?). ` +
          'Find yours at https://developer.amazon.com/mycid.html (Alexa developer console, Settings) or with `ask smapi get-vendor-list`',
      );
    }
    for (const host of ALEXA_REDIRECT_HOSTS) urls.add(`https://${host}/api/skill/link/${vendorId}`);
  }
  for (const url of read.list('ALEXA_REDIRECT_URLS')) {
    if (!isAbsoluteHttpUrl(url)) throw new ConfigError('ALEXA_REDIRECT_URLS', `"${url}" is not an absolute http(s) URL`);
    urls.add(url);
  }
  if (urls.size === 0) {
    throw new ConfigError('ALEXA_VENDOR_IDS', 'is required (comma list of vendor ids), or give ALEXA_REDIRECT_URLS');
  }
  return urls;
}

/** `SEALING_KEYS=kid1:<base64url 32 bytes>,kid0:<…>`; the first seals, every one unseals (rotation). */
function readSealingKeys(read: EnvReader): { keys: SealingKey[]; ephemeral: boolean } {
  const entries = read.list('SEALING_KEYS');
  if (entries.length === 0) {
    if (read.string('NODE_ENV') === 'production') {
      throw new ConfigError('SEALING_KEYS', 'is required in production (kid:<32 random bytes, base64url>, comma separated)');
    }
    const secret = new Uint8Array(32);
    crypto.getRandomValues(secret);
    return { keys: [{ kid: `${EPHEMERAL_KEY_ID_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`, secret }], ephemeral: true };
  }
  const keys = entries.map((entry) => {
    const at = entry.indexOf(':');
    const kid = entry.slice(0, at);
    const secret = Buffer.from(entry.slice(at + 1), 'base64url');
    if (at < 1 || secret.length !== 32) {
      throw new ConfigError('SEALING_KEYS', 'each entry must be kid:<32 random bytes, base64url> (openssl rand -base64 32 | tr +/ -_)');
    }
    return { kid, secret: new Uint8Array(secret) };
  });
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) {
    throw new ConfigError('SEALING_KEYS', 'key ids must be unique');
  }
  return { keys, ephemeral: false };
}

function readConfigFile(path: string | undefined, readFile: (path: string) => string): ConfigFile {
  if (!path) return {};
  let text: string;
  let parsed: unknown;
  try {
    text = readFile(path);
  } catch {
    throw new ConfigError('LINKBRIDGE_CONFIG', `cannot read the file "${path}"`);
  }
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('LINKBRIDGE_CONFIG', `"${path}" must hold a JSON object`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('LINKBRIDGE_CONFIG', `"${path}" must hold a JSON object`);
  const checked = ConfigFileSchema.safeParse(parsed);
  if (!checked.success) throw new ConfigError('LINKBRIDGE_CONFIG', describeIssue(checked.error, ''));
  return checked.data;
}

/** Typed access to environment variables; every failure names its variable. */
class EnvReader {
  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new ConfigError(name, 'is required');
    return value;
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  url(name: string): string | undefined {
    const value = this.string(name);
    if (value !== undefined && !isAbsoluteHttpUrl(value)) {
      throw new ConfigError(name, `expects an absolute http(s) URL, got "${value}"`);
    }
    return value;
  }

  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
      throw new ConfigError(name, `expects a whole number from ${range.min} to ${range.max}, got "${value}"`);
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new ConfigError(name, `expects true or false, got "${value}"`);
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (!(choices as readonly string[]).includes(value)) {
      throw new ConfigError(name, `expects one of ${choices.join(' | ')}, got "${value}"`);
    }
    return value as T;
  }
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Set)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
