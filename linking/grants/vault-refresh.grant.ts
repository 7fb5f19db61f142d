import { oauthOutcome } from '../../models/metrics';
import { credentialDigest } from '../credential-digest';
import { TemporarilyUnavailableError } from '../errors';
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
      if (isVaultToken(refreshToken, 'refresh')) {
        const answer = await vault.refreshForAlexa(refreshToken, log);
        deps.metrics.refresh('ok');
        return answer;
      }

      const digest = credentialDigest(refreshToken);
      const budget = new AnswerBudget(clock, config.upstream.timeoutMs);
      let linkId: string | undefined;
      const migrated = async (): Promise<boolean> => {
        linkId = await vault.migratedLink(refreshToken);
        return linkId !== undefined;
      };
      const keptByRelay = async (): Promise<UpstreamTokens | undefined> => {
        const kept = parseAnswer(await store.get(refreshAnswerKey(digest)), clock.now());
        return kept && { accessToken: kept.access_token, refreshToken: kept.refresh_token, expiresIn: kept.expires_in, scope: kept.scope };
      };
      const become = async (tokens: UpstreamTokens): Promise<void> => {
        // A provider that does not rotate sends no refresh token: the one Alexa presented stays the grant's.
        const made = await vault.keep({ ...tokens, refreshToken: tokens.refreshToken ?? refreshToken }, 'relay-refresh-token', log);
        await vault.rememberMigration(refreshToken, made);
        linkId = made;
      };
      // Relay custody's kept answer to this token stands for its lock (its lock then lapses on its own), as in relay custody.
      const settled = async (): Promise<boolean> => (await migrated()) || (await keptByRelay()) !== undefined;
      await once.ensure(`refresh:${digest}`, budget, settled, async () => become(await deps.upstream.refresh(refreshToken, { timeoutMs: config.tokenReplay.providerDeadlineMs })));
      if (linkId === undefined) {
        // Relay custody refreshed this very token a moment ago: its answer is the grant now, made a link once.
        await once.ensure(`relay-takeover:${digest}`, budget, migrated, async () => {
          const tokens = await keptByRelay();
          if (!tokens) throw new TemporarilyUnavailableError('the refresh is being taken over; try again');
          await become(tokens);
        });
      }
      const answer = await vault.issueTokens(linkId!);
      deps.metrics.refresh('ok');
      return answer;
    } catch (error) {
      const refusal = grantRefusal(error, log);
      deps.metrics.refresh(oauthOutcome(refusal.error));
      throw refusal;
    }
  };
}
