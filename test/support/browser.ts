/**
 * A minimal user agent for driving sign-in pages over real HTTP: keeps cookies per host, follows
 * redirects, and submits the first form of each page (filling `login` and `password`), until it is
 * sent to a URL that starts with `stopAt` (Alexa's redirect URI, which it never requests).
 */
export class FormBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();
  /** Every URL requested, in order. */
  readonly visited: string[] = [];

  constructor(private readonly credentials = { login: 'ada', password: 'any password' }) {}

  /** Follows `startUrl` through the sign-in until a redirect to `stopAt`; returns that redirect URL. */
  async signIn(startUrl: string, stopAt: string, maxSteps = 20): Promise<string> {
    let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: startUrl, method: 'GET' };
    for (let step = 0; step < maxSteps; step += 1) {
      if (next.url.startsWith(stopAt)) return next.url;
      const response = await this.request(next.url, next.method, next.body);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        next = { url: new URL(location, next.url).toString(), method: 'GET' };
        continue;
      }
      const html = await response.text();
      const form = parseForm(html, next.url);
      if (!form) throw new BrowserError(`stopped at ${next.url} (HTTP ${response.status}) with no form to submit`, response.status, html);
      const fields = new URLSearchParams(form.fields);
      if (fields.has('login')) fields.set('login', this.credentials.login);
      if (fields.has('password')) fields.set('password', this.credentials.password);
      next = { url: form.action, method: 'POST', body: fields.toString() };
    }
    throw new Error(`sign-in did not reach ${stopAt} in ${maxSteps} steps`);
  }

  /** One request with this browser's cookies, no redirect following. */
  async request(url: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<Response> {
    this.visited.push(url);
    const { host } = new URL(url);
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    const headers: Record<string, string> = { accept: 'text/html' };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.cookies.set(host, jar);
    return response;
  }
}

export class BrowserError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly html: string,
  ) {
    super(message);
  }
}

function parseForm(html: string, pageUrl: string): { action: string; fields: Array<[string, string]> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /action="([^"]*)"/i.exec(form[0])?.[1] ?? pageUrl;
  const fields: Array<[string, string]> = [];
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    if (!name) continue;
    fields.push([name, decodeEntities(/value="([^"]*)"/i.exec(input[0])?.[1] ?? '')]);
  }
  return { action: new URL(decodeEntities(action), pageUrl).toString(), fields };
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
