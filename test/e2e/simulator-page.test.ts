/**
 * The simulator page in a real headless Chromium, against linkbridge in demo mode, in both link modes:
 * sign in at the demo provider, watch Alexa finish linking, find the box to talk in view, type "what's my
 * name", hear the demo user's name; switch the language after linking and be answered in it; cancel and
 * read why in plain words. Screenshots of each stage are written to test-artifacts/simulator/ (ignored by git).
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
/** A laptop's window. */
const DESKTOP = { viewport: { width: 1280, height: 720 } };

/** Where an element is against the window, once the page has settled, and which element has the focus. */
async function placeInWindow(page: Page, selector: string): Promise<{ top: number; bottom: number; windowHeight: number; focused: string }> {
  // The function runs in the page; `globalThis` there is the window.
  const measure = (css: string) => {
    const view = globalThis as unknown as {
      innerHeight: number;
      document: { querySelector(s: string): { getBoundingClientRect(): { top: number; bottom: number } } | null; activeElement: { id: string } | null };
    };
    const box = view.document.querySelector(css)?.getBoundingClientRect();
    return { top: box?.top ?? -1, bottom: box?.bottom ?? -1, windowHeight: view.innerHeight, focused: view.document.activeElement?.id ?? '' };
  };
  return page.evaluate(measure, selector);
}

/** Links the demo user through the page: Link account, sign in, allow. */
async function linkThroughPage(page: Page, stack: DemoStack): Promise<void> {
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.provider.issuer)), page.click('#link')]);
  await page.fill('input[name="password"]', 'any password');
  await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/interaction/')), page.click('button[type="submit"]')]);
  await page.waitForSelector('text=Allow access?');
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(stack.baseUrl)), page.click('button[type="submit"]')]);
  await page.waitForSelector('#talk:not([hidden])');
}

describe.each(['code', 'implicit'] as const)('%s mode', (mode) => {
  test('link at the demo provider, then "what\'s my name" is answered with the demo user\'s name', async () => {
    const stack = stacks[mode];
    const window = mode === 'code' ? PHONE : DESKTOP;
    const context = await browser.newContext(window);
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
      // The box to talk in is in view and ready for typing, not below the steps.
      const talk = await placeInWindow(page, '#say-form');
      expect(talk.top).toBeGreaterThanOrEqual(0);
      expect(talk.bottom).toBeLessThanOrEqual(talk.windowHeight);
      expect(talk.focused).toBe('utterance');
      await page.screenshot({ path: join(ARTIFACTS, `${mode}-3-linked-window.png`) });
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
    expect(await failed.textContent()).toContain('Access was not allowed: you cancelled at the sign-in page or chose Deny, so no account was linked.');
    await shot(page, 'code-cancelled');
  } finally {
    await page.close();
  }
}, 60_000);

test('on a phone, a language change after linking takes effect at once and the page says so', async () => {
  const stack = stacks.code;
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await page.goto(`${stack.baseUrl}/simulator`);
    await linkThroughPage(page, stack);
    await page.selectOption('#locale', 'de-DE');
    await page.waitForSelector('#notice:has-text("Alexa now speaks de-DE")');
    expect(await page.textContent('#notice')).toBe('Alexa now speaks de-DE: what you say next is understood and answered in that language. The account stays linked.');
    expect(await page.textContent('#suggestions')).toContain('wie heiße ich');
    await page.fill('#utterance', 'wie heiße ich');
    await page.click('#say');
    const speech = await page.waitForSelector('.turn [data-role="speech"]');
    expect(await speech.textContent()).toBe('Alexa: “Dein Name ist Ada Lovelace.”');
    expect(await page.textContent('.turn details')).toContain('"locale": "de-DE"');
    await shot(page, 'code-5-german');
  } finally {
    await context.close();
  }
}, 60_000);
