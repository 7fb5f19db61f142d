import type { AccountApi } from './account-api.client';
import type { RequestVerifier } from './request-verifier/alexa-request-verifier';

/** What the skill half reaches the outside through; tests replace these. */
export interface SkillDeps {
  /** The user's account API, called with the linked access token. */
  readonly accountApi: AccountApi;
  /** Checks that a request is Alexa's (signature, certificate, timestamp); built from config when absent. */
  readonly requestVerifier?: RequestVerifier;
}
