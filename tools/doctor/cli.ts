import { readFileSync } from 'node:fs';
import { systemClock } from '../../models/clock';
import { systemTimers } from '../../models/deadline';
import { parseDoctorArguments, UsageError, USAGE, type SignInChoice } from './link/link-arguments';
import { formatLinkReport } from './link/link-report';
import { runLinkCheck } from './link/run-link-check';
import { SecretKeeper } from './link/secret';
import { browserSignIn, headlessSignIn, type SignIn } from './link/sign-in';
import { runDoctor } from './run-doctor';
import { formatReport } from './report';

/**
 * `npm run doctor [-- --json]`: checks the configuration in the environment against the provider and the
 * account API, prints each problem with the setting to change, and exits 1 when any is an error.
 * `-- --link`: signs in once with a test account and tests how the provider's tokens behave.
 */
async function main(): Promise<number> {
  let args: ReturnType<typeof parseDoctorArguments>;
  try {
    args = parseDoctorArguments(process.argv.slice(2), { readFile: (path) => readFileSync(path, 'utf8'), env: process.env });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`doctor: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.link) {
    const { report, exitCode } = await runDoctor(process.env, { fetch, clock: systemClock });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return exitCode;
  }

  const keeper = new SecretKeeper();
  const say = (line: string) => process.stderr.write(`doctor: ${keeper.scrub(line)}\n`);
  const signIn = await signInFor(args.link, keeper, say);
  const { report, exitCode } = await runLinkCheck(process.env, {
    fetch,
    clock: systemClock,
    timers: systemTimers,
    signIn,
    signInMethod: args.link.method,
    say,
    keeper,
  });
  process.stdout.write(keeper.scrub(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatLinkReport(report)));
  if (args.json && report.link.verdict && !report.link.verdict.works) say(`linking would not work as configured: ${report.link.verdict.reasons.join('; ')}`);
  return exitCode;
}

async function signInFor(choice: SignInChoice, keeper: SecretKeeper, say: (line: string) => void): Promise<SignIn> {
  if (choice.method === 'browser') return browserSignIn({ say });
  const password = choice.password ?? (await askHidden(`password for ${choice.login} (not shown): `));
  return headlessSignIn({ login: choice.login, password: keeper.hold(password) });
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return Promise.reject(new UsageError('--user without --password reads the password from a terminal; give --credentials <file> instead'));
  }
  process.stderr.write(question);
  return new Promise((resolve) => {
    let typed = '';
    const done = (answer: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (answer === undefined) process.exit(130);
      resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return done(typed);
        if (character === '\u0003') return done(undefined);
        typed = character === '\u007f' || character === '\b' ? typed.slice(0, -1) : typed + character;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
