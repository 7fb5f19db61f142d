import type { Config } from '../../models/config';
import type { Exchange } from './http-probe';
import { skipped, type Finding } from './report';

/** Alexa waits this long for linkbridge's token answer, which includes the provider's. @see ../../docs/how-linking-works.md */
export const ALEXA_TOKEN_BUDGET_MS = 4500;
/** Above this, one slow moment at the provider is enough to miss the budget. */
export const SLOW_PROVIDER_MS = 2000;

/**
 * Each token request from Alexa waits for one call to the provider's token endpoint: the time that call
 * took here, against `UPSTREAM_TIMEOUT_MS` and Alexa's 4.5 s.
 */
export function checkLatency(config: Config, tokenExchange: Exchange): Finding[] {
  if (!tokenExchange.answered) {
    return [skipped('latency', 'token-endpoint', 'needs an answer from the token endpoint')];
  }
  const took = tokenExchange.durationMs;
  const details = { 'token endpoint answered in': `${took} ms`, 'UPSTREAM_TIMEOUT_MS': config.upstream.timeoutMs, "Alexa's budget": `${ALEXA_TOKEN_BUDGET_MS} ms` };
  if (took >= ALEXA_TOKEN_BUDGET_MS) {
    return [
      {
        check: 'latency',
        severity: 'error',
        message: `the provider's token endpoint took ${took} ms; Alexa gives up after ${ALEXA_TOKEN_BUDGET_MS} ms and reports that linking failed`,
        setting: 'the provider (or the network between it and linkbridge)',
        fix: "run linkbridge in the provider's region, or ask the provider why its token endpoint is slow",
        details,
      },
    ];
  }
  if (took > config.upstream.timeoutMs) {
    return [
      {
        check: 'latency',
        severity: 'error',
        message: `the provider's token endpoint took ${took} ms, longer than UPSTREAM_TIMEOUT_MS (${config.upstream.timeoutMs} ms): the service would give up and answer Alexa 503`,
        setting: 'UPSTREAM_TIMEOUT_MS',
        fix: `raise UPSTREAM_TIMEOUT_MS above ${took} (4000 at most), or make the provider answer sooner`,
        details,
      },
    ];
  }
  if (took > SLOW_PROVIDER_MS) {
    return [
      {
        check: 'latency',
        severity: 'warning',
        message: `the provider's token endpoint took ${took} ms: little is left of Alexa's ${ALEXA_TOKEN_BUDGET_MS} ms for the rest of the round trip`,
        setting: 'the provider (or the network between it and linkbridge)',
        fix: "run linkbridge close to the provider, and run the doctor again to see whether it was a passing slowness",
        details,
      },
    ];
  }
  return [{ check: 'latency', severity: 'ok', message: `the token endpoint answered in ${took} ms (Alexa waits ${ALEXA_TOKEN_BUDGET_MS} ms)` }];
}
