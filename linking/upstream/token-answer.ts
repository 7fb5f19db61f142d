import type { AnswerPaths, ErrorMap } from '../../models/provider-profile';
import { readPath } from './answer-path';
import { findProviderError } from './error-map';
import type { IncomingResponse } from './http-transport';
import { UpstreamRejectedError, UpstreamUnavailableError } from './upstream-failures';

/** Tokens as the provider gave them, before they are normalized for Alexa. */
export interface UpstreamTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn?: number;
  readonly scope?: string;
  /** The answer's fields that identify the user, named by the profile (`userId`), for server-side use only. */
  readonly identity?: Readonly<Record<string, string>>;
}

/**
 * Reads the provider's token answer (JSON, or form-encoded from providers that answer that way) with the
 * grant's paths. Throws {@link UpstreamUnavailableError} for 5xx, 429, redirects and unreadable answers, and
 * {@link UpstreamRejectedError} for the provider's own errors, HTTP 200 error bodies included.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 and #section-5.2
 */
export function readTokenAnswer(response: IncomingResponse, paths: AnswerPaths, errors: ErrorMap, url: string): UpstreamTokens {
  // A provider that is down or throttling says so with its status, whatever its body says.
  if (response.status >= 500 || response.status === 429) throw new UpstreamUnavailableError('server', url, response.status);
  // A token endpoint that redirects (a maintenance page, a moved endpoint) is not answering this call.
  if (response.status >= 300 && response.status < 400) throw new UpstreamUnavailableError('redirect', url, response.status);
  const body = parseBody(response.text, response.headers['content-type']);
  const providerError = body === undefined ? undefined : findProviderError(body, errors);
  if (providerError) throw new UpstreamRejectedError(providerError.code, response.status, providerError.meaning, url);
  if (response.status < 200 || response.status >= 300) throw new UpstreamRejectedError(`HTTP ${response.status}`, response.status, undefined, url);
  if (body === undefined) throw new UpstreamUnavailableError('unreadable', url, response.status);

  const accessToken = readPath(body, paths.accessToken);
  if (typeof accessToken !== 'string' || accessToken === '') throw new UpstreamUnavailableError('unreadable', url, response.status);
  const refreshToken = readPath(body, paths.refreshToken);
  const scope = readPath(body, paths.scope);
  const identity = readIdentity(body, paths.identity);
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
    expiresIn: toSeconds(readPath(body, paths.expiresIn)),
    scope: typeof scope === 'string' ? scope : undefined,
    ...(identity ? { identity } : {}),
  };
}

function readIdentity(body: Record<string, unknown>, paths: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const entries = Object.entries(paths)
    .map(([name, path]) => [name, readPath(body, path)] as const)
    .filter((entry): entry is readonly [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number')
    .map(([name, value]) => [name, String(value)]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** JSON (RFC 6749 §5.1; WeChat sends it as text/plain) or form-encoded (GitHub without `Accept`). */
function parseBody(text: string, contentType: string | undefined): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded') || (/^[\w.-]+=/.test(trimmed) && !trimmed.includes('<'))) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return undefined;
}

function toSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : undefined;
}
