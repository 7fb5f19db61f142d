/**
 * The pages a person sees while linking, in a real headless Chromium: the whole sign-in through
 * linkbridge and a real provider, and the error page that must never redirect.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 ("MUST NOT automatically redirect")
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { Cleanup } from '../support/cleanup';
import { startLiveStack, type LiveStack } from '../support/live-stack';
import { BASE_TEST_ENV } from '../support/test-app';

let stack: LiveStack;
let browser: Browser;
/** Stands in for Alexa's redirect page, on loopback (real Amazon hosts are out of reach here). */
let alexa: Server;
let alexaRedirectUri: string;
const alexaLandings: string[] = [];

const cleanup = new Cleanup();

beforeAll(async () => {
  alexa = cleanup.add(
    createServer((req, res) => {
      if (req.url?.startsWith('/api/skill/link/')) alexaLandings.push(`${alexaRedirectUri.split('/api/')[0]}${req.url}`);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Alexa</h1>');
    }),
    (server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  );
  await new Promise<void>((resolve) => alexa.listen(0, '127.0.0.1', resolve));
  alexaRedirectUri = `http://127.0.0.1:${(alexa.address() as AddressInfo).port}/api/skill/link/M3BVP74N95SP1F`;
  stack = cleanup.add(await startLiveStack({ ALEXA_REDIRECT_URLS: alexaRedirectUri }), (started) => started.close());
  browser = cleanup.add(await launchChromium(), (launched) => launched.close());
});
afterAll(() => cleanup.run());

function authorizeUrl(overrides: Record<string, string> = {}): string {
  const url = new URL(`${stack.baseUrl}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID,
    response_type: 'code',
    redirect_uri: alexaRedirectUri,
    state: 'browser-state',
    scope: 'profile',
    ...overrides,
  }).toString();
  return url.toString();
}

test('a person links an account: linkbridge, the provider\'s sign-in and consent, back to Alexa with a code', async () => {
  const page = await browser.newPage();
  await page.goto(authorizeUrl());
  // The provider's sign-in page, reached through linkbridge's redirect.
  expect(page.url().startsWith(stack.provider.issuer)).toBe(true);
  await page.fill('input[name="login"]', 'ada');
  await page.fill('input[name="password"]', 'any password');
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.provider.issuer)), page.click('button[type="submit"]')]);
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(alexaRedirectUri)), page.click('button[type="submit"]')]);

  expect(alexaLandings).toHaveLength(1);
  const landing = new URL(page.url());
  expect(`${landing.origin}${landing.pathname}`).toBe(alexaRedirectUri);
  expect(landing.searchParams.get('state')).toBe('browser-state');
  expect(landing.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await page.close();
});

test('a bad redirect_uri shows a readable error page and the browser stays on linkbridge', async () => {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const response = await page.goto(authorizeUrl({ redirect_uri: 'https://evil.example/steal' }));
  expect(response?.status()).toBe(400);
  // Give any script or meta refresh a moment to act, then check nothing navigated away.
  await page.waitForLoadState('networkidle');
  expect(new URL(page.url()).origin).toBe(stack.baseUrl);
  expect(requested.every((url) => url.startsWith(stack.baseUrl))).toBe(true);
  expect(await page.textContent('#error-title')).toBe('This skill cannot send you back to the Alexa app');
  // Outside production the developer's hint names the setting; the explanation is for the person.
  expect(await page.textContent('#error-hint')).toContain('ALEXA_VENDOR_IDS');
  expect(await page.textContent('#error-explanation')).not.toContain('ALEXA_VENDOR_IDS');
  expect(await page.textContent('#error-reference')).toMatch(/^[0-9a-f-]{36}$/);
  await page.close();
});
