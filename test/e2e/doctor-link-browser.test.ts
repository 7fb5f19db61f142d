/**
 * `doctor --link`'s sign-in in a browser window, in a real (headless) Chromium: the demo provider's
 * sign-in and consent pages, filled here as the person would, and the provider's redirect to linkbridge's
 * callback caught inside the browser, never sent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'playwright-core';
import { startDemoProvider, type DemoProvider } from '../../tools/demo/demo-provider';
import { browserSignIn } from '../../tools/doctor/link/sign-in';
import { launchChromium } from '../support/chromium';
import { Cleanup } from '../support/cleanup';

const cleanup = new Cleanup();
let provider: DemoProvider;
/** linkbridge's callback, on loopback: it counts what reaches it. */
let CALLBACK: string;
let callbackHits = 0;

beforeAll(async () => {
  const linkbridge = cleanup.add(
    createServer((_req, res) => {
      callbackHits += 1;
      res.writeHead(200).end('linkbridge');
    }),
    (server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  );
  await new Promise<void>((resolve) => linkbridge.listen(0, '127.0.0.1', resolve));
  CALLBACK = `http://127.0.0.1:${(linkbridge.address() as AddressInfo).port}/oauth/callback`;
  provider = cleanup.add(await startDemoProvider({ port: 0, clients: [{ clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret', redirectUris: [CALLBACK] }] }), (started) => started.close());
});
afterAll(() => cleanup.run());

test('the person signs in and allows access; the browser comes back to the callback with a code, never sent', async () => {
  const authorizationUrl = new URL(`${provider.issuer}/auth`);
  authorizationUrl.search = new URLSearchParams({ client_id: 'linkbridge-at-provider', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile', state: 'doctor-state-0123456789abcdef' }).toString();
  const requested: string[] = [];
  const said: string[] = [];
  const signIn = browserSignIn({
    launch: () => launchChromium(),
    say: (line) => said.push(line),
    timeoutMs: 15_000,
    whileWaiting: async (page) => {
      page.on('request', (request: Request) => requested.push(request.url()));
      await page.fill('input[name="login"]', 'ada');
      await page.fill('input[name="password"]', 'any password');
      await page.click('button[type="submit"]');
      await page.waitForSelector('text=Allow access?');
      await page.click('button[type="submit"]');
    },
  });
  const landing = new URL(await signIn(authorizationUrl.toString(), CALLBACK));
  expect(`${landing.origin}${landing.pathname}`).toBe(CALLBACK);
  expect(landing.searchParams.get('state')).toBe('doctor-state-0123456789abcdef');
  expect(landing.searchParams.get('code')).toBeTruthy();
  // The browser was sent to the callback once, and the request never left it.
  expect(requested.filter((url) => url.startsWith(CALLBACK))).toHaveLength(1);
  expect(callbackHits).toBe(0);
  expect(said).toEqual([expect.stringMatching(/^sign in with the test account in the browser window/)]);
});
