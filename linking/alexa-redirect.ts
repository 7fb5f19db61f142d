import type { LinkMode } from '../models/config';

/**
 * Builds the redirect back to Alexa's `redirect_uri` (already checked against the allowlist).
 * Code-mode answers go in the query (RFC 6749 §4.1.2); implicit-mode answers, errors included, go in
 * the fragment and never in the query (§4.2.2, §4.2.2.1).
 */
export function alexaRedirect(redirectUri: string, mode: LinkMode, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  const entries = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  if (mode === 'implicit') {
    url.hash = new URLSearchParams(entries).toString();
  } else {
    for (const [name, value] of entries) url.searchParams.append(name, value);
  }
  return url.toString();
}
