/**
 * How `doctor --link` gets the test account signed in at the provider: the doctor plays the browser
 * Alexa opens, from the provider's authorization URL to its redirect to linkbridge's callback, which is
 * caught and never reaches linkbridge (the doctor exchanges the code itself).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../browser/chromium';
import { FormWalkError, signInWithForms } from '../../browser/form-walker';
import { reveal, type Secret } from './secret';

/**
 * Signs in from `authorizationUrl` until the provider sends the browser to `callbackUrl`; resolves with
 * that URL (its query carries the code and state) without requesting it.
 */
export type SignIn = (authorizationUrl: string, callbackUrl: string) => Promise<string>;

/** The test account, given on the command line or in a file; the password is never shown. */
export interface TestAccount {
  readonly login: string;
  readonly password: Secret;
}

/** The sign-in did not come back to the callback; the message says where it stopped and what to do. */
export class SignInError extends Error {}

/** What the browser window shows once the provider sent it back. */
const SIGNED_IN_PAGE = '<!doctype html><title>Signed in</title><p>Signed in. linkbridge doctor goes on in the terminal; this window closes by itself.</p>';

/** How long a person has to sign in in the browser window. */
export const PERSON_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Without a browser: follows the provider's redirects and submits the first form of each page, with the
 * test account in the fields named `login` and `password` (`tools/browser/form-walker.ts`). Sign-in
 * pages with other fields, scripts or a QR code need {@link browserSignIn}.
 */
export function headlessSignIn(account: TestAccount, http: typeof fetch = fetch): SignIn {
  return async (authorizationUrl, callbackUrl) => {
    try {
      // The fragment (WeChat's #wechat_redirect) stays in a browser; it is never sent.
      return await signInWithForms(authorizationUrl.split('#')[0], callbackUrl, { login: account.login, password: reveal(account.password), fetch: http });
    } catch (error) {
      if (!(error instanceof FormWalkError)) throw error;
      throw new SignInError(
        `${error.message}. The sign-in without a browser fills only fields named login and password and submits the first form of each page; ` +
          "a provider whose pages need more (other field names, scripts, a QR code, a second factor) needs the browser: run doctor --link without --user or --credentials on a machine with a display",
      );
    }
  };
}

/** What {@link browserSignIn} may be given instead of a visible Chromium and a person. */
export interface BrowserSignInOptions {
  /** Starts the browser; a visible Chromium (`tools/browser/chromium.ts`) when absent. */
  readonly launch?: () => Promise<Browser>;
  /** Runs once the sign-in page is open: the person signs in meanwhile; a test fills the page itself. */
  readonly whileWaiting?: (page: Page) => Promise<void>;
  readonly timeoutMs?: number;
  /** Told when the window is open, for the person at the terminal. */
  readonly say?: (line: string) => void;
}

/**
 * In a browser window (a machine with a display): the person signs in with the test account however the
 * provider asks. The redirect to linkbridge's callback is caught in the browser and never sent.
 */
export function browserSignIn(options: BrowserSignInOptions = {}): SignIn {
  return async (authorizationUrl, callbackUrl) => {
    const browser = await (options.launch ?? (() => launchChromium({ visible: true })))();
    try {
      const page = await browser.newPage();
      // Chromium hands the request to the callback to the doctor instead of sending it (a provider's redirect
      // included, which a Playwright route would not see): the code never reaches linkbridge.
      const devtools = await page.context().newCDPSession(page);
      let caught: (url: string) => void = () => undefined;
      const back = new Promise<string>((resolve) => (caught = resolve));
      devtools.on('Fetch.requestPaused', (paused) => {
        caught(paused.request.url);
        void devtools.send('Fetch.fulfillRequest', { requestId: paused.requestId, responseCode: 200, responseHeaders: [{ name: 'content-type', value: 'text/html' }], body: Buffer.from(SIGNED_IN_PAGE).toString('base64') }).catch(() => undefined);
      });
      await devtools.send('Fetch.enable', { patterns: [{ urlPattern: `${callbackUrl}*`, requestStage: 'Request' }] });
      await page.goto(authorizationUrl);
      options.say?.(`sign in with the test account in the browser window (waiting up to ${Math.round((options.timeoutMs ?? PERSON_TIMEOUT_MS) / 60_000)} minutes)`);
      await options.whileWaiting?.(page);
      const timeoutMs = options.timeoutMs ?? PERSON_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      try {
        const landing = await Promise.race([back, late]);
        if (landing === undefined) throw new SignInError(`the browser did not come back to ${callbackUrl} in time; the page it stayed on was ${withoutQuery(page.url())}`);
        return landing;
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await browser.close();
    }
  };
}

/** Whether a window can be shown here: macOS and Windows always; elsewhere an X11 or Wayland display. */
export function hasDisplay(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY?.trim() || env.WAYLAND_DISPLAY?.trim());
}

/**
 * A credentials file: `login=…` and `password=…` lines (blank lines and `#` comments skipped), or a JSON
 * object `{"login": …, "password": …}`. Throws naming what is missing, never showing a value.
 */
export function parseCredentials(text: string): { readonly login: string; readonly password: string } {
  const trimmed = text.trim();
  let fields: Record<string, unknown>;
  if (trimmed.startsWith('{')) {
    try {
      fields = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new SignInError('the credentials file is not valid JSON');
    }
  } else {
    fields = {};
    // Line by line from the text as written: a password may end in a space.
    for (const line of text.split(/\r?\n/)) {
      const at = line.indexOf('=');
      if (line.trim() === '' || line.trim().startsWith('#') || at < 0) continue;
      fields[line.slice(0, at).trim()] = line.slice(at + 1);
    }
  }
  const login = typeof fields.login === 'string' ? fields.login.trim() : '';
  const password = typeof fields.password === 'string' ? fields.password : '';
  const missing = [login ? undefined : 'login', password ? undefined : 'password'].filter(Boolean);
  if (missing.length > 0) throw new SignInError(`the credentials file has no ${missing.join(' and no ')} (write login=… and password=… on lines of their own)`);
  return { login, password };
}

function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an address that cannot be read)';
  }
}
