import type { Logger } from '../../models/logger';
import { oauthOutcome } from '../../models/metrics';
import { credentialDigest } from '../credential-digest';
import { InvalidGrantError } from '../errors';
import { codeExchanged, providerCallAnswered, tokensIssuedForCode } from '../flow-log';
import { bindingOf, bindingProblem, IssuedCodes, type ExchangedCode, type PresentedCode } from '../issued-code';
import type { LinkingDeps } from '../linking-deps';
import { requireParam } from '../params';
import { toAlexaTokenResponse, type AlexaTokenResponse } from '../token-response';
import { UpstreamRejectedError } from '../upstream-client';
import { vaultOf } from '../vault/vault';
import type { GrantHandler } from './grant';
import { AnswerBudget } from './answer-budget';
import { grantRefusal } from './grant-refusal';
import { ProviderCallOnce } from './provider-call-once';

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6: the code is ours, unexpired, unused, bound to client and redirect
 * URI. One instance at a time exchanges it with the provider. The code dies when the provider settles
 * it (tokens, or a refusal) or when it is presented with the wrong bindings; a transient provider
 * failure or a crash during the exchange leaves it for Alexa's retry. Tokens the provider gave go to
 * exactly one request: the one that waited for them, or Alexa's retry when the exchange outlived its
 * budget.
 */
export function authorizationCodeGrant(deps: LinkingDeps): GrantHandler {
  const { store, clock, logger, config } = deps;
  const codes = new IssuedCodes(store);
  const once = new ProviderCallOnce({ store, clock, logger, lockTtlMs: config.tokenReplay.lockTtlMs });

  return async ({ params, clientId, log }) => {
    const code = requireParam(params, 'code');
    const redirectUri = requireParam(params, 'redirect_uri');
    const presented: PresentedCode = { clientId, redirectUri, verifier: params.get('code_verifier') };
    const budget = new AnswerBudget(clock, config.upstream.timeoutMs);
    /** The request's log, with the flow id once the code is known, so every line of it names its flow. */
    let flowLog = log;
    let flowId: string | undefined;
    const knownFlow = (id: string): void => {
      if (flowId !== undefined) return;
      flowId = id;
      flowLog = log.child({ flowId: id });
    };

    /** Done when the tokens are waiting, or when there is nothing left to exchange. */
    const settled = async (): Promise<boolean> => {
      if ((await codes.peekExchanged(code)) !== undefined) return true;
      const issued = await codes.find(code);
      if (!issued) return true;
      knownFlow(issued.flowId);
      const problem = bindingProblem(issued, presented);
      if (problem) {
        // A code presented with the wrong bindings is dead whatever happens next (§4.1.2, §10.5).
        await codes.spend(code);
        throw new InvalidGrantError(problem);
      }
      return false;
    };
    const exchange = async (): Promise<void> => {
      const issued = await codes.find(code);
      if (!issued) return;
      knownFlow(issued.flowId);
      let tokens;
      try {
        tokens = await deps.upstream.exchangeCode(issued.upstreamCode, issued.upstreamCodeVerifier, {
          timeoutMs: config.tokenReplay.providerDeadlineMs,
          observe: (call) => providerCallAnswered(flowLog, call),
        });
      } catch (error) {
        // The provider settled the code (it refused the grant): dead. Anything else, a timeout or an
        // outage included, leaves it for Alexa's retry.
        if (error instanceof UpstreamRejectedError && error.meaning === 'invalid_grant') await codes.spend(code);
        throw error;
      }
      // Vault custody keeps the provider's grant as a link; relay custody keeps the tokens for Alexa.
      const kept =
        config.tokenCustody === 'vault'
          ? { linkId: await vaultOf(deps).keep(tokens, 'code', flowLog) }
          : { response: toAlexaTokenResponse(tokens, { defaultExpiresIn: config.defaultExpiresIn, log: logger }) };
      const exchanged: ExchangedCode = { ...bindingOf(issued), flowId: issued.flowId, ...kept };
      // Tokens first, then the code dies: a crash in between leaves the tokens for the retry.
      await codes.keepExchanged(code, exchanged, clock.now() + config.tokenReplay.windowSeconds * 1000);
      await codes.spend(code);
      codeExchanged(logger, issued.flowId);
    };

    try {
      await once.ensure(`code:${credentialDigest(code)}`, budget, settled, exchange);
      const taken = await handOver(codes, code, presented, log);
      const answer = await answerFor(taken, deps, () => codes.keepExchanged(code, taken, clock.now() + config.tokenReplay.windowSeconds * 1000));
      deps.metrics.codeRedemption('ok');
      return answer;
    } catch (error) {
      const refusal = grantRefusal(error, flowLog);
      refusal.flowId ??= flowId;
      deps.metrics.codeRedemption(oauthOutcome(refusal.error));
      throw refusal;
    }
  };
}

/** The tokens for the code, to one request only; everyone else gets `invalid_grant`. */
async function handOver(codes: IssuedCodes, code: string, presented: PresentedCode, log: Logger) {
  const waiting = await codes.peekExchanged(code);
  if (!waiting) throw new InvalidGrantError('the authorization code is invalid, expired or already used');
  const problem = bindingProblem(waiting, presented);
  if (problem) throw new InvalidGrantError(problem);
  const taken = await codes.takeExchanged(code);
  if (!taken) throw new InvalidGrantError('the authorization code is invalid, expired or already used');
  tokensIssuedForCode(log, taken.flowId);
  return taken;
}

/**
 * Alexa's tokens for what the code was exchanged for: the provider's (relay), or linkbridge's own, made
 * now for the link (vault). When those cannot be written, the exchange is put back for Alexa's retry.
 */
async function answerFor(taken: ExchangedCode, deps: LinkingDeps, putBack: () => Promise<void>): Promise<AlexaTokenResponse> {
  if (taken.response) return taken.response;
  if (taken.linkId === undefined) throw new InvalidGrantError('the authorization code is invalid, expired or already used');
  try {
    return await vaultOf(deps).issueTokens(taken.linkId);
  } catch (error) {
    await putBack().catch(() => undefined);
    throw error;
  }
}
