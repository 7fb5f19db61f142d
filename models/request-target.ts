import type { IncomingMessage } from 'node:http';

/** Stands in for the authority of an origin-form target; never reached. */
const ORIGIN_FORM_BASE = 'http://linkbridge.invalid';

const parsed = new WeakMap<IncomingMessage, URL | null>();

/**
 * The request target (RFC 9112 §3.2) as a URL, parsed once per request, safely: every route and the
 * request log read it from here, and nothing else parses `req.url` or `req.originalUrl`.
 *
 * - origin-form (`/oauth/callback?state=…`, doubled slashes included) is read as a path on this server;
 * - absolute-form (`http://host/oauth/callback?…`, §3.2.2) is read as the URL it is, when it is an
 *   `http:` or `https:` URL whose authority parses;
 * - anything else (a bad authority such as `http://exa%mple.test/`, authority-form `host:443`, which only
 *   CONNECT uses, asterisk-form `*`, a scheme other than HTTP's) is `undefined`: the app answers it 400
 *   before any route runs, and the request log records it without its text.
 *
 * Parsing never throws; what a client sends cannot take a listener outside Express's error handling down.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 */
export function requestTarget(req: IncomingMessage): URL | undefined {
  let target = parsed.get(req);
  if (target === undefined) {
    // Express's nested routers rewrite `req.url` while they run; `originalUrl` keeps what was sent.
    target = parseTarget((req as { originalUrl?: string }).originalUrl ?? req.url ?? '');
    parsed.set(req, target);
  }
  return target ?? undefined;
}

/** The query of the request target; empty when the target does not parse (the app refuses those first). */
export function requestQuery(req: IncomingMessage): URLSearchParams {
  return requestTarget(req)?.searchParams ?? new URLSearchParams();
}

function parseTarget(raw: string): URL | null {
  try {
    // Joined, not resolved: `//oauth//callback` is a path, which resolving against a base would read as a host.
    if (raw.startsWith('/')) return new URL(`${ORIGIN_FORM_BASE}${raw}`);
    if (/^https?:\/\//i.test(raw)) return new URL(raw);
  } catch {
    // An absolute-form target whose authority does not parse.
  }
  return null;
}
