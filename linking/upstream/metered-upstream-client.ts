import type { Clock } from '../../models/clock';
import type { Metrics, ProviderCall, ProviderCallOutcome } from '../../models/metrics';
import { refreshRequestOf } from '../../models/provider-profile';
import { UpstreamClient, UpstreamRejectedError, UpstreamUnavailableError, type TokenCallOptions, type UpstreamClientOptions, type UpstreamTokens } from '../upstream-client';
import type { CallOptions } from './http-transport';

/**
 * The provider client, with every call to the provider's token and revocation endpoints timed and
 * counted by outcome (`linkbridge_provider_call_duration_seconds`): `ok`, `rejected` (the provider's own
 * error), or why there was no usable answer (`timeout`, `network`, `server` for a 5xx or 429, …). The
 * histogram's buckets sit around Alexa's 4.5 s, which a token request must fit in.
 */
export class MeteredUpstreamClient extends UpstreamClient {
  constructor(
    options: UpstreamClientOptions,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {
    super(options);
  }

  override exchangeCode(code: string, codeVerifier?: string, call?: TokenCallOptions): Promise<UpstreamTokens> {
    return this.metered('code', () => super.exchangeCode(code, codeVerifier, call));
  }

  override refresh(refreshToken: string, call?: TokenCallOptions): Promise<UpstreamTokens> {
    // A provider without refresh tokens is not called at all: nothing to time.
    if (!refreshRequestOf(this.profile)) return super.refresh(refreshToken, call);
    return this.metered('refresh', () => super.refresh(refreshToken, call));
  }

  override revoke(token: string, tokenTypeHint: 'refresh_token' | 'access_token', call?: CallOptions): Promise<boolean> {
    // A provider without a revocation endpoint is not called at all: nothing to time.
    if (!this.profile.revocationUrl) return super.revoke(token, tokenTypeHint, call);
    return this.metered('revocation', () => super.revoke(token, tokenTypeHint, call));
  }

  private async metered<T>(call: ProviderCall, run: () => Promise<T>): Promise<T> {
    const started = this.clock.now();
    try {
      const result = await run();
      this.metrics.providerCall(call, 'ok', this.elapsedSecondsSince(started));
      return result;
    } catch (error) {
      this.metrics.providerCall(call, outcomeOf(error), this.elapsedSecondsSince(started));
      throw error;
    }
  }

  private elapsedSecondsSince(started: number): number {
    return Math.max(0, this.clock.now() - started) / 1000;
  }
}

/** A failed call's outcome: the provider refused, or the reason it gave no usable answer. */
function outcomeOf(error: unknown): ProviderCallOutcome {
  if (error instanceof UpstreamRejectedError) return 'rejected';
  if (error instanceof UpstreamUnavailableError) return error.reason;
  return 'network';
}
