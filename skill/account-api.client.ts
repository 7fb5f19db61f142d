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
  /** `identity`: the fields that identify the user (vault custody), for a URL or headers that name them. */
  fetchProfile(accessToken: string, identity?: Readonly<Record<string, string>>): Promise<AccountProfile>;
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
  private readonly named: boolean;

  constructor(
    private readonly url: string | undefined,
    private readonly timeoutMs: number,
    /** How the call crosses the network; {@link accountApiTransport} when absent. */
    private readonly transport: HttpTransport = accountApiTransport(timeoutMs),
    /** Extra headers (`skill.accountApiHeaders`); like the URL, their values may name identity fields. */
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {
    this.named = [url ?? '', ...Object.values(headers)].some((value) => FIELD.test(value));
  }

  async fetchProfile(accessToken: string, identity: Readonly<Record<string, string>> = {}): Promise<AccountProfile> {
    if (!this.url) throw new AccountApiError('not_configured', undefined, 'ACCOUNT_API_URL is not set');
    let url = this.url;
    let extra = this.headers;
    if (this.named) {
      // Only a URL or header that names a field pays for the substitution.
      url = fill(this.url, identity, percentEncoded);
      extra = Object.fromEntries(Object.entries(this.headers).map(([name, value]) => [name, fill(value, identity, headerSafe)]));
    }
    let response: IncomingResponse;
    try {
      response = await this.transport.send(
        { method: 'GET', url, headers: { ...extra, accept: 'application/json', authorization: `Bearer ${accessToken}` } },
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

/** `{name}`: an identity field named in the account API's URL or headers. */
const FIELD = /\{([A-Za-z0-9_]+)\}/;
const FIELDS = new RegExp(FIELD.source, 'g');

/**
 * `template` with every `{name}` replaced by the identity field of that name, escaped for where it goes.
 * A field the link does not have is a set-up fault, said as such (never sent as braces).
 */
function fill(template: string, identity: Readonly<Record<string, string>>, escape: (value: string) => string): string {
  return template.replace(FIELDS, (_match, name: string) => {
    const value = Object.hasOwn(identity, name) ? identity[name] : undefined;
    if (value === undefined) throw new AccountApiError('not_configured', undefined, `the account API names {${name}}, which the provider's token answer did not give (token.answer.identity)`);
    return escape(value);
  });
}

/** A header value carries no control characters and no non-ASCII: those are percent-encoded. */
function headerSafe(value: string): string {
  let safe = '';
  for (const character of value) {
    const code = character.codePointAt(0)!;
    safe += code < 0x20 || code >= 0x7f ? percentEncoded(character) : character;
  }
  return safe;
}

/** `encodeURIComponent`, with a lone surrogate (which it refuses) as the replacement character. */
function percentEncoded(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

function jsonObject(text: string): AccountProfile | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as AccountProfile) : undefined;
  } catch {
    return undefined;
  }
}
