/**
 * The simulator page in a real headless Chromium, against linkbridge in demo mode, in both link modes:
 * sign in at the demo provider, watch Alexa finish linking, type "what's my name", hear the demo user's
 * name. Screenshots of each stage are written to test-artifacts/simulator/ (ignored by git).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { Cleanup } from '../support/cleanup';
import { startDemoStack, type DemoStack } from '../support/demo-stack';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'simulator');
const cleanup = new Cleanup();
let browser: Browser;
const stacks: Record<string, DemoStack> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stacks.code = cleanup.add(await startDemoStack({ LINK_MODE: 'code' }), (stack) => stack.close());
  stacks.implicit = cleanup.add(await startDemoStack({ LINK_MODE: 'implicit' }), (stack) => stack.close());
  browser = cleanup.add(await launchChromium(), (launched) => launched.close());
}, 60_000);
afterAll(() => cleanup.run());

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A phone-sized window: account linking happens on phones. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

describe.each(['code', 'implicit'] as const)('%s mode', (mode) => {
  test('link at the demo provider, then "what\'s my name" is answered with the demo user\'s name', async () => {
    const stack = stacks[mode];
    const context = await browser.newContext(mode === 'code' ? PHONE : {});
    const page = await context.newPage();
    const failedRequests: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 500) failedRequests.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(`${stack.baseUrl}/simulator`);
      expect(await page.textContent('#mode')).toContain(mode === 'code' ? 'authorization code grant' : 'implicit grant');
      await shot(page, `${mode}-1-start`);

      await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.provider.issuer)), page.click('#link')]);
      expect(await page.textContent('#demo-hint')).toContain('ada');
      await shot(page, `${mode}-2-sign-in`);
      await page.fill('input[name="password"]', 'any password');
      await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/interaction/')), page.click('button[type="submit"]')]);
      await page.waitForSelector('text=Allow access?');
      await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.baseUrl)), page.click('button[type="submit"]')]);

      await page.waitForSelector('#talk:not([hidden])');
      // The code or token left the address bar at once.
      expect(page.url()).toBe(`${stack.baseUrl}/simulator`);
      const steps = await page.$$eval('#steps li', (items) => items.map((item) => `${item.getAttribute('data-status')} ${item.textContent}`));
      expect(steps.every((step) => step.startsWith('ok'))).toBe(true);
      expect(steps.join('\n')).toContain(mode === 'code' ? 'Alexa exchanges the code at POST /oauth/token' : 'Alexa reads the token from the URL fragment');
      if (mode === 'code') expect(steps.join('\n')).toContain('Alexa refreshes the token');
      await shot(page, `${mode}-3-linked`);

      await page.fill('#utterance', "what's my name");
      await page.click('#say');
      const speech = await page.waitForSelector('.turn [data-role="speech"]');
      expect(await speech.textContent()).toBe('Alexa: “Your name is Ada Lovelace.”');
      await page.click('.turn details summary');
      const json = (await page.textContent('.turn details')) ?? '';
      expect(json).toContain('"name": "GetNameIntent"');
      expect(json).toContain('(linked access token,');
      await shot(page, `${mode}-4-answered`);

      // Mobile-friendly: nothing is wider than the window.
      // (The function runs in the page; `globalThis` there is the window.)
      const widths = await page.evaluate(() => {
        const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return { page: view.document.documentElement.scrollWidth, window: view.innerWidth };
      });
      expect(widths.page).toBeLessThanOrEqual(widths.window);
      expect(failedRequests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

test('a person who cancels at the provider sees which step failed and why', async () => {
  const stack = stacks.code;
  const page = await browser.newPage();
  try {
    await page.goto(`${stack.baseUrl}/simulator`);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.provider.issuer)), page.click('#link')]);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.baseUrl)), page.click('text=Cancel')]);
    const failed = await page.waitForSelector('#steps li[data-status="failed"]');
    expect(await failed.textContent()).toContain('linkbridge sent error=access_denied');
    await shot(page, 'code-cancelled');
  } finally {
    await page.close();
  }
}, 60_000);
