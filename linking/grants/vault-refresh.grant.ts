import { credentialDigest } from '../credential-digest';
import type { LinkingDeps } from '../linking-deps';
import { requireParam } from '../params';
import type { UpstreamTokens } from '../upstream-client';
import { vaultOf } from '../vault/vault';
import { isVaultToken } from '../vault/vault-tokens';
import type { GrantHandler } from './grant';
import { AnswerBudget } from './answer-budget';
import { grantRefusal } from './grant-refusal';
import { ProviderCallOnce } from './provider-call-once';
import { parseAnswer, refreshAnswerKey } from './refresh-token.grant';

/**
 * RFC 6749 §6 in vault custody. With one of linkbridge's refresh tokens: a new access token for a live
 * link, no provider call, as often and as concurrently as Alexa likes; `invalid_grant` only for a link
 * that is gone or dead.
 *
 * Any other refresh token is the provider's own, which Alexa got in relay custody: it is refreshed at the
 * provider once (under the same lock, and after the same look for a kept answer, as relay custody's
 * refresh, so instances of both custodies behind one address during a switch never present it twice),
 * the answer becomes a link, and Alexa gets linkbridge's tokens. A retry with the same provider token
 * finds the link it became.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function vaultRefreshGrant(deps: LinkingDeps): GrantHandler {
  const { store, clock, logger, config } = deps;
  const once = new ProviderCallOnce({ store, clock, logger, lockTtlMs: config.tokenReplay.lockTtlMs });

  return async ({ params, log }) => {
    const refreshToken = requireParam(params, 'refresh_token');
    const vault = vaultOf(deps);
    try {
      if (isVaultToken(refreshToken, 'refresh')) return await vault.refreshForAlexa(refreshToken, log);

      const digest = credentialDigest(refreshToken);
      const budget = new AnswerBudget(clock, config.upstream.timeoutMs);
      let linkId: string | undefined;
      const settled = async (): Promise<boolean> => {
        linkId = await vault.migratedLink(refreshToken);
        return linkId !== undefined;
      };
      const takeOver = async (): Promise<void> => {
        // Relay custody may have refreshed this very token a moment ago: its kept answer is the grant now.
        const kept = parseAnswer(await store.get(refreshAnswerKey(digest)), clock.now());
        const tokens: UpstreamTokens = kept
          ? { accessToken: kept.access_token, refreshToken: kept.refresh_token, expiresIn: kept.expires_in, scope: kept.scope }
          : await deps.upstream.refresh(refreshToken, { timeoutMs: config.tokenReplay.providerDeadlineMs });
        const made = await vault.keep({ ...tokens, refreshToken: tokens.refreshToken ?? refreshToken }, 'relay-refresh-token', log);
        await vault.rememberMigration(refreshToken, made);
        linkId = made;
      };
      await once.ensure(`refresh:${digest}`, budget, settled, takeOver);
      return await vault.issueTokens(linkId!);
    } catch (error) {
      throw grantRefusal(error, log);
    }
  };
}
