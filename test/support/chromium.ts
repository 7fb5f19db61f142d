import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), used when it is there. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** Launching headless takes about a second; far longer means it will not start. */
const LAUNCH_TIMEOUT_MS = 30_000;

/** Flags for a headless Chromium that makes no connections of its own (only loopback is reachable). */
const QUIET_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Which Chromium the browser tests run, and why that one. */
export interface ChromiumChoice {
  readonly executablePath: string;
  readonly args: readonly string[];
  readonly source: 'CHROMIUM_PATH' | typeof SYSTEM_CHROMIUM | '@sparticuz/chromium';
}

/** A browser the tests could not start; the message says which one and how to choose another. */
export class ChromiumUnavailableError extends Error {}

/**
 * Picks the Chromium for browser tests: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`
 * when installed, else the Chromium that the `@sparticuz/chromium` dev dependency ships inside its npm
 * package (extracted to the temporary directory on first use), so `npm install` is all a machine needs.
 */
export async function chooseChromium(env: Readonly<Record<string, string | undefined>> = process.env): Promise<ChromiumChoice> {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) return { executablePath: configured, args: QUIET_FLAGS, source: 'CHROMIUM_PATH' };
  if (isExecutable(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: QUIET_FLAGS, source: SYSTEM_CHROMIUM };
  const { default: packaged } = await import('@sparticuz/chromium');
  // Its build for serverless hosts runs without a zygote; the rest of its flags (such as
  // --disable-web-security) would weaken what the page tests check, so they are left out.
  return { executablePath: await packaged.executablePath(), args: [...QUIET_FLAGS, '--no-zygote'], source: '@sparticuz/chromium' };
}

/** Starts headless Chromium, or fails within {@link LAUNCH_TIMEOUT_MS} with a message a person can act on. */
export async function launchChromium(): Promise<Browser> {
  const choice = await chooseChromium();
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath: choice.executablePath, headless: true, args: [...choice.args], timeout: LAUNCH_TIMEOUT_MS });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ChromiumUnavailableError(
      `Chromium did not start from ${choice.executablePath} (chosen by ${choice.source}): ${reason}. ` +
        'Set CHROMIUM_PATH to a working Chromium, or unset it to use /usr/bin/chromium or the one npm installs (@sparticuz/chromium).',
    );
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
