import type { DeadlineTimers } from '../models/deadline';
import { TransportError, type HttpTransport, type IncomingResponse } from '../models/outbound-http';
import { AxiosTransport } from './account-api.transport';

/** A user's profile as the account API returns it (OpenID Connect userinfo claims by default). */
export type AccountProfile = Readonly<Record<string, unknown>>;

/** Why the account API gave no profile. */
export class AccountApiError extends Error {
  constructor(
    /** `unauthorized`: the token was refused (401/403), so the link must be renewed. */
    readonly kind: 'unauthorized' | 'unavailable' | 'not_configured',
    readonly httpStatus?: number,
    readonly reason?: string,
  ) {
    super(`account API ${kind}${httpStatus ? ` (HTTP ${httpStatus})` : ''}${reason ? `: ${reason}` : ''}`);
  }
}

/** Largest account API answer read, counted after decompression; a profile is a few hundred bytes. */
export const MAX_PROFILE_BYTES = 256 * 1024;

/** Reads the linked user's profile. */
export interface AccountApi {
  fetchProfile(accessToken: string): Promise<AccountProfile>;
}

/**
 * The account API's own transport: axios with keep-alive connections, no redirects, at most
 * {@link MAX_PROFILE_BYTES}, and a deadline (`timeoutMs`) over the whole exchange that runs on `timers`.
 */
export function accountApiTransport(timeoutMs: number, timers?: DeadlineTimers): HttpTransport {
  return new AxiosTransport({ timeoutMs, maxResponseBytes: MAX_PROFILE_BYTES, timers });
}

/**
 * The account API over HTTP: `GET ACCOUNT_API_URL` with `Authorization: Bearer <token>`, through a
 * transport whose deadline (`timeoutMs`) covers the whole exchange, so the skill answers well inside
 * Alexa's 8 s even when the API trickles its answer. Errors never carry the request (and so the token).
 * @see ../shared/ALEXA-LINKING.md "The skill side" (Alexa gives a skill 8 s to answer)
 */
export class AccountApiClient implements AccountApi {
  constructor(
    private readonly url: string | undefined,
    private readonly timeoutMs: number,
    /** How the call crosses the network; {@link accountApiTransport} when absent. */
    private readonly transport: HttpTransport = accountApiTransport(timeoutMs),
  ) {}

  async fetchProfile(accessToken: string): Promise<AccountProfile> {
    if (!this.url) throw new AccountApiError('not_configured', undefined, 'ACCOUNT_API_URL is not set');
    let response: IncomingResponse;
    try {
      response = await this.transport.send(
        { method: 'GET', url: this.url, headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
        { timeoutMs: this.timeoutMs },
      );
    } catch (error) {
      // Only the reason: whatever else a failed call carries may include the request, and so the token.
      const reason = error instanceof TransportError ? `${error.reason}${error.causeCode ? ` (${error.causeCode})` : ''}` : 'network';
      throw new AccountApiError('unavailable', undefined, reason);
    }
    const { status } = response;
    if (status === 401 || status === 403) throw new AccountApiError('unauthorized', status);
    if (status !== 200) throw new AccountApiError('unavailable', status);
    const profile = jsonObject(response.text);
    if (!profile) throw new AccountApiError('unavailable', status, 'not a JSON object');
    return profile;
  }
}

function jsonObject(text: string): AccountProfile | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as AccountProfile) : undefined;
  } catch {
    return undefined;
  }
}
