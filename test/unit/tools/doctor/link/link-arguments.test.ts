/** `npm run doctor`'s command line: how the test account signs in, and every mistake named without showing a value. */
import { parseDoctorArguments, UsageError } from '../../../../../tools/doctor/link/link-arguments';
import { hasDisplay, parseCredentials, SignInError } from '../../../../../tools/doctor/link/sign-in';

const files: Record<string, string> = { 'account.txt': 'login=tester\npassword=s3cret pass phrase\n', 'empty.txt': '# nothing\n' };
const context = (env: Record<string, string> = {}) => ({
  env,
  platform: 'linux' as const,
  readFile: (path: string) => {
    if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return files[path];
  },
});

test('without --link: the configuration checks, --json or not', () => {
  expect(parseDoctorArguments([], context())).toEqual({ help: false, json: false });
  expect(parseDoctorArguments(['--json'], context())).toEqual({ help: false, json: true });
  expect(parseDoctorArguments(['--json', '--help'], context())).toEqual({ help: true });
});

test('--link signs in in a browser window where there is a display, or as told', () => {
  expect(parseDoctorArguments(['--link'], context({ DISPLAY: ':0' }))).toMatchObject({ link: { method: 'browser' } });
  expect(parseDoctorArguments(['--link', '--browser'], context())).toMatchObject({ link: { method: 'browser' } });
  expect(parseDoctorArguments(['--link', '--credentials', 'account.txt'], context({ DISPLAY: ':0' }))).toMatchObject({ link: { method: 'headless', login: 'tester', password: 's3cret pass phrase' } });
  expect(parseDoctorArguments(['--link', '--user', 'tester', '--password', 'pw-on-the-line', '--json'], context())).toEqual({
    help: false,
    json: true,
    link: { method: 'headless', login: 'tester', password: 'pw-on-the-line' },
  });
  // A login alone: the password is asked for.
  expect(parseDoctorArguments(['--link', '--user', 'tester'], context())).toEqual({ help: false, json: false, link: { method: 'headless', login: 'tester' } });
});

test.each([
  [['--link'], /no display here for a browser window: give the test account with --credentials <file>, or --user <login>/],
  [['--user', 'tester'], /--user only go with --link/],
  [['--link', '--browser', '--user', 'tester'], /--browser signs in by hand/],
  [['--link', '--password', 'secret-value'], /--password needs --user/],
  [['--link', '--credentials', 'account.txt', '--user', 'tester'], /--credentials holds the login and password/],
  [['--link', '--credentials', 'missing.txt'], /cannot read the credentials file missing\.txt \(ENOENT\)/],
  [['--link', '--credentials', 'empty.txt'], /the credentials file has no login and no password/],
  [['--link', '--user'], /--user needs a value/],
  [['--linked'], /unknown option --linked/],
])('%j is a usage error: %s', (argv, message) => {
  const parse = () => parseDoctorArguments(argv, context());
  expect(parse).toThrow(UsageError);
  expect(parse).toThrow(message);
});

test('a usage error never repeats the password it was given', () => {
  expect(() => parseDoctorArguments(['--link', '--password', 'secret-value'], context())).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-value') }));
});

test('a credentials file as lines or as JSON; the password kept exactly, spaces and all', () => {
  expect(parseCredentials('# test account\r\nlogin = tester\r\npassword= a b =c \r\n')).toEqual({ login: 'tester', password: ' a b =c ' });
  expect(parseCredentials('{"login": "tester", "password": "pw"}')).toEqual({ login: 'tester', password: 'pw' });
  expect(() => parseCredentials('{"login": ')).toThrow(SignInError);
  expect(() => parseCredentials('login=tester')).toThrow('the credentials file has no password');
});

test.each([
  [{}, 'linux', false],
  [{ DISPLAY: ':0' }, 'linux', true],
  [{ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', true],
  [{ DISPLAY: ' ' }, 'linux', false],
  [{}, 'darwin', true],
  [{}, 'win32', true],
] as const)('a display with %j on %s: %s', (env, platform, expected) => {
  expect(hasDisplay(env, platform)).toBe(expected);
});
