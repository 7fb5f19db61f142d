import type { AppDeps } from './app';
import { upstreamRedirectUri } from './linking/linking-deps';
import { accountApiUrlOf, resolveProviderProfile } from './linking/providers/presets';
import { StateSealer } from './linking/sealing';
import { UpstreamClient, type UpstreamClientOptions } from './linking/upstream-client';
import { MeteredUpstreamClient } from './linking/upstream/metered-upstream-client';
import { urlForLogs } from './linking/upstream/upstream-failures';
import { Vault } from './linking/vault/vault';
import { createTransport } from './linking/upstream/http-transport';
import { systemClock, type Clock } from './models/clock';
import { ConfigError, type Config } from './models/config';
import { createStore } from './models/create-store';
import type { DeadlineTimers } from './models/deadline';
import type { Logger } from './models/logger';
import { MeteredStore } from './models/metered.store';
import { noMetrics, type Metrics } from './models/metrics';
import type { HttpTransport } from './models/outbound-http';
import { linkingScopes, refreshRequestOf, type ProviderProfile } from './models/provider-profile';
import type { Store } from './models/store';
import { AccountApiClient, accountApiTransport, type AccountApi } from './skill/account-api.client';
import { MeteredAccountApi } from './skill/metered-account-api';

/** Outside pieces `buildDeps` may be given instead of the real ones. */
export interface DepsOverrides {
  readonly clock?: Clock;
  /** How linkbridge reaches the provider (token calls and discovery); pooled undici when absent. */
  readonly fetch?: typeof fetch;
  /** How the skill reaches the account API; axios (`skill/account-api.transport.ts`) when absent. */
  readonly accountApiTransport?: HttpTransport;
  /** What the deadlines of outbound calls run on (provider and account API); Node's timers when absent. */
  readonly deadlineTimers?: DeadlineTimers;
  /** Where the metrics go (`main.ts` gives Prometheus's when `METRICS_PORT` is set); none when absent. */
  readonly metrics?: Metrics;
}

/**
 * Builds both halves' dependencies from the config: store, sealer, upstream client (with discovery), and
 * the skill's account API client. Refuses (one `ConfigError` naming every problem) a profile discovery
 * cannot complete, or one that would ask the provider for no scope.
 */
export async function buildDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const clock = overrides.clock ?? systemClock;
  // One transport for every call to the provider: discovery now, token calls later.
  const transport = createTransport(config.upstream.timeoutMs, overrides.fetch, overrides.deadlineTimers);
  const profile = await resolveProviderProfile(config.upstream, transport);
  const accountApi = accountApiUrlOf(config.skill.accountApiUrl, profile);
  logger.info(
    {
      provider: profile.name,
      authorizationUrl: urlForLogs(profile.authorization.url),
      tokenUrl: urlForLogs(profile.token.url),
      refreshUrl: refreshUrlOf(profile),
      pkce: profile.authorization.pkce,
      // The one scope value: what linkbridge asks for when Alexa sends none, and what skill:package lists.
      scope: linkingScopes(profile).join(' '),
      accountApiUrl: accountApi.url === undefined ? 'none' : urlForLogs(accountApi.url),
      accountApiFrom: accountApi.source,
    },
    'provider profile resolved',
  );
  for (const warning of config.warnings) logger.warn({ setting: warning.variable }, `${warning.variable}: ${warning.expectation}`);
  if (config.sealingKeysEphemeral) {
    // In demo mode a key for this process is what a first start needs, so it is news, not a warning.
    logger[config.demo ? 'info' : 'warn']('SEALING_KEYS is not set: using a key made for this process; linking flows in progress fail after a restart and across instances');
  }
  const metrics = overrides.metrics ?? noMetrics;
  const store = meteredStore(createStore(config.store, clock, config.sealingKeys), metrics);
  if (config.tokenCustody === 'vault') await requireDurableStore(store, logger);
  const linking = {
    config,
    logger,
    clock,
    metrics,
    store,
    sealer: new StateSealer(config.sealingKeys, clock),
    upstream: upstreamClient(metrics, clock, {
      profile,
      clientId: config.upstream.clientId,
      clientSecret: config.upstream.clientSecret,
      redirectUri: upstreamRedirectUri(config),
      timeoutMs: config.upstream.timeoutMs,
      fetch: overrides.fetch ?? fetch,
      transport,
      clock,
    }),
  };
  // Vault custody: one vault serves the token route, the callback and the skill (through `LinkedAccounts`).
  const vault = config.tokenCustody === 'vault' ? new Vault(linking) : undefined;
  return {
    ...linking,
    vault,
    skill: {
      accountApi: meteredAccountApi(
        metrics,
        clock,
        new AccountApiClient(
          accountApi.url,
          config.skill.accountApiTimeoutMs,
          overrides.accountApiTransport ?? accountApiTransport(config.skill.accountApiTimeoutMs, overrides.deadlineTimers),
          config.skill.accountApiHeaders,
        ),
      ),
      linkedAccounts: vault,
    },
  };
}

/**
 * Vault custody keeps each user's only link in the store: a store that keeps nothing across its
 * restart (a Redis server with neither AOF nor RDB) is refused, naming the fix; one that will not say
 * (a managed Redis refusing `CONFIG`) is a warning.
 */
async function requireDurableStore(store: Store, logger: Logger): Promise<void> {
  let persistence;
  try {
    persistence = await store.persistence?.();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new ConfigError('STORE_URL', `TOKEN_CUSTODY=vault needs to know that the store keeps links across restarts, and the store did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  if (persistence?.durable === false) {
    await store.close().catch(() => undefined);
    throw new ConfigError('STORE_URL', `TOKEN_CUSTODY=vault keeps each user's only link in the store, and the store keeps nothing across a restart (${persistence.found}): ${persistence.fix ?? 'use a durable store'}; or set TOKEN_CUSTODY=relay`);
  }
  if (persistence?.durable === undefined) {
    logger.warn({ setting: 'STORE_URL', found: persistence?.found ?? 'unknown' }, 'TOKEN_CUSTODY=vault: the store does not say whether it keeps links across restarts; make sure it does (doctor)');
  } else {
    logger.info({ store: persistence.found }, 'TOKEN_CUSTODY=vault: links are kept in the store');
  }
}

// With metrics off nothing is wrapped: not one call more on any request's path.

/** The store, its failures counted when metrics are on. */
function meteredStore(store: Store, metrics: Metrics): Store {
  return metrics === noMetrics ? store : new MeteredStore(store, metrics);
}

/** The provider client, its calls timed when metrics are on. */
function upstreamClient(metrics: Metrics, clock: Clock, options: UpstreamClientOptions): UpstreamClient {
  return metrics === noMetrics ? new UpstreamClient(options) : new MeteredUpstreamClient(options, metrics, clock);
}

/** The account API client, its calls timed when metrics are on. */
function meteredAccountApi(metrics: Metrics, clock: Clock, accountApi: AccountApi): AccountApi {
  return metrics === noMetrics ? accountApi : new MeteredAccountApi(accountApi, metrics, clock);
}

function refreshUrlOf(profile: ProviderProfile): string {
  const refresh = refreshRequestOf(profile);
  return refresh ? urlForLogs(refresh.url) : 'none (no refresh tokens)';
}
