import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configuredProfile, isPresetName, mergeProfiles, NO_SCOPE_FIX, PRESET_NAMES, PRESETS } from './presets/catalog';
import { isIP } from 'node:net';
import type { AlexaConfig, CallbackRateConfig, Config, MetricsConfig, SealingKey, SimulatorConfig, TokenCustody, TokenReplayConfig, TrustProxy, UpstreamConfig, VaultConfig } from './config';
import { ConfigError, type ConfigProblem } from './config-error';
import { EnvReader, type Env } from './config-env';
import { describeIssues, isAbsoluteHttpUrl, linkingScopes, ProfileOverridesSchema, ProviderProfileSchema, ScopeSchema } from './provider-profile';
import { parseStoreUrl, type StoreLocation } from './store-location';

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

/** The command that makes a sealing key, as every message about `SEALING_KEYS` gives it. */
const MAKE_A_KEY = `node -e "console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))"`;

/**
 * The optional JSON file named by `LINKBRIDGE_CONFIG`. Every level is strict, so a misspelt key is
 * refused by its path; the provider profile is checked against the profile schema itself
 * (`models/provider-profile.ts`), so every field the profile has is accepted and nothing else.
 */
const ConfigFileSchema = z.strictObject({
  upstream: z.strictObject({ profile: ProfileOverridesSchema.optional() }).optional(),
  skill: z
    .strictObject({
      fieldMap: z.record(z.string(), z.string(), { error: 'must map JSON paths to spoken labels (strings)' }).optional(),
      accountApiHeaders: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' }), z.string(), { error: 'must map header names to values (strings)' }).optional(),
    })
    .optional(),
});
type ConfigFile = z.output<typeof ConfigFileSchema>;

/**
 * The callback rate per client address when `CALLBACK_RATE_*` are unset. A person links one account with
 * one callback in a few seconds; 60 at once and 20 a second after that is far above that and far below a
 * flood. Without `TRUST_PROXY`, every callback through a proxy comes from the proxy's address, so behind
 * one these numbers are the whole deployment's.
 */
export const CALLBACK_RATE_DEFAULTS: CallbackRateConfig = Object.freeze({ burst: 60, perSecond: 20 });

/** What `TRUST_PROXY` accepts besides addresses and subnets: Express's names for the usual ranges. */
const TRUST_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;

const PORT_DEFAULT = 3000;
const PORT_RANGE = { min: 0, max: 65535 } as const;

/** `PORT` read as the server reads it (what `npm run simulate` dials by default); a `ConfigError` when it would refuse it. */
export function listeningPort(env: Env): number {
  const read = new EnvReader(env);
  const port = read.integer('PORT', PORT_DEFAULT, PORT_RANGE);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return port;
}

/**
 * Reads and validates the configuration from the environment (and the `LINKBRIDGE_CONFIG` file), once:
 * every variable, the preset name, and what the provider profile needs before discovery (its endpoints
 * and a scope, unless `UPSTREAM_ISSUER` is there to discover them). Throws one {@link ConfigError}
 * naming every problem found.
 */
export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const secrets = readSecretFiles(env, readFile);
  const read = new EnvReader({ ...env, ...secrets.values });
  for (const problem of secrets.problems) read.problem(problem.variable, problem.expectation);
  const file = readConfigFile(read, read.string('LINKBRIDGE_CONFIG'), readFile);
  const production = read.string('NODE_ENV') === 'production';

  const port = read.integer('PORT', PORT_DEFAULT, PORT_RANGE);
  const publicUrl = stripTrailingSlash(read.url('PUBLIC_URL') ?? `http://localhost:${port}`);
  const linkMode = read.oneOf('LINK_MODE', ['code', 'implicit'] as const, 'code');

  const upstreamConfigured = isUpstreamConfigured(read, file);
  if (!upstreamConfigured && production) {
    read.problem('UPSTREAM_PRESET', 'nothing upstream is configured, and demo mode never runs with NODE_ENV=production: set UPSTREAM_PRESET and the UPSTREAM_* it needs');
  }
  const demo = !upstreamConfigured && !production && read.boolean('LINKBRIDGE_DEMO', true);

  const alexa = readAlexa(read, demo, publicUrl);
  const demoProviderPort = read.integer('DEMO_PROVIDER_PORT', port === 0 ? 0 : port + 1, { min: 0, max: 65535 });
  const demoIssuer = `http://localhost:${demoProviderPort}`;
  const upstream = readUpstream(read, demo, file, demoIssuer);
  // With nothing upstream in production, the refusal above says everything about the provider.
  if (upstreamConfigured || demo) checkProfileBeforeDiscovery(read, upstream, file);
  const { keys: sealingKeys, ephemeral } = readSealingKeys(read, production);
  const simulator: SimulatorConfig = { enabled: read.boolean('SIMULATOR', demo && !production) };
  const store = readStore(read);
  const tokenCustody = readTokenCustody(read, store);
  const accountApiUrl = read.url('ACCOUNT_API_URL') ?? (demo ? `${demoIssuer}/me` : undefined);

  const config: Config = {
    production,
    port,
    publicUrl,
    linkMode,
    tokenCustody,
    vault: readVault(read),
    alexa,
    upstream,
    store,
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
      accountApiUrl,
      accountApiHeaders: file.skill?.accountApiHeaders,
      accountApiTimeoutMs: read.integer('ACCOUNT_API_TIMEOUT_MS', 3000, { min: 100, max: 6000 }),
      verifySignature: read.boolean('ALEXA_VERIFY_SIGNATURE', true),
      skillId: read.string('SKILL_ID'),
      fieldMap: file.skill?.fieldMap,
      privacyPolicyUrl: read.url('PRIVACY_POLICY_URL'),
    },
    host: readHost(read),
    simulator,
    trustProxy: readTrustProxy(read),
    callbackRate: readCallbackRate(read),
    metrics: readMetrics(read, port),
    warnings: [
      ...refreshUrlWarnings(upstream, file),
      ...simulatorWarnings(simulator, demo, publicUrl, alexa),
      ...identityFieldWarnings(tokenCustody, accountApiUrl, file.skill?.accountApiHeaders),
    ],
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return deepFreeze(config);
}

/**
 * Settings that may be given as a file instead (`<NAME>_FILE=/run/secrets/…`), as container secrets are
 * mounted: the value is the file's content, without its final line break. The secret then stays out of
 * the environment, the image and the compose file.
 * @see https://docs.docker.com/compose/how-tos/use-secrets/
 */
export const SECRET_FILE_SETTINGS = ['ALEXA_CLIENT_SECRET', 'UPSTREAM_CLIENT_SECRET', 'SEALING_KEYS', 'STORE_URL'] as const;

/** The values of the `<NAME>_FILE` settings that are set, and what is wrong with the others. */
function readSecretFiles(env: Env, readFile: (path: string) => string): { values: Record<string, string>; problems: ConfigProblem[] } {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const name of SECRET_FILE_SETTINGS) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push({ variable: `${name}_FILE`, expectation: `and ${name} are both set; keep one of them` });
      continue;
    }
    let content: string;
    try {
      content = readFile(path);
    } catch {
      problems.push({ variable: `${name}_FILE`, expectation: `cannot read the file "${path}"` });
      continue;
    }
    const value = content.replace(/\r?\n$/, '');
    if (value.trim() === '') problems.push({ variable: `${name}_FILE`, expectation: `the file "${path}" is empty` });
    else values[name] = value;
  }
  return { values, problems };
}

/**
 * Whether anything upstream is configured: an `UPSTREAM_*` variable or an endpoint in the config file's
 * profile. Without one, linkbridge runs in demo mode (the embedded provider, demo credentials), except
 * under `NODE_ENV=production`, where a service with nothing upstream must not look healthy.
 */
function isUpstreamConfigured(read: EnvReader, file: ConfigFile): boolean {
  const profile = file.upstream?.profile;
  const profileEndpoint = Boolean(profile?.authorization?.url || profile?.token?.url || profile?.refresh?.url || profile?.userinfoUrl);
  return read.namesStartingWith('UPSTREAM_').length > 0 || profileEndpoint;
}

function readAlexa(read: EnvReader, demo: boolean, publicUrl: string): AlexaConfig {
  return {
    clientId: (demo ? read.string('ALEXA_CLIENT_ID') ?? DEMO_DEFAULTS.alexaClientId : read.required('ALEXA_CLIENT_ID')) ?? '',
    clientSecret: (demo ? read.string('ALEXA_CLIENT_SECRET') ?? DEMO_DEFAULTS.alexaClientSecret : read.required('ALEXA_CLIENT_SECRET')) ?? '',
    redirectUrls: readRedirectUrls(read, demo ? [`${publicUrl}/simulator/link`] : []),
  };
}

/** `HOST`: the interface to listen on (a host name or IP address; unset listens on all interfaces). */
function readHost(read: EnvReader): string | undefined {
  const host = read.string('HOST');
  if (host === undefined) return undefined;
  if (!/^[A-Za-z0-9.:-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host)) {
    read.problem('HOST', `expects a host name or IP address to listen on (such as 127.0.0.1 or ::), got "${host}"`);
    return undefined;
  }
  return host.replace(/^\[(.*)\]$/, '$1');
}

/**
 * `TRUST_PROXY`: unset or `false` trusts no proxy; a number trusts that many proxies in front; otherwise a
 * comma list of the proxies' addresses, subnets (`10.0.0.0/8`) and range names (`loopback`, `linklocal`,
 * `uniquelocal`). `true` is refused: trusting every hop lets any client choose its own address.
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
function readTrustProxy(read: EnvReader): TrustProxy {
  const value = read.string('TRUST_PROXY');
  if (value === undefined || value.toLowerCase() === 'false') return false;
  const expects = 'expects false, the number of proxies in front of linkbridge (such as 1), or the proxies\' addresses and subnets, comma separated (such as 10.0.0.2, 172.16.0.0/12, loopback or uniquelocal)';
  if (value.toLowerCase() === 'true') {
    read.problem('TRUST_PROXY', `${expects}; true would believe X-Forwarded-For from anyone, so any client could choose its address`);
    return false;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= 10) return hops;
    read.problem('TRUST_PROXY', `${expects}; got ${value} proxies (1 to 10)`);
    return false;
  }
  const entries = read.list('TRUST_PROXY');
  const refused = entries.filter((entry) => !isTrustedProxyEntry(entry));
  if (refused.length > 0) {
    read.problem('TRUST_PROXY', `${expects}; got ${refused.map((entry) => `"${entry}"`).join(', ')}`);
    return false;
  }
  return entries;
}

/** An IP address, a subnet (`address/prefix` or `address/netmask`), or one of Express's range names. */
function isTrustedProxyEntry(entry: string): boolean {
  if ((TRUST_PROXY_RANGES as readonly string[]).includes(entry)) return true;
  const [address, mask, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (mask === undefined) return true;
  if (/^\d{1,3}$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(mask) === 4;
}

/** `CALLBACK_RATE_BURST` and `CALLBACK_RATE_PER_SECOND` (see {@link CALLBACK_RATE_DEFAULTS}). */
function readCallbackRate(read: EnvReader): CallbackRateConfig {
  return {
    burst: read.integer('CALLBACK_RATE_BURST', CALLBACK_RATE_DEFAULTS.burst, { min: 1, max: 1_000_000 }),
    perSecond: read.integer('CALLBACK_RATE_PER_SECOND', CALLBACK_RATE_DEFAULTS.perSecond, { min: 1, max: 1_000_000 }),
  };
}

/** `METRICS_PORT`: unset, no metrics; else a port of its own, never the one the service answers on. */
function readMetrics(read: EnvReader, port: number): MetricsConfig {
  if (read.string('METRICS_PORT') === undefined) return {};
  const metricsPort = read.integer('METRICS_PORT', 0, { min: 1, max: 65535 });
  if (metricsPort !== 0 && metricsPort === port) {
    read.problem('METRICS_PORT', `must differ from PORT (${port}): the metrics have a port of their own, which the proxy does not publish`);
    return {};
  }
  return metricsPort === 0 ? {} : { port: metricsPort };
}

function readUpstream(read: EnvReader, demo: boolean, file: ConfigFile, demoIssuer: string): UpstreamConfig {
  const preset = read.string('UPSTREAM_PRESET') ?? 'oauth2';
  if (!isPresetName(preset)) read.problem('UPSTREAM_PRESET', `expects one of ${PRESET_NAMES.join(' | ')}, got "${preset}"`);
  return {
    preset: isPresetName(preset) ? preset : 'oauth2',
    issuer: read.url('UPSTREAM_ISSUER') ?? (demo ? demoIssuer : undefined),
    authorizationUrl: read.url('UPSTREAM_AUTHORIZATION_URL'),
    tokenUrl: read.url('UPSTREAM_TOKEN_URL'),
    refreshUrl: read.url('UPSTREAM_REFRESH_URL'),
    clientId: (demo ? read.string('UPSTREAM_CLIENT_ID') ?? DEMO_DEFAULTS.upstreamClientId : read.required('UPSTREAM_CLIENT_ID')) ?? '',
    clientSecret: (demo ? read.string('UPSTREAM_CLIENT_SECRET') ?? DEMO_DEFAULTS.upstreamClientSecret : read.required('UPSTREAM_CLIENT_SECRET')) ?? '',
    scope: read.string('UPSTREAM_SCOPE') ?? (demo ? 'openid profile email' : undefined),
    pkce: read.optionalBoolean('UPSTREAM_PKCE'),
    profile: file.upstream?.profile,
    timeoutMs: read.integer('UPSTREAM_TIMEOUT_MS', 3000, { min: 100, max: 4000 }),
  };
}

/**
 * What the provider profile needs and the configuration alone can tell: `UPSTREAM_ISSUER` for `oidc`;
 * without an issuer to discover them, both endpoints and a scope; a refresh URL only where the
 * provider has refresh tokens. Discovery, at start, completes the rest (`resolveProviderProfile`).
 */
function checkProfileBeforeDiscovery(read: EnvReader, upstream: UpstreamConfig, file: ConfigFile): void {
  // A refused preset, file or URL is its own problem: what it would have given is not missing a second time.
  const refused = new Set(read.problems.map((problem) => problem.variable));
  if (refused.has('UPSTREAM_PRESET') || refused.has('LINKBRIDGE_CONFIG') || refused.has('UPSTREAM_ISSUER')) return;
  const withoutEnvironment = mergeProfiles(PRESETS[upstream.preset], file.upstream?.profile ?? {});
  if (upstream.refreshUrl !== undefined && withoutEnvironment.refresh === null) {
    read.problem('UPSTREAM_REFRESH_URL', `the ${upstream.preset} profile has no refresh tokens (refresh: null), so there is no refresh call to move; unset it`);
  }
  if (upstream.preset === 'oidc' && !upstream.issuer) {
    read.problem('UPSTREAM_ISSUER', 'is required with UPSTREAM_PRESET=oidc (discovery)');
    return;
  }
  if (upstream.issuer) return;

  const profile = configuredProfile(upstream);
  const needsAuthorization = !profile.authorization?.url && !refused.has('UPSTREAM_AUTHORIZATION_URL');
  const needsToken = !profile.token?.url && !refused.has('UPSTREAM_TOKEN_URL');
  if (needsAuthorization && needsToken) {
    read.problem(
      'UPSTREAM_AUTHORIZATION_URL',
      'is required, and so is UPSTREAM_TOKEN_URL (or upstream.profile.authorization.url and upstream.profile.token.url in LINKBRIDGE_CONFIG); or set UPSTREAM_ISSUER instead, for discovery',
    );
  } else if (needsAuthorization) {
    read.problem('UPSTREAM_AUTHORIZATION_URL', 'is required (or upstream.profile.authorization.url in LINKBRIDGE_CONFIG, or UPSTREAM_ISSUER with discovery)');
  } else if (needsToken) {
    read.problem('UPSTREAM_TOKEN_URL', 'is required (or upstream.profile.token.url in LINKBRIDGE_CONFIG, or UPSTREAM_ISSUER with discovery)');
  }
  const scope = ScopeSchema.safeParse(profile.scope ?? {});
  if (scope.success && linkingScopes({ scope: scope.data }).length === 0) {
    read.problem(
      'UPSTREAM_SCOPE',
      `is not set, and the ${upstream.preset} preset names no default (nor is there an UPSTREAM_ISSUER whose discovery could), so linkbridge would request no scope; ${NO_SCOPE_FIX}`,
    );
  }
  if (!profile.authorization?.url || !profile.token?.url) return;
  const parsed = ProviderProfileSchema.safeParse(profile);
  if (!parsed.success) for (const issue of describeIssues(parsed.error, 'upstream.profile')) read.problem('LINKBRIDGE_CONFIG', issue);
}

/**
 * `UPSTREAM_TOKEN_URL` moves the code exchange only: a preset that refreshes at an endpoint of its own
 * (WeChat) goes on refreshing there unless `UPSTREAM_REFRESH_URL` (or the config file) moves it too.
 */
function refreshUrlWarnings(upstream: UpstreamConfig, file: ConfigFile): ConfigProblem[] {
  const presetRefresh = PRESETS[upstream.preset].refresh;
  const presetRefreshUrl = presetRefresh === null ? undefined : presetRefresh?.url;
  if (!upstream.tokenUrl || upstream.refreshUrl || !presetRefreshUrl || file.upstream?.profile?.refresh !== undefined) return [];
  return [
    {
      variable: 'UPSTREAM_REFRESH_URL',
      expectation: `UPSTREAM_TOKEN_URL moves the code exchange, but the ${upstream.preset} preset refreshes tokens at ${presetRefreshUrl}, which it does not move: set UPSTREAM_REFRESH_URL as well (to that URL to keep it)`,
    },
  ];
}

/** The simulator page links with `PUBLIC_URL/simulator/link`, which only demo mode allows by itself. */
function simulatorWarnings(simulator: SimulatorConfig, demo: boolean, publicUrl: string, alexa: AlexaConfig): ConfigProblem[] {
  const pageRedirect = `${publicUrl}/simulator/link`;
  if (!simulator.enabled || demo || alexa.redirectUrls.has(pageRedirect)) return [];
  return [
    {
      variable: 'ALEXA_REDIRECT_URLS',
      expectation: `SIMULATOR is on, but the simulator page links with the redirect URL ${pageRedirect}, which is not allowed: add it to ALEXA_REDIRECT_URLS (npm run simulate uses Alexa's own redirect URL for your vendor id instead)`,
    },
  ];
}

/** `STORE_URL`: parsed once here; the store factory reads the parsed form. */
function readStore(read: EnvReader): StoreLocation {
  const value = read.string('STORE_URL') ?? `sqlite:${(read.string('DATA_DIR') ?? 'data').replace(/\/$/, '')}/linkbridge.sqlite`;
  const location = parseStoreUrl(value);
  if ('problem' in location) {
    read.problem('STORE_URL', location.problem);
    return { kind: 'memory' };
  }
  return location;
}

/**
 * `TOKEN_CUSTODY`: vault custody keeps the only copy of each user's link in the store, so it refuses a
 * store that forgets everything at restart (`memory:`). A Redis server without persistence is refused at
 * start, once its persistence can be asked (`deps.ts`).
 */
function readTokenCustody(read: EnvReader, store: StoreLocation): TokenCustody {
  const custody = read.oneOf('TOKEN_CUSTODY', ['relay', 'vault'] as const, 'relay');
  if (custody === 'vault' && store.kind === 'memory' && !read.problems.some((problem) => problem.variable === 'STORE_URL')) {
    read.problem(
      'STORE_URL',
      "is memory:, which forgets every link at restart, and TOKEN_CUSTODY=vault keeps each user's only link in the store: set STORE_URL to sqlite:<path>, a Redis with persistence (redis://…) or dynamodb://…, or TOKEN_CUSTODY=relay",
    );
  }
  return custody;
}

/** Vault custody's lifetimes; read in either custody, so a bad value is refused before anyone switches. */
function readVault(read: EnvReader): VaultConfig {
  return {
    accessTokenSeconds: read.integer('VAULT_ACCESS_TOKEN_SECONDS', 3600, { min: 360, max: 86_400 }),
    implicitTokenSeconds: read.integer('VAULT_IMPLICIT_TOKEN_SECONDS', 365 * 86_400, { min: 3600, max: 3650 * 86_400 }),
    linkIdleDays: read.integer('VAULT_LINK_IDLE_DAYS', 400, { min: 1, max: 3650 }),
  };
}

/** `{name}` in the account API's URL or headers names an identity field, which only vault custody keeps. */
function identityFieldWarnings(custody: TokenCustody, url: string | undefined, headers: Readonly<Record<string, string>> | undefined): ConfigProblem[] {
  if (custody === 'vault') return [];
  const named = [url ?? '', ...Object.values(headers ?? {})].some((value) => /\{[A-Za-z0-9_]+\}/.test(value));
  if (!named) return [];
  return [
    {
      variable: 'TOKEN_CUSTODY',
      expectation:
        'ACCOUNT_API_URL (or skill.accountApiHeaders) names an identity field such as {userId}, which only TOKEN_CUSTODY=vault keeps: set TOKEN_CUSTODY=vault, or the account API is called with the braces as they are',
    },
  ];
}

/** `TOKEN_REPLAY_WINDOW_SECONDS` and `STORE_LOCK_TTL_MS`; the lock outlives the provider call. */
function readTokenReplay(read: EnvReader, answerBudgetMs: number): TokenReplayConfig {
  const windowSeconds = read.integer('TOKEN_REPLAY_WINDOW_SECONDS', 600, { min: 30, max: 86_400 });
  const lockTtlMs = read.integer('STORE_LOCK_TTL_MS', 15_000, { min: 2000, max: 120_000 });
  const eitherRefused = read.problems.some((problem) => problem.variable === 'STORE_LOCK_TTL_MS' || problem.variable === 'UPSTREAM_TIMEOUT_MS');
  if (!eitherRefused && lockTtlMs < answerBudgetMs + 1000) {
    read.problem('STORE_LOCK_TTL_MS', `must be at least UPSTREAM_TIMEOUT_MS + 1000 (${answerBudgetMs + 1000}), got ${lockTtlMs}`);
  }
  // A second of margin: the provider call always ends (or is cut) before its lock can be taken over.
  return { windowSeconds, lockTtlMs, providerDeadlineMs: lockTtlMs - 1000 };
}

/** `ALEXA_VENDOR_IDS` (each to Alexa's redirect URL in every region) and `ALEXA_REDIRECT_URLS` (exact extras). */
function readRedirectUrls(read: EnvReader, extra: string[]): Set<string> {
  const urls = new Set<string>(extra);
  const vendorIds = read.list('ALEXA_VENDOR_IDS');
  const redirectUrls = read.list('ALEXA_REDIRECT_URLS');
  for (const vendorId of vendorIds) {
    if (!/^[A-Z0-9]+$/i.test(vendorId)) {
      read.problem('ALEXA_VENDOR_IDS', `"${vendorId}" is not a vendor id (letters and digits, as in M3BVP74N95SP1F)`);
    } else if (vendorId !== vendorId.toUpperCase()) {
      // The redirect URL Alexa sends carries the id in upper case; a lower-case one would never match it.
      read.problem(
        'ALEXA_VENDOR_IDS',
        `"${vendorId}" has lower-case letters; vendor ids are upper case (did you mean ${vendorId.toUpperCase()}?). ` +
          'Find yours at https://developer.amazon.com/mycid.html (Alexa developer console, Settings) or with `ask smapi get-vendor-list`',
      );
    } else {
      for (const host of ALEXA_REDIRECT_HOSTS) urls.add(`https://${host}/api/skill/link/${vendorId}`);
    }
  }
  for (const url of redirectUrls) {
    if (isAbsoluteHttpUrl(url)) urls.add(url);
    else read.problem('ALEXA_REDIRECT_URLS', `"${url}" is not an absolute http(s) URL`);
  }
  if (urls.size === 0 && vendorIds.length === 0 && redirectUrls.length === 0) {
    read.problem('ALEXA_VENDOR_IDS', 'is required (comma list of vendor ids), or give ALEXA_REDIRECT_URLS');
  }
  return urls;
}

/** `SEALING_KEYS=kid1:<base64url 32 bytes>,kid0:<…>`; the first seals, every one unseals (rotation). */
function readSealingKeys(read: EnvReader, production: boolean): { keys: SealingKey[]; ephemeral: boolean } {
  const entries = read.list('SEALING_KEYS');
  if (entries.length === 0) {
    if (production) read.problem('SEALING_KEYS', `is required in production (kid:<32 random bytes, base64url>, comma separated); make a key with ${MAKE_A_KEY}`);
    const secret = new Uint8Array(32);
    crypto.getRandomValues(secret);
    return { keys: [{ kid: `${EPHEMERAL_KEY_ID_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`, secret }], ephemeral: true };
  }
  const keys: SealingKey[] = [];
  for (const entry of entries) {
    const at = entry.indexOf(':');
    const secret = Buffer.from(entry.slice(at + 1), 'base64url');
    if (at < 1 || secret.length !== 32) {
      read.problem('SEALING_KEYS', `each entry must be kid:<32 random bytes, base64url>; make a key with ${MAKE_A_KEY}`);
      return { keys: [], ephemeral: false };
    }
    keys.push({ kid: entry.slice(0, at), secret: new Uint8Array(secret) });
  }
  if (new Set(keys.map((key) => key.kid)).size !== keys.length) read.problem('SEALING_KEYS', 'key ids must be unique');
  return { keys, ephemeral: false };
}

/** The `LINKBRIDGE_CONFIG` file, checked against {@link ConfigFileSchema}; `{}` (with the problems noted) when it cannot be used. */
function readConfigFile(read: EnvReader, path: string | undefined, readFile: (path: string) => string): ConfigFile {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    read.problem('LINKBRIDGE_CONFIG', error instanceof SyntaxError ? `"${path}" must hold a JSON object` : `cannot read the file "${path}"`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    read.problem('LINKBRIDGE_CONFIG', `"${path}" must hold a JSON object`);
    return {};
  }
  const checked = ConfigFileSchema.safeParse(parsed);
  if (checked.success) return checked.data;
  for (const issue of describeIssues(checked.error, '')) read.problem('LINKBRIDGE_CONFIG', issue);
  return {};
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
