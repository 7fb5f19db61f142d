import type { Clock } from '../models/clock';
import type { Metrics } from '../models/metrics';
import { AccountApiError, type AccountApi, type AccountProfile } from './account-api.client';

/**
 * Times every call to the account API and counts it by outcome (`linkbridge_account_api_call_duration_seconds`):
 * `ok`, or the kind of {@link AccountApiError} (`unauthorized` is a link the user must renew). The profile
 * and the token never leave this call.
 */
export class MeteredAccountApi implements AccountApi {
  constructor(
    private readonly inner: AccountApi,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  async fetchProfile(accessToken: string, identity?: Readonly<Record<string, string>>): Promise<AccountProfile> {
    const started = this.clock.now();
    try {
      const profile = await this.inner.fetchProfile(accessToken, identity);
      this.metrics.accountApiCall('ok', this.secondsSince(started));
      return profile;
    } catch (error) {
      this.metrics.accountApiCall(error instanceof AccountApiError ? error.kind : 'unavailable', this.secondsSince(started));
      throw error;
    }
  }

  private secondsSince(started: number): number {
    return Math.max(0, this.clock.now() - started) / 1000;
  }
}
