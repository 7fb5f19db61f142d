import { credentialDigest } from '../credential-digest';
import type { Logger } from '../../models/logger';
import { describeCause } from '../../models/logger';
import { judge, whatToCheck, type ProviderFailure } from '../upstream-errors';
import { UpstreamRejectedError } from '../upstream/upstream-failures';

/**
 * The vault's log lines (`TOKEN_CUSTODY=vault`), each naming its link by a reference (`link`: the start
 * of a hash of the link's id, which nothing accepts as a credential) and never a token; documented in
 * docs/troubleshooting.md ("Vault custody in the log").
 */

/** A short, stable reference to a link for the log. */
export function linkReference(linkId: string): string {
  return credentialDigest(linkId).slice(0, 12);
}

/** A new link holds the provider's grant. */
export function linkKept(log: Logger, linkId: string, facts: { readonly from: 'code' | 'implicit' | 'relay-refresh-token'; readonly expiresIn?: number; readonly rotates?: boolean }): void {
  log.info({ link: linkReference(linkId), from: facts.from, providerExpiresIn: facts.expiresIn ?? null, providerRefreshToken: facts.rotates ?? null }, "the provider's grant is kept in a new link");
}

/** Alexa's refresh was answered from the link, without a provider call. */
export function vaultRefreshAnswered(log: Logger, linkId: string): void {
  log.info({ link: linkReference(linkId) }, "Alexa's refresh answered from the link; no provider call");
}

/** Alexa's refresh named a link that is gone or dead. */
export function vaultRefreshRefused(log: Logger, reason: string): void {
  log.info({ reason }, "Alexa's refresh refused: invalid_grant, so the Alexa app asks the user to link again");
}

/** The link's grant was refreshed at the provider and written before it was used. */
export function grantRefreshed(log: Logger, linkId: string, facts: { readonly rotated: boolean; readonly expiresIn?: number }): void {
  log.info({ link: linkReference(linkId), rotated: facts.rotated, providerExpiresIn: facts.expiresIn ?? null }, "the link's grant was refreshed at the provider and written");
}

/** The provider refused the grant's refresh with its own `invalid_grant`: the link is dead. */
export function linkDied(log: Logger, linkId: string, reason: string): void {
  log.warn({ link: linkReference(linkId), reason }, 'the link is dead: the skill asks the user to link again, and Alexa gets invalid_grant at its next refresh');
}

/** A passing failure while refreshing the grant: the link stays as it was. */
export function grantRefreshFailed(log: Logger, linkId: string, failure: ProviderFailure): void {
  const facts =
    failure instanceof UpstreamRejectedError
      ? { upstreamUrl: failure.url, upstreamStatus: failure.httpStatus, providerError: failure.error.slice(0, 64), meaning: failure.meaning ?? 'unmapped' }
      : { upstreamUrl: failure.url, upstreamStatus: failure.httpStatus, cause: failure.causeCode ?? failure.reason };
  log.warn({ link: linkReference(linkId), ...facts, verdict: judge(failure), check: whatToCheck(failure) }, "the link's grant could not be refreshed; the link is kept");
}

/** The refreshed grant could not be written: this process keeps it and tries again. */
export function grantWriteFailed(log: Logger, linkId: string, cause: unknown): void {
  log.error({ link: linkReference(linkId), cause: describeCause(cause) }, 'the store refused the refreshed grant; this process keeps it and writes it again');
}

/** A link ended (skill disabled, account linked again), and what the provider said to the revocation. */
export function linkEnded(log: Logger, linkId: string, facts: { readonly why: string; readonly revoked: 'yes' | 'no endpoint' | 'no grant' | 'failed' }): void {
  log.info({ link: linkReference(linkId), why: facts.why, revokedAtProvider: facts.revoked }, 'the link ended and was deleted');
}

/** A revocation the provider did not accept. */
export function revocationFailed(log: Logger, linkId: string, failure: unknown): void {
  log.warn({ link: linkReference(linkId), cause: describeCause(failure) }, "the provider did not confirm the revocation; the link is deleted all the same, the provider's tokens expire on their own");
}

/** A background task of the vault (renewal, re-sealing, skill events) failed; nothing was lost that a later request cannot redo. */
export function vaultTaskFailed(log: Logger, task: string, cause: unknown): void {
  log.warn({ task, cause: describeCause(cause) }, 'a vault task failed; it runs again on a later request');
}
