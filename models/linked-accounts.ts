/**
 * What the skill needs of the linking half in vault custody (`TOKEN_CUSTODY=vault`), where Alexa holds
 * linkbridge's tokens and linkbridge keeps the provider's grant: an interface here, implemented by the
 * vault (`linking/vault/`) and wired in `deps.ts`, so the skill never imports `linking/`.
 */

/** The provider's side of a link, as the account API needs it. */
export interface ProviderCredentials {
  /** The provider's current access token. */
  readonly accessToken: string;
  /**
   * The fields that identify the user, from the provider's token answer (`token.answer.identity` in the
   * profile: WeChat's `openid` as `userId`), by their profile name and by the answer's own name.
   */
  readonly identity: Readonly<Record<string, string>>;
}

/**
 * What Alexa's token stands for now: the provider's credentials; `expired` when the link is gone or
 * dead (the user must link again); `unavailable` when the provider or the store could not answer in
 * time (the link stays as it was; the user may ask again).
 */
export type LinkLookup =
  | { readonly status: 'linked'; readonly credentials: ProviderCredentials }
  | { readonly status: 'expired'; readonly reason: string }
  | { readonly status: 'unavailable'; readonly reason: string };

/** The links the skill's users made, resolved in-process. */
export interface LinkedAccounts {
  /**
   * Turns the access token Alexa sent with a request into the provider's current credentials, refreshing
   * the provider's grant first when it is about to expire. `userId` is Alexa's user id, bound to the link
   * on first use so a `SkillDisabled` event finds it.
   */
  resolve(alexaAccessToken: string, userId: string | undefined): Promise<LinkLookup>;
  /**
   * `SkillAccountLinked`: binds the user to the new link and ends an earlier link of the same user.
   * Returns at once; the work goes on in the background.
   */
  accountLinked(userId: string, alexaAccessToken: string | undefined): void;
  /** `SkillDisabled`: ends the user's link (deleted, revoked at the provider). Returns at once, as above. */
  skillDisabled(userId: string, alexaAccessToken: string | undefined): void;
}
