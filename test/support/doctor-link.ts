/**
 * `doctor --link` run in the test process against a provider on loopback: sign-in without a browser as
 * a test account, every measurement and wait on the provider's test clock (a wait moves the clock; nothing
 * sleeps), and everything it said, printed or returned kept for the test to read and to scan for secrets.
 */
import { formatLinkReport } from '../../tools/doctor/link/link-report';
import { runLinkCheck, type LinkCheckResult } from '../../tools/doctor/link/run-link-check';
import { SecretKeeper } from '../../tools/doctor/link/secret';
import { headlessSignIn, type SignIn } from '../../tools/doctor/link/sign-in';
import type { Finding } from '../../tools/doctor/report';
import { TEST_SEALING_KEY, type TestClock } from './test-app';

/** linkbridge's public URL in these runs; the provider has `${PUBLIC_URL}/oauth/callback` registered. */
export const LINK_PUBLIC_URL = 'https://linkbridge.example.com';
/** The test account's password: it must appear nowhere in what the doctor prints. */
export const TEST_ACCOUNT_PASSWORD = 'correct horse battery staple';

/** The settings a deployment needs besides the provider's. */
export function baseLinkEnv(): Record<string, string> {
  return {
    PUBLIC_URL: LINK_PUBLIC_URL,
    ALEXA_CLIENT_ID: 'alexa-skill',
    ALEXA_CLIENT_SECRET: 'alexa-secret-value',
    ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
    STORE_URL: 'sqlite:/var/lib/linkbridge/linkbridge.sqlite',
    SEALING_KEYS: `k1:${TEST_SEALING_KEY}`,
  };
}

/** One run and everything it produced. */
export interface LinkRun extends LinkCheckResult {
  /** The progress lines, in order. */
  readonly said: readonly string[];
  /** How many requests the provider had received when the first line was said. */
  readonly providerCallsWhenWarned: number;
  /** The report for a person, and as JSON, before the last-line scrub the command line applies (so a scan proves the facts carry no secret). */
  readonly text: string;
  readonly json: string;
  /** The findings of one check. */
  findingsOf(check: Finding['check']): Finding[];
}

export interface LinkRunOptions {
  readonly clock: TestClock;
  /** How many requests the provider has received so far. */
  readonly providerCalls: () => number;
  readonly login?: string;
  readonly signIn?: SignIn;
  readonly readFile?: (path: string) => string;
}

/** Runs `doctor --link` with `env`, signing in without a browser (or with `options.signIn`). */
export async function runLink(env: Record<string, string | undefined>, options: LinkRunOptions): Promise<LinkRun> {
  const keeper = new SecretKeeper();
  const said: string[] = [];
  let providerCallsWhenWarned = -1;
  const result = await runLinkCheck(env, {
    fetch,
    clock: options.clock,
    signIn: options.signIn ?? headlessSignIn({ login: options.login ?? 'test-account', password: keeper.hold(TEST_ACCOUNT_PASSWORD) }),
    signInMethod: 'headless',
    pause: async (ms) => options.clock.advanceMs(ms),
    say: (line) => {
      if (said.length === 0) providerCallsWhenWarned = options.providerCalls();
      said.push(line);
    },
    keeper,
    readFile: options.readFile,
  });
  return {
    ...result,
    said,
    providerCallsWhenWarned,
    text: formatLinkReport(result.report),
    json: JSON.stringify(result.report),
    findingsOf: (check) => result.report.findings.filter((finding) => finding.check === check),
  };
}

/** Every secret in `secrets` that occurs in `text`. */
export function leakedSecrets(text: string, secrets: Iterable<string>): string[] {
  return [...secrets].filter((secret) => text.includes(secret));
}
