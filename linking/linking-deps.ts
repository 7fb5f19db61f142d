import type { Clock } from '../models/clock';
import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import type { Metrics } from '../models/metrics';
import type { Store } from '../models/store';
import type { StateSealer } from './sealing';
import type { UpstreamClient } from './upstream-client';
import type { Vault } from './vault/vault';

/** What the linking routes reach the outside through. */
export interface LinkingDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly sealer: StateSealer;
  readonly upstream: UpstreamClient;
  /** Vault custody's links (`TOKEN_CUSTODY=vault`); made from the rest when absent (`vaultOf`). */
  readonly vault?: Vault;
  /** Where the linking funnel is counted (`GET /metrics`); `noMetrics` when metrics are off. */
  readonly metrics: Metrics;
}

/** `PUBLIC_URL + /oauth/callback`: where the upstream sends the user back. */
export function upstreamRedirectUri(config: Config): string {
  return `${config.publicUrl}/oauth/callback`;
}
