import { hasDisplay, parseCredentials, SignInError } from './sign-in';

export const USAGE = `npm run doctor -- [--json] [--link [sign-in options]]

Checks the configuration in the environment as the service reads it. With --link it also signs in once with
a test account and tests how the provider's tokens behave (see docs/troubleshooting.md): the test account's
grant may be revoked by the test, so use an account made for testing.

  --json                 the report as JSON on standard output (progress goes to standard error)
  --link                 sign in with a test account and test its grant
  --user <login>         sign in without a browser, filling the provider's login and password fields
  --password <text>      the test account's password (visible in the process list: prefer
                         --credentials, or leave it out and type it when asked)
  --credentials <file>   a file with login=… and password=… lines (or {"login", "password"} as JSON)
  --browser              sign in yourself in a browser window (the default where there is a display)
  --help

Exits 0 when linking would work as configured, 1 naming each reason when it would not, 2 on a usage error.`;

/** A command line the doctor cannot run with; the message says why. */
export class UsageError extends Error {}

/** How the test account signs in. */
export type SignInChoice =
  | { readonly method: 'browser' }
  | { readonly method: 'headless'; readonly login: string; readonly password: string }
  /** A login given without a password: it is asked for, hidden. */
  | { readonly method: 'headless'; readonly login: string; readonly password?: undefined };

export type DoctorArguments = { readonly help: true } | { readonly help: false; readonly json: boolean; readonly link?: SignInChoice };

/** What reading the arguments needs besides them: the credentials file and whether a window can open. */
export interface ArgumentContext {
  readonly readFile: (path: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
}

/** Reads `npm run doctor`'s arguments; throws a {@link UsageError} naming what is wrong, never a value given. */
export function parseDoctorArguments(argv: readonly string[], context: ArgumentContext): DoctorArguments {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    if (name === '--help' || name === '-h') return { help: true };
    if (name === '--json' || name === '--link' || name === '--browser') {
      flags.add(name);
      continue;
    }
    if (!['--user', '--password', '--credentials'].includes(name)) throw new UsageError(`unknown option ${name}`);
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
    values.set(name, value);
    index += 1;
  }
  const json = flags.has('--json');
  const signInOptions = ['--user', '--password', '--credentials', '--browser'].filter((name) => values.has(name) || flags.has(name));
  if (!flags.has('--link')) {
    if (signInOptions.length > 0) throw new UsageError(`${signInOptions.join(', ')} only go with --link`);
    return { help: false, json };
  }
  return { help: false, json, link: signInChoice(values, flags.has('--browser'), context) };
}

function signInChoice(values: ReadonlyMap<string, string>, browser: boolean, context: ArgumentContext): SignInChoice {
  const file = values.get('--credentials');
  const user = values.get('--user');
  const password = values.get('--password');
  if (browser && (file !== undefined || user !== undefined || password !== undefined)) {
    throw new UsageError('--browser signs in by hand: leave out --user, --password and --credentials');
  }
  if (file !== undefined) {
    if (user !== undefined || password !== undefined) throw new UsageError('--credentials holds the login and password: leave out --user and --password');
    let text: string;
    try {
      text = context.readFile(file);
    } catch (error) {
      throw new UsageError(`cannot read the credentials file ${file} (${(error as { code?: string }).code ?? 'unreadable'})`);
    }
    try {
      return { method: 'headless', ...parseCredentials(text) };
    } catch (error) {
      if (error instanceof SignInError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (password !== undefined && user === undefined) throw new UsageError('--password needs --user');
  if (user !== undefined) return password === undefined ? { method: 'headless', login: user } : { method: 'headless', login: user, password };
  if (browser || hasDisplay(context.env, context.platform)) return { method: 'browser' };
  throw new UsageError(
    'there is no display here for a browser window: give the test account with --credentials <file>, or --user <login> (the password is then asked for, hidden); ' +
      'a provider whose sign-in needs more than a login and a password form needs a machine with a display',
  );
}
