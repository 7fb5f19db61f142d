/**
 * What the facts of `doctor --link` mean for Alexa's users: one finding per step (an error when linking
 * would not work, or every link would die on a schedule; a warning when links can die for some users or
 * a setting should change) and the verdict: the custody mode, the replay window, the scopes to add and
 * what to change in the provider's console.
 * @see ../../../docs/troubleshooting.md "npm run doctor -- --link"
 */
import { ALEXA_TOKEN_BUDGET_MS, SLOW_PROVIDER_MS } from '../latency.check';
import { skipped, type Finding, type LinkCheckId } from '../report';
import { assessConcurrent, assessRefresh, assessReuse, assessRevocation } from './grant-assessment';
import type { LinkFacts, LinkSettings } from './link-facts';
import { assessAccountApi, assessExchange, assessOfflineAccess } from './token-assessment';
import { VerdictNotes } from './verdict-notes';

export { duration } from './verdict-notes';

/** The settings to use, with why. */
export interface LinkVerdict {
  /** True when linking would work as configured: no finding is an error. */
  readonly works: boolean;
  /** Each error, in one line, naming its check. */
  readonly reasons: readonly string[];
  readonly custody: { readonly setting: 'TOKEN_CUSTODY'; readonly configured: 'relay' | 'vault'; readonly recommended: 'relay' | 'vault'; readonly why: string };
  readonly replayWindow: { readonly setting: 'TOKEN_REPLAY_WINDOW_SECONDS'; readonly configured: number; readonly recommended: number; readonly why: string };
  readonly scope: { readonly setting: 'UPSTREAM_SCOPE'; readonly add: readonly string[]; readonly value?: string };
  /** What to change in the provider's settings for linkbridge's client: nothing linkbridge can set. */
  readonly providerConsole: readonly string[];
}

/** The findings of the link steps and the verdict, from the facts and the settings the service would use. */
export function assessLink(facts: LinkFacts, settings: LinkSettings, earlierFindings: readonly Finding[] = []): { findings: Finding[]; verdict: LinkVerdict } {
  const notes = new VerdictNotes();
  const findings: Finding[] = [];
  const exchange = facts.exchange;
  if (!exchange) {
    // The sign-in or the exchange failed (its own finding says how): nothing after it could run.
    const steps: LinkCheckId[] = ['link-account-api', 'link-refresh', 'link-reuse', 'link-concurrent', 'link-revocation'];
    const blocker = facts.calls.length === 0 ? 'link-sign-in' : 'link-exchange';
    if (blocker === 'link-sign-in') steps.unshift('link-exchange');
    findings.push(...steps.map((check) => skipped(check, blocker, 'needs the tokens of the code exchange')));
  } else {
    findings.push(...assessExchange(exchange, settings, notes));
    if (facts.accountApi) findings.push(...assessAccountApi(facts.accountApi));
    const offline = facts.openId ? assessOfflineAccess(facts.openId, exchange, settings, notes) : [];
    const offlineExplains = offline.some((finding) => finding.severity === 'error' || finding.severity === 'warning') && !exchange.refreshToken;
    if (facts.grant) {
      findings.push(...assessRefresh(facts.grant.refresh, exchange, settings, notes, offlineExplains));
      findings.push(...assessReuse(facts.grant.reuse, settings, notes));
      findings.push(...assessConcurrent(facts.grant.concurrent));
      findings.push(...offline);
      findings.push(...assessRevocation(facts.grant.revocation, facts.provider, settings, notes));
    } else {
      findings.push(...offline);
    }
  }
  findings.push(...assessLatency(facts, settings));

  const errors = [...earlierFindings, ...findings].filter((finding) => finding.severity === 'error');
  // Nothing learned (the sign-in or a refresh failed): the configured mode stands.
  const recommended = notes.vaultBecause.length > 0 ? 'vault' : notes.relaySafeBecause.length > 0 ? 'relay' : settings.custody;
  const scopeValue = notes.scopeAdditions.length > 0 ? [...new Set([...(exchange?.scopeAsked ?? []), ...notes.scopeAdditions])].join(' ') : undefined;
  return {
    findings,
    verdict: {
      works: errors.length === 0,
      reasons: errors.map((finding) => `${finding.check}: ${finding.message}`),
      custody: {
        setting: 'TOKEN_CUSTODY',
        configured: settings.custody,
        recommended,
        why:
          notes.vaultBecause.length > 0
            ? `vault mode is needed: ${notes.vaultBecause.join('; ')}`
            : notes.relaySafeBecause.length > 0
              ? `relay is safe: ${notes.relaySafeBecause.join('; ')}`
              : 'not known: the run could not test how the provider refreshes',
      },
      replayWindow: {
        setting: 'TOKEN_REPLAY_WINDOW_SECONDS',
        configured: settings.replayWindowSeconds,
        recommended: notes.replayWindow?.recommended ?? settings.replayWindowSeconds,
        why: notes.replayWindow?.why ?? 'not known: the refresh could not be tested',
      },
      scope: { setting: 'UPSTREAM_SCOPE', add: notes.scopeAdditions, ...(scopeValue ? { value: scopeValue } : {}) },
      providerConsole: notes.console,
    },
  };
}

function assessLatency(facts: LinkFacts, settings: LinkSettings): Finding[] {
  if (facts.calls.length === 0) return [skipped('link-latency', 'link-sign-in', 'needs a provider call')];
  const durations = facts.calls.map((call) => call.durationMs).sort((a, b) => a - b);
  const p50 = durations[Math.ceil(durations.length / 2) - 1];
  const worstCall = facts.calls.reduce((slowest, call) => (call.durationMs > slowest.durationMs ? call : slowest));
  const worst = worstCall.durationMs;
  const details = { calls: facts.calls.map((call) => `${call.call}: ${call.durationMs} ms${call.status === undefined ? '' : ` (HTTP ${call.status})`}`) };
  const summary = `${facts.calls.length} provider call${facts.calls.length === 1 ? '' : 's'}: p50 ${p50} ms, worst ${worst} ms (${worstCall.call})`;
  const slowProvider = 'the provider (or the network between it and linkbridge)';
  if (worst >= ALEXA_TOKEN_BUDGET_MS) {
    return [
      {
        check: 'link-latency',
        severity: 'error',
        message: `${summary}; Alexa gives up on linkbridge's token answer after ${ALEXA_TOKEN_BUDGET_MS} ms and reports that linking failed`,
        setting: slowProvider,
        fix: "run linkbridge in the provider's region, or ask the provider why its token endpoint is slow",
        details,
      },
    ];
  }
  if (worst > settings.upstreamTimeoutMs) {
    return [
      {
        check: 'link-latency',
        severity: 'error',
        message: `${summary}, longer than UPSTREAM_TIMEOUT_MS (${settings.upstreamTimeoutMs} ms): Alexa would be told 503 while the call goes on`,
        setting: 'UPSTREAM_TIMEOUT_MS',
        fix: `raise UPSTREAM_TIMEOUT_MS above ${worst} (4000 at most), or make the provider answer sooner`,
        details,
      },
    ];
  }
  if (p50 > SLOW_PROVIDER_MS) {
    return [
      {
        check: 'link-latency',
        severity: 'warning',
        message: `${summary}: little is left of Alexa's ${ALEXA_TOKEN_BUDGET_MS} ms for the rest of the round trip`,
        setting: slowProvider,
        fix: 'run linkbridge close to the provider',
        details,
      },
    ];
  }
  return [{ check: 'link-latency', severity: 'ok', message: `${summary} (Alexa waits ${ALEXA_TOKEN_BUDGET_MS} ms)`, details }];
}
