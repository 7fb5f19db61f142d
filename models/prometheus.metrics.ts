import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import {
  ACCOUNT_API_OUTCOMES,
  AUTHORIZATION_OUTCOMES,
  bounded,
  CALLBACK_OUTCOMES,
  CODE_REDEMPTION_OUTCOMES,
  REFRESH_OUTCOMES,
  PROVIDER_CALL_OUTCOMES,
  PROVIDER_CALLS,
  SKILL_OUTCOMES,
  STORE_OPERATIONS,
  type AccountApiOutcome,
  type AuthorizationOutcome,
  type CallbackOutcome,
  type CodeRedemptionOutcome,
  type RefreshOutcome,
  type Metrics,
  type ProviderCall,
  type ProviderCallOutcome,
  type SkillOutcome,
  type StoreOperation,
} from './metrics';

/**
 * Seconds buckets for the provider's token calls, closest around Alexa's 4.5 s: a rising share above
 * 3 s is a provider about to make Alexa give up (`UPSTREAM_TIMEOUT_MS` is 3 s by default, at most 4 s).
 * @see https://developer.amazon.com/en-US/docs/alexa/account-linking/requirements-account-linking.html
 */
export const PROVIDER_CALL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 3.5, 4, 4.5, 5, 7.5, 10, 15];

/** Seconds buckets for the account API, up to Alexa's 8 s for a skill's whole answer. */
export const ACCOUNT_API_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 6, 8];

/**
 * {@link Metrics} in Prometheus's text format, with prom-client, in a registry of its own (so two apps
 * in one process never count into each other). Every series of the funnel starts at 0, so a `rate()` over
 * it has a value from the first scrape. Node's process metrics (CPU, memory, event loop lag, GC, handles)
 * are collected too, under prom-client's standard names.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly authorizations: Counter<'outcome'>;
  private readonly callbacks: Counter<'outcome'>;
  private readonly codeRedemptions: Counter<'outcome'>;
  private readonly refreshes: Counter<'outcome'>;
  private readonly providerCalls: Histogram<'call' | 'outcome'>;
  private readonly accountApiCalls: Histogram<'outcome'>;
  private readonly skillRequests: Counter<'request' | 'outcome'>;
  private readonly storeFailures: Counter<'operation'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.authorizations = new Counter({ name: 'linkbridge_authorization_requests_total', help: 'GET /oauth/authorize requests, by how they ended', labelNames: ['outcome'], registers });
    this.callbacks = new Counter({ name: 'linkbridge_callbacks_total', help: "The provider's callbacks (GET /oauth/callback), by what Alexa or the browser got", labelNames: ['outcome'], registers });
    this.codeRedemptions = new Counter({ name: 'linkbridge_code_redemptions_total', help: "linkbridge's codes presented by Alexa at the token endpoint, by outcome", labelNames: ['outcome'], registers });
    this.refreshes = new Counter({ name: 'linkbridge_refreshes_total', help: "Alexa's refresh requests at the token endpoint, by outcome", labelNames: ['outcome'], registers });
    this.providerCalls = new Histogram({
      name: 'linkbridge_provider_call_duration_seconds',
      help: "Calls to the provider's token and revocation endpoints, by call and outcome",
      labelNames: ['call', 'outcome'],
      buckets: PROVIDER_CALL_BUCKETS,
      registers,
    });
    this.accountApiCalls = new Histogram({ name: 'linkbridge_account_api_call_duration_seconds', help: 'Calls to the account API, by outcome', labelNames: ['outcome'], buckets: ACCOUNT_API_BUCKETS, registers });
    this.skillRequests = new Counter({ name: 'linkbridge_skill_requests_total', help: 'POST /alexa requests, by intent (or request type) and outcome', labelNames: ['request', 'outcome'], registers });
    this.storeFailures = new Counter({ name: 'linkbridge_store_failures_total', help: 'Store operations that failed (unreachable, busy, closed), by operation', labelNames: ['operation'], registers });

    for (const outcome of AUTHORIZATION_OUTCOMES) this.authorizations.inc({ outcome }, 0);
    for (const outcome of CALLBACK_OUTCOMES) this.callbacks.inc({ outcome }, 0);
    for (const outcome of CODE_REDEMPTION_OUTCOMES) this.codeRedemptions.inc({ outcome }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.inc({ outcome }, 0);
    for (const operation of STORE_OPERATIONS) this.storeFailures.inc({ operation }, 0);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  authorizationRequest(outcome: AuthorizationOutcome): void {
    this.authorizations.inc({ outcome: bounded(outcome, AUTHORIZATION_OUTCOMES, 'error_page') });
  }

  callback(outcome: CallbackOutcome): void {
    this.callbacks.inc({ outcome: bounded(outcome, CALLBACK_OUTCOMES, 'server_error') });
  }

  codeRedemption(outcome: CodeRedemptionOutcome): void {
    this.codeRedemptions.inc({ outcome: bounded(outcome, CODE_REDEMPTION_OUTCOMES, 'server_error') });
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome: bounded(outcome, REFRESH_OUTCOMES, 'server_error') });
  }

  providerCall(call: ProviderCall, outcome: ProviderCallOutcome, seconds: number): void {
    this.providerCalls.observe({ call: bounded(call, PROVIDER_CALLS, 'code'), outcome: bounded(outcome, PROVIDER_CALL_OUTCOMES, 'network') }, seconds);
  }

  accountApiCall(outcome: AccountApiOutcome, seconds: number): void {
    this.accountApiCalls.observe({ outcome: bounded(outcome, ACCOUNT_API_OUTCOMES, 'unavailable') }, seconds);
  }

  skillRequest(request: string, outcome: SkillOutcome): void {
    // The skill bounds `request` to the intents and request types it knows; the length cap is a second fence.
    this.skillRequests.inc({ request: /^[A-Za-z.]{1,64}$/.test(request) ? request : 'other', outcome: bounded(outcome, SKILL_OUTCOMES, 'failed') });
  }

  storeFailure(operation: StoreOperation): void {
    this.storeFailures.inc({ operation: bounded(operation, STORE_OPERATIONS, 'get') });
  }

  /** The exposition: every metric of this registry in Prometheus's text format. */
  async text(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The metrics listener's one route: `GET /metrics` (and `HEAD`); anything else is `404`. It listens on
 * `METRICS_PORT`, apart from the port the proxy publishes, so the metrics are never on the internet.
 */
export function metricsRequestHandler(metrics: PrometheusMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at GET /metrics\n');
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the metrics could not be collected\n'),
    );
  };
}
