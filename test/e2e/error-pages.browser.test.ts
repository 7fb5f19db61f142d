/**
 * The error pages a person sees on the phone, in production (`NODE_ENV=production`):
 * plain words about what happened and what to do, the reference, and no setting or parameter names,
 * which go to the log only. Rendered in a real headless Chromium; a screenshot of each page is saved
 * under test-artifacts/error-pages/ (git-ignored) for a person to look at.
 */
import { mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Browser } from 'playwright-core';
import { createApp } from '../../app';
import { StateSealer } from '../../linking/sealing';
import { launchChromium } from '../support/chromium';
import { Cleanup } from '../support/cleanup';
import { authorizeQuery, startFlow } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, CapturedLogs, TestClock, testConfig, testDeps } from '../support/test-app';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'error-pages');

/** Setting and parameter names a developer would recognise; none may reach a production page. */
const DEVELOPER_WORDS = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|client_id|redirect_uri|\bstate\b|For the developer|SEALING|UPSTREAM|ALEXA_/;

const cleanup = new Cleanup();
const clock = new TestClock();
const logs = new CapturedLogs();
let app: Express;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = createApp(await testDeps({ clock, logs, env: { NODE_ENV: 'production' } }));
  const server: Server = cleanup.add(createServer(app), (started) => {
    started.closeAllConnections();
    return new Promise<void>((resolve) => started.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = cleanup.add(await launchChromium(), (launched) => launched.close());
});
afterAll(() => cleanup.run());

function authorizePath(overrides: Record<string, string | undefined>): string {
  return `/oauth/authorize?${new URLSearchParams(authorizeQuery(overrides)).toString()}`;
}

/** A state sealed by another server's key made at its start (no SEALING_KEYS), as before a restart. */
async function stateFromBeforeRestart(): Promise<string> {
  const earlier = testConfig({ SEALING_KEYS: undefined });
  return new StateSealer(earlier.sealingKeys, clock).seal({
    id: 'flow-before-restart',
    flowId: 'f-before',
    clientId: 'alexa-skill',
    alexaState: 's',
    redirectUri: ALEXA_REDIRECT_URI,
    provider: 'oauth2',
    expiresAt: Math.floor(clock.now() / 1000) + 600,
  });
}

/** Each page: how to reach it, its title, and the kind of advice it gives. */
const PAGES: Array<[string, () => Promise<string>, string, RegExp]> = [
  ['unknown-client', async () => authorizePath({ client_id: 'not-this-skill' }), 'This skill is not set up for linking here', /tell the skill's developer/],
  ['redirect-not-allowed', async () => authorizePath({ redirect_uri: 'https://layla.amazon.com/api/skill/link/M2OTHERVENDOR7' }), 'This skill cannot send you back to the Alexa app', /tell the skill's developer/],
  ['incomplete-link', async () => authorizePath({ client_id: undefined }), 'This link is incomplete', /link the skill again from its page in the Alexa app/],
  ['server-restarted', async () => `/oauth/callback?code=c&state=${await stateFromBeforeRestart()}`, 'The service restarted while you were signing in', /link the skill again/],
  ['cannot-be-trusted', async () => '/oauth/callback?code=c&state=a.b.c.d.e', 'This sign-in answer cannot be trusted', /link the skill again/],
  [
    'already-used',
    async () => {
      const state = await startFlow(app);
      await fetch(`${baseUrl}/oauth/callback?code=c&state=${state}`, { redirect: 'manual' });
      return `/oauth/callback?code=c&state=${state}`;
    },
    'This sign-in link was already used',
    /link the skill again/,
  ],
  [
    'took-too-long',
    async () => {
      const state = await startFlow(app);
      clock.advanceSeconds(601);
      return `/oauth/callback?code=c&state=${state}`;
    },
    'This sign-in took too long',
    /link the skill again/,
  ],
  ['incomplete-answer', async () => '/oauth/callback?code=c', 'The sign-in answer is incomplete', /link the skill again/],
];

test.each(PAGES)('%s: plain words, what to do and the reference, no setting names; the log has the details', async (name, path, title, advice) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    const response = await page.goto(`${baseUrl}${await path()}`);
    expect(response?.status()).toBe(400);
    const text = await page.innerText('body');
    expect(await page.textContent('#error-title')).toBe(title);
    expect(text).toMatch(advice);
    const reference = (await page.textContent('#error-reference'))!;
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toMatch(DEVELOPER_WORDS);
    expect(await page.locator('#error-hint').count()).toBe(0);

    const screenshot = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(1000);

    // What the page leaves out, the log keeps, under the page's reference.
    const line = logs.entries.find((entry) => (entry.flowId === reference || entry.reference === reference) && String(entry.msg).endsWith('with an error page'));
    expect(line).toMatchObject({ reason: title, check: expect.any(String) });
  } finally {
    await page.close();
  }
});

test('outside production the same page shows the developer the setting to check', async () => {
  const development = createApp(await testDeps());
  const response = await import('supertest').then(({ default: request }) => request(development).get(authorizePath({ client_id: 'not-this-skill' })));
  expect(response.text).toMatch(/id="error-hint">For the developer \(not shown in production\): the client_id is not ALEXA_CLIENT_ID/);
});
