import { CookieJar, signInWithForms } from '../../tools/browser/form-walker';

export { FormWalkError as BrowserError } from '../../tools/browser/form-walker';

/**
 * A minimal user agent for driving sign-in pages over real HTTP, walking them as the simulator's headless
 * journey does (tools/browser/form-walker.ts): keeps cookies per host, follows redirects, and submits the
 * first form of each page (filling `login` and `password`), until it is sent to a URL that starts with
 * `stopAt` (Alexa's redirect URI, which it never requests).
 */
export class FormBrowser {
  private readonly jar = new CookieJar();
  /** Every URL requested, in order. */
  readonly visited: string[] = [];

  constructor(private readonly credentials = { login: 'ada', password: 'any password' }) {}

  /** Follows `startUrl` through the sign-in until a redirect to `stopAt`; returns that redirect URL. */
  signIn(startUrl: string, stopAt: string, maxSteps = 20): Promise<string> {
    return signInWithForms(startUrl, stopAt, { ...this.credentials, jar: this.jar, maxSteps, onRequest: (url) => this.visited.push(url) });
  }

  /** One request with this browser's cookies, no redirect following. */
  request(url: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<Response> {
    this.visited.push(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return this.jar.fetch(fetch, url, { method, headers, body });
  }
}
