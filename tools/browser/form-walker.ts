/**
 * A person signing in with a provider's plain HTML pages, without a browser: follow redirects, keep
 * cookies per host, fill `login` and `password` in the first form of each page and submit it (sign-in,
 * then consent), until the provider sends the browser to the redirect URI, which is returned without being
 * requested (it is Alexa's page). The simulator's headless journey and the tests' FormBrowser both walk
 * with this one.
 */

/** The entities an HTML attribute value can carry, by name. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the character references of an attribute value in one pass, as a browser does: `&amp;lt;` is
 * the text `&lt;`, never `<` (decoding `&amp;` first and then `&lt;` would decode twice). Numeric
 * references (`&#39;`, `&#x27;`) are decoded too; anything else is left as written.
 * @see https://html.spec.whatwg.org/multipage/parsing.html#character-reference-state
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (reference: string, body: string) => {
    if (body[0] !== '#') return NAMED_ENTITIES[body.toLowerCase()] ?? reference;
    const codePoint = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff) ? String.fromCodePoint(codePoint) : reference;
  });
}

/** A form as it would be submitted: its absolute action and its inputs' names and values, in order. */
export interface HtmlForm {
  readonly action: string;
  readonly fields: ReadonlyArray<readonly [name: string, value: string]>;
}

/** The first `<form>` of a page, or `undefined` when it has none. */
export function firstForm(html: string, pageUrl: string): HtmlForm | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /\baction="([^"]*)"/i.exec(form[0])?.[1] ?? pageUrl;
  const fields: Array<[string, string]> = [];
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields.push([decodeEntities(name), decodeEntities(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '')]);
  }
  return { action: new URL(decodeEntities(action), pageUrl).toString(), fields };
}

/** Cookies per host, enough for a provider's sign-in and the simulator's session cookie. */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  /** One request with this jar's cookies for the host, without following redirects; keeps the cookies it sets. */
  async fetch(http: typeof fetch, url: string, init: RequestInit = {}): Promise<Response> {
    const { host } = new URL(url);
    const jar = this.jars.get(host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await http(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.jars.set(host, jar);
    return response;
  }
}

/** A page the walk could not go on from: no form, or no answer. The page is kept for the caller to show. */
export class FormWalkError extends Error {
  constructor(
    message: string,
    /** HTTP status of the page it stopped at; 0 when nothing answered. */
    readonly status: number,
    readonly html: string,
  ) {
    super(message);
  }
}

export interface FormWalkOptions {
  readonly login: string;
  readonly password: string;
  readonly fetch?: typeof fetch;
  /** Cookies to walk with (a caller that goes on requesting with them passes its own). */
  readonly jar?: CookieJar;
  /** Pages and redirects to follow at most. */
  readonly maxSteps?: number;
  /** How long one page may take. */
  readonly timeoutMs?: number;
  /** Told each URL before it is requested. */
  readonly onRequest?: (url: string) => void;
}

/**
 * Walks from `startUrl` until a redirect to a URL starting with `stopAt`, and returns that URL. Throws a
 * {@link FormWalkError} naming the page where it stopped (no form, no answer, too many pages).
 */
export async function signInWithForms(startUrl: string, stopAt: string, options: FormWalkOptions): Promise<string> {
  const http = options.fetch ?? fetch;
  const jar = options.jar ?? new CookieJar();
  const maxSteps = options.maxSteps ?? 15;
  let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: startUrl, method: 'GET' };
  for (let step = 0; step < maxSteps; step += 1) {
    if (next.url.startsWith(stopAt)) return next.url;
    const where = new URL(next.url);
    const page = `${where.origin}${where.pathname}`;
    options.onRequest?.(next.url);
    let response: Response;
    try {
      response = await jar.fetch(http, next.url, {
        method: next.method,
        headers: next.body === undefined ? { accept: 'text/html' } : { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: next.body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new FormWalkError(`cannot reach ${page}: ${networkReason(error)}`, 0, '');
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      next = { url: new URL(location, next.url).toString(), method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = firstForm(html, next.url);
    if (!form) {
      const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim();
      throw new FormWalkError(`stopped at ${page} (HTTP ${response.status}${heading ? `: ${decodeEntities(heading)}` : ''}) with no form to submit`, response.status, html);
    }
    const fields = new URLSearchParams(form.fields.map(([name, value]): [string, string] => [name, value]));
    if (fields.has('login')) fields.set('login', options.login);
    if (fields.has('password')) fields.set('password', options.password);
    next = { url: form.action, method: 'POST', body: fields.toString() };
  }
  throw new FormWalkError(`the sign-in did not come back to ${stopAt} within ${maxSteps} pages`, 0, '');
}

/** What a failed request's cause says: the system error code when there is one. */
export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `the connection failed (${cause.code})`;
  return error instanceof Error ? error.message : String(error);
}
