import http from 'node:http';
import https from 'node:https';
import type { AxiosInstance } from 'axios';

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

/** Largest account API answer read; a profile is a few hundred bytes. */
const MAX_PROFILE_BYTES = 256 * 1024;

/** Reads the linked user's profile. */
export interface AccountApi {
  fetchProfile(accessToken: string): Promise<AccountProfile>;
}

/**
 * The account API over HTTP: `GET ACCOUNT_API_URL` with `Authorization: Bearer <token>`, keep-alive
 * connections and a deadline that keeps the whole answer well inside Alexa's 8 s. Errors never carry the
 * request (axios errors hold its headers, and so the token).
 * @see ../shared/ALEXA-LINKING.md "The skill side" (Alexa gives a skill 8 s to answer)
 */
export class AccountApiClient implements AccountApi {
  private instance?: AxiosInstance;

  constructor(
    private readonly url: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  /**
   * axios and its instance, made at the first call: loading axios is about a tenth of linkbridge's
   * start-up, and a launch or an unlinked user never calls the account API.
   */
  private get http(): AxiosInstance {
    if (this.instance) return this.instance;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
    const axios = require('axios') as typeof import('axios');
    const instance = axios.create({
      // No axios `timeout` (in Node it only limits socket inactivity): the per-request signal below is the deadline.
      // Counted by axios after it inflated gzip, deflate or br: a compressed bomb stops here too.
      maxContentLength: MAX_PROFILE_BYTES,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
      responseType: 'json',
    });
    this.instance = instance;
    return instance;
  }

  async fetchProfile(accessToken: string): Promise<AccountProfile> {
    if (!this.url) throw new AccountApiError('not_configured', undefined, 'ACCOUNT_API_URL is not set');
    let status: number;
    let data: unknown;
    // A deadline for the whole exchange: a server that trickles its answer byte by byte must not hold
    // the skill past it. A timer holds the controller, so no garbage collection can take the deadline
    // away while the body is still arriving (an inline `AbortSignal.timeout()` can be collected).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      ({ status, data } = await this.http.get(this.url, { headers: { Authorization: `Bearer ${accessToken}` }, signal: deadline.signal }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const timedOut = deadline.signal.aborted || code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      throw new AccountApiError('unavailable', undefined, timedOut ? 'timeout' : code === 'ERR_BAD_RESPONSE' ? 'bad_response' : 'network');
    } finally {
      clearTimeout(timer);
    }
    if (status === 401 || status === 403) throw new AccountApiError('unauthorized', status);
    if (status !== 200) throw new AccountApiError('unavailable', status);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new AccountApiError('unavailable', status, 'not a JSON object');
    return data as AccountProfile;
  }
}
