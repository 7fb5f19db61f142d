import { ConfigError, listeningPort } from '../../models/config';
import { launchChromium } from '../browser/chromium';
import { ALEXA_REGIONS } from './alexa-request';
import { JourneyFailure, runJourney, type JourneyEvent, type JourneyOptions } from './headless-journey';
import { SUPPORTED_LOCALES } from './simulator';

const USAGE = `npm run simulate -- [options]

Plays Alexa against a running linkbridge (demo mode, or SIMULATOR=true): links an account, refreshes
the token, then says each utterance to the skill and prints the spoken answers.

  --url <url>          linkbridge's address (default: LINKBRIDGE_URL, else http://localhost:PORT, read as
                       npm start reads it: 3000 when PORT is unset)
  --user <name>        who signs in at the provider (default: ada, the demo user)
  --password <text>    their password (default: any password, as the demo provider accepts)
  --locale <tag>       ${SUPPORTED_LOCALES.join(' | ')} (default: en-US)
  --region <id>        ${Object.keys(ALEXA_REGIONS).join(' | ')} (default: NA)
  --say <words>        what to say once linked; repeat for more (default: "what's my name")
  --browser            sign in yourself in a real browser window (CHROMIUM_PATH, else /usr/bin/chromium,
                       else an installed Google Chrome)
  --help

Exits 0 when every step worked, 1 naming the first step that failed, 2 on a usage error.`;

interface Arguments extends Omit<JourneyOptions, 'signIn'> {
  readonly browser: boolean;
}

function parseArguments(argv: readonly string[], env: NodeJS.ProcessEnv): Arguments | 'help' {
  const values = new Map<string, string[]>();
  let browser = false;
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    if (name === '--help' || name === '-h') return 'help';
    if (name === '--browser') {
      browser = true;
      continue;
    }
    if (!['--url', '--user', '--password', '--locale', '--region', '--say'].includes(name)) throw new UsageError(`unknown option ${name}`);
    const value = argv[index + 1];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
    index += 1;
  }
  const one = (name: string) => values.get(name)?.at(-1);
  const locale = one('--locale') ?? 'en-US';
  if (!SUPPORTED_LOCALES.includes(locale)) throw new UsageError(`--locale must be one of ${SUPPORTED_LOCALES.join(', ')}`);
  const region = (one('--region') ?? 'NA').toUpperCase();
  if (!Object.hasOwn(ALEXA_REGIONS, region)) throw new UsageError(`--region must be one of ${Object.keys(ALEXA_REGIONS).join(', ')}`);
  return {
    baseUrl: one('--url') ?? env.LINKBRIDGE_URL ?? `http://localhost:${portOf(env)}`,
    login: one('--user') ?? 'ada',
    password: one('--password') ?? 'any password',
    locale,
    region,
    utterances: values.get('--say') ?? [locale === 'de-DE' ? 'wie heiße ich' : "what's my name"],
    browser,
  };
}

class UsageError extends Error {}

/** The port npm start listens on, by the server's own rules; a PORT it would refuse is a usage error here too. */
function portOf(env: NodeJS.ProcessEnv): number {
  try {
    return listeningPort(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${error.message} (linkbridge would not start with it either)`);
    throw error;
  }
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printEvent(event: JourneyEvent): void {
  if (event.step) {
    const { step } = event;
    const timing = step.ms === undefined ? '' : ` (${step.ms} ms${step.budgetMs ? ` of Alexa's ${step.budgetMs} ms` : ''})`;
    print(`${step.status === 'ok' ? '✓' : '✗'} ${step.title}${timing}`);
    print(`    ${step.detail}`);
  }
  if (event.turn) {
    const { turn } = event;
    const heard = turn.understood.request === 'LaunchRequest' ? 'LaunchRequest' : `${turn.understood.intent}`;
    print(`✓ you say "${turn.said}" → ${heard} (${turn.ms} ms of Alexa's ${turn.budgetMs} ms)`);
    print(`    Alexa says: "${turn.speech ?? ''}"`);
    if (turn.card) print(`    card: ${turn.card.title ?? turn.card.type}`);
  }
}

/** Sign-in in a visible browser: the person signs in; the redirect to Alexa is caught and never leaves the machine. */
async function signInWithBrowser(authorizeUrl: string, redirectUri: string): Promise<string> {
  // A browser that cannot start fails the sign-in step with the chooser's message (which one, and how to pick another).
  const browser = await launchChromium({ visible: true });
  try {
    const page = await browser.newPage();
    await page.route(
      (url) => url.href.startsWith(redirectUri),
      (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Linked</title><p>Back to the terminal: linkbridge simulator continues there.</p>' }),
    );
    await page.goto(authorizeUrl);
    print('    sign in in the browser window (waiting up to 5 minutes)');
    await page.waitForURL((url) => url.href.startsWith(redirectUri), { timeout: 5 * 60 * 1000 });
    return page.url();
  } finally {
    await browser.close();
  }
}

async function main(): Promise<number> {
  let options: Arguments | 'help';
  try {
    options = parseArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`simulate: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    print(USAGE);
    return 0;
  }
  print(`linkbridge simulator → ${options.baseUrl} (Alexa in ${ALEXA_REGIONS[options.region as keyof typeof ALEXA_REGIONS].label}, ${options.locale})`);
  try {
    await runJourney({ ...options, signIn: options.browser ? signInWithBrowser : undefined }, printEvent);
  } catch (error) {
    if (!(error instanceof JourneyFailure)) throw error;
    print(`✗ ${error.step}`);
    print(`    ${error.reason}`);
    process.stderr.write(`simulate: failed at step "${error.step}": ${error.reason}\n`);
    return 1;
  }
  print('✓ done: Alexa linked the account and the skill answered');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
