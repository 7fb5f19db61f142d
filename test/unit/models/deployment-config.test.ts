/**
 * The settings a deployment behind a proxy needs: `TRUST_PROXY` (whose `X-Forwarded-For` is believed),
 * the callback rate per address, and `METRICS_PORT`. Each bad value is refused by name, with the others.
 */
import { CALLBACK_RATE_DEFAULTS, ConfigError, loadConfig } from '../../../models/config';
import { BASE_TEST_ENV } from '../../support/test-app';

function load(env: Record<string, string | undefined>) {
  return loadConfig({ ...BASE_TEST_ENV, ...env });
}

/** The problems the start is refused for, as `VARIABLE: expectation` lines. */
function problems(env: Record<string, string | undefined>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable}: ${problem.expectation}`);
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('TRUST_PROXY', () => {
  test('is off by default and with false', () => {
    expect(load({}).trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  test('takes a number of proxies, or addresses, subnets and range names', () => {
    expect(load({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(load({ TRUST_PROXY: '10.0.0.2, 172.16.0.0/12, loopback, uniquelocal, fd00::/8, 192.168.0.0/255.255.0.0' }).trustProxy).toEqual([
      '10.0.0.2',
      '172.16.0.0/12',
      'loopback',
      'uniquelocal',
      'fd00::/8',
      '192.168.0.0/255.255.0.0',
    ]);
  });

  test('refuses true (anyone could choose their address), nonsense and impossible subnets, naming each', () => {
    expect(problems({ TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/^TRUST_PROXY: expects false, the number of proxies .*true would believe X-Forwarded-For from anyone/)]);
    expect(problems({ TRUST_PROXY: 'caddy, 10.0.0.0/33, 10.0.0.1' })).toEqual([expect.stringMatching(/^TRUST_PROXY: .*got "caddy", "10.0.0.0\/33"$/)]);
    expect(problems({ TRUST_PROXY: '0' })).toEqual([expect.stringMatching(/^TRUST_PROXY: .*got 0 proxies \(1 to 10\)$/)]);
  });
});

describe('the callback rate', () => {
  test('defaults to 60 at once and 20 a second, per address', () => {
    expect(load({}).callbackRate).toEqual({ burst: 60, perSecond: 20 });
    expect(CALLBACK_RATE_DEFAULTS).toEqual({ burst: 60, perSecond: 20 });
  });

  test('is read from CALLBACK_RATE_BURST and CALLBACK_RATE_PER_SECOND, each refused by name when not a positive number', () => {
    expect(load({ CALLBACK_RATE_BURST: '600', CALLBACK_RATE_PER_SECOND: '200' }).callbackRate).toEqual({ burst: 600, perSecond: 200 });
    expect(problems({ CALLBACK_RATE_BURST: '0', CALLBACK_RATE_PER_SECOND: 'fast' })).toEqual([
      'CALLBACK_RATE_BURST: expects a whole number from 1 to 1000000, got "0"',
      'CALLBACK_RATE_PER_SECOND: expects a whole number from 1 to 1000000, got "fast"',
    ]);
  });
});

describe('METRICS_PORT', () => {
  test('unset: no metrics', () => {
    expect(load({}).metrics).toEqual({});
  });

  test('a port of its own', () => {
    expect(load({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464 });
  });

  test('refuses the service port and what is not a port', () => {
    expect(problems({ PORT: '3000', METRICS_PORT: '3000' })).toEqual([expect.stringMatching(/^METRICS_PORT: must differ from PORT \(3000\)/)]);
    expect(problems({ METRICS_PORT: '70000' })).toEqual(['METRICS_PORT: expects a whole number from 1 to 65535, got "70000"']);
  });
});

describe('secrets from files (<NAME>_FILE)', () => {
  const files: Record<string, string> = {
    '/run/secrets/alexa_client_secret': 'alexa-secret-from-file\n',
    '/run/secrets/upstream_client_secret': 'upstream-secret-from-file',
    '/run/secrets/sealing_keys': `k9:${Buffer.alloc(32, 9).toString('base64url')}\n`,
    '/run/secrets/empty': '\n',
  };
  const readFile = (path: string) => {
    if (!(path in files)) throw new Error(`ENOENT: ${path}`);
    return files[path];
  };

  test('read the secret from the file, without its final line break', () => {
    const config = loadConfig(
      {
        ...BASE_TEST_ENV,
        ALEXA_CLIENT_SECRET: undefined,
        UPSTREAM_CLIENT_SECRET: undefined,
        SEALING_KEYS: undefined,
        ALEXA_CLIENT_SECRET_FILE: '/run/secrets/alexa_client_secret',
        UPSTREAM_CLIENT_SECRET_FILE: '/run/secrets/upstream_client_secret',
        SEALING_KEYS_FILE: '/run/secrets/sealing_keys',
      },
      readFile,
    );
    expect(config.alexa.clientSecret).toBe('alexa-secret-from-file');
    expect(config.upstream.clientSecret).toBe('upstream-secret-from-file');
    expect(config.sealingKeys.map((key) => key.kid)).toEqual(['k9']);
  });

  test('refuse a file that cannot be read or is empty, and a secret given twice, each by name', () => {
    let problems: string[] = [];
    try {
      loadConfig(
        {
          ...BASE_TEST_ENV,
          ALEXA_CLIENT_SECRET: undefined,
          ALEXA_CLIENT_SECRET_FILE: '/run/secrets/missing',
          UPSTREAM_CLIENT_SECRET: undefined,
          UPSTREAM_CLIENT_SECRET_FILE: '/run/secrets/empty',
          SEALING_KEYS_FILE: '/run/secrets/sealing_keys',
        },
        readFile,
      );
    } catch (error) {
      problems = (error as ConfigError).problems.map((problem) => problem.variable);
    }
    expect(problems).toEqual(expect.arrayContaining(['ALEXA_CLIENT_SECRET_FILE', 'UPSTREAM_CLIENT_SECRET_FILE', 'SEALING_KEYS_FILE']));
  });
});
