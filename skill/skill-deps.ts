import type { Clock } from '../models/clock';
import type { Config } from '../models/config';
import type { LinkedAccounts } from '../models/linked-accounts';
import type { Logger } from '../models/logger';
import type { Metrics } from '../models/metrics';
import type { AccountApi } from './account-api.client';
import type { RequestVerifier } from './request-verifier/alexa-request-verifier';

/** What the skill half reaches the outside through; tests replace these. */
export interface SkillDeps {
  /** The user's account API, called with the linked access token. */
  readonly accountApi: AccountApi;
  /** Vault custody's links (wired in `deps.ts`); absent in relay custody, where Alexa's token is the provider's. */
  readonly linkedAccounts?: LinkedAccounts;
  /** Checks that a request is Alexa's (signature, certificate, timestamp); built from config when absent. */
  readonly requestVerifier?: RequestVerifier;
}

/** What hosting the skill (`POST /alexa`, or the simulator's in-process path) needs from the app. */
export interface SkillHostDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Time for the request verifier's timestamp and certificate-validity checks. */
  readonly clock: Clock;
  /** Parts of the skill tests replace (the account API client); built from config when absent. */
  readonly skill?: Partial<SkillDeps>;
  /** Where `POST /alexa`'s requests are counted; none when absent. */
  readonly metrics?: Metrics;
}
