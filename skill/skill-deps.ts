import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import type { AccountApi } from './account-api.client';

/** What the skill half reaches the outside through; tests replace these. */
export interface SkillDeps {
  /** The user's account API, called with the linked access token. */
  readonly accountApi: AccountApi;
}

/** What hosting the skill (`POST /alexa`, or the simulator's in-process path) needs from the app. */
export interface SkillHostDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** Parts of the skill tests replace (the account API client); built from config when absent. */
  readonly skill?: Partial<SkillDeps>;
}
