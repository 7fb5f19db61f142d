import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), used when it is there. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** Launching takes about a second; far longer means it will not start. */
const LAUNCH_TIMEOUT_MS = 30_000;

/** Flags for a Chromium that makes no connections of its own (only loopback is reachable). */
const QUIET_FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Which Chromium to run, and why that one. */
export interface ChromiumChoice {
  /** The binary; absent when Playwright finds an installed Google Chrome itself (`channel`). */
  readonly executablePath?: string;
  readonly channel?: 'chrome';
  readonly args: readonly string[];
  readonly source: 'CHROMIUM_PATH' | typeof SYSTEM_CHROMIUM | '@sparticuz/chromium' | 'Google Chrome';
}

/** What the choice looks at; tests replace the file system and the packaged browser. */
export interface ChromiumOptions {
  /** A window a person uses (`npm run simulate -- --browser`) rather than a headless browser (the tests). */
  readonly visible?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly isExecutable?: (path: string) => boolean;
  /** The path of the Chromium the `@sparticuz/chromium` dev dependency ships (extracted on first use). */
  readonly packagedChromium?: () => Promise<string>;
}

/** A browser that could not start; the message says which one and how to choose another. */
export class ChromiumUnavailableError extends Error {}

/**
 * The one rule for choosing Chromium, for the simulator's `--browser` and for the browser tests:
 * `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium` when installed; else, headless, the Chromium
 * that the `@sparticuz/chromium` dev dependency ships inside its npm package (so `npm install` is all a
 * machine needs), and for a window, an installed Google Chrome (the packaged build has no window).
 */
export async function chooseChromium(options: ChromiumOptions = {}): Promise<ChromiumChoice> {
  const env = options.env ?? process.env;
  const executable = options.isExecutable ?? isExecutable;
  const args = options.visible ? QUIET_FLAGS : ['--headless', ...QUIET_FLAGS];
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) return { executablePath: configured, args, source: 'CHROMIUM_PATH' };
  if (executable(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args, source: SYSTEM_CHROMIUM };
  if (options.visible) return { channel: 'chrome', args, source: 'Google Chrome' };
  const packaged = options.packagedChromium ?? (async () => (await import('@sparticuz/chromium')).default.executablePath());
  // Its build for serverless hosts runs without a zygote; the rest of its flags (such as
  // --disable-web-security) would weaken what the page tests check, so they are left out.
  return { executablePath: await packaged(), args: [...args, '--no-zygote'], source: '@sparticuz/chromium' };
}

/** Starts the chosen Chromium, or fails within {@link LAUNCH_TIMEOUT_MS} with a message a person can act on. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const choice = await chooseChromium(options);
  const { chromium } = await import('playwright-core');
  const where = choice.executablePath ? { executablePath: choice.executablePath } : { channel: choice.channel };
  try {
    return await chromium.launch({ ...where, headless: !options.visible, args: [...choice.args], timeout: LAUNCH_TIMEOUT_MS });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const alternatives = options.visible
      ? `unset it to use ${SYSTEM_CHROMIUM} (apt-get install chromium) or an installed Google Chrome`
      : `unset it to use ${SYSTEM_CHROMIUM} or the one npm installs (@sparticuz/chromium)`;
    throw new ChromiumUnavailableError(
      `Chromium did not start from ${choice.executablePath ?? 'Google Chrome'} (chosen by ${choice.source}): ${reason}. Set CHROMIUM_PATH to a working Chromium, or ${alternatives}.`,
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
