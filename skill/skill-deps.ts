import type { AccountApi } from './account-api.client';

/** What the skill half reaches the outside through; tests replace these. */
export interface SkillDeps {
  /** The user's account API, called with the linked access token. */
  readonly accountApi: AccountApi;
}
