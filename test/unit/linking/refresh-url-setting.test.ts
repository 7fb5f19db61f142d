/**
 * A failed token call names the setting that decides the URL it called: a refresh at an endpoint of the
 * preset's own (WeChat's `sns/oauth2/refresh_token`) is moved by UPSTREAM_REFRESH_URL, never by
 * UPSTREAM_TOKEN_URL, so the hint for it names UPSTREAM_REFRESH_URL.
 */
import { resolveProviderProfile } from '../../../linking/providers/presets';
import { UpstreamClient } from '../../../linking/upstream-client';
import { grantRefusal } from '../../../linking/grants/grant-refusal';
import { CapturedLogs, captureLogger, testConfig, testDeps } from '../../support/test-app';

/** Every call fails as a port with nothing behind it does. */
const refused: typeof fetch = async () => {
  throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
};

async function clientFor(env: Record<string, string | undefined>): Promise<UpstreamClient> {
  const config = testConfig({ UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_SCOPE: undefined, ...env });
  const profile = await resolveProviderProfile(config.upstream, refused);
  return new UpstreamClient({ profile, clientId: 'c', clientSecret: 's', redirectUri: 'https://lb.test/oauth/callback', timeoutMs: 500, fetch: refused });
}

/** The `check` of the failure's log line. */
async function hintFor(call: Promise<unknown>): Promise<string> {
  const logs = new CapturedLogs();
  const error = await call.catch((caught: unknown) => caught);
  grantRefusal(error, captureLogger(logs));
  return String(logs.entries.find((entry) => entry.msg === 'the call to the provider failed')?.check);
}

test('WeChat: a refresh that fails names UPSTREAM_REFRESH_URL; the code exchange names UPSTREAM_TOKEN_URL', async () => {
  const wechat = await clientFor({ UPSTREAM_PRESET: 'wechat' });
  expect(await hintFor(wechat.refresh('a-refresh-token'))).toMatch(/^the port in UPSTREAM_REFRESH_URL /);
  expect(await hintFor(wechat.exchangeCode('a-code'))).toMatch(/^the port in UPSTREAM_TOKEN_URL /);
});

test('a provider that refreshes at its token endpoint names UPSTREAM_TOKEN_URL for both', async () => {
  const github = await clientFor({ UPSTREAM_PRESET: 'github' });
  expect(await hintFor(github.refresh('a-refresh-token'))).toMatch(/^the port in UPSTREAM_TOKEN_URL /);
});

test('UPSTREAM_REFRESH_URL moves the refresh call, and only it', async () => {
  const calls: string[] = [];
  const recording: typeof fetch = async (input) => {
    calls.push(String(input).split('?')[0]);
    return refused(input);
  };
  const config = testConfig({ UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_SCOPE: undefined, UPSTREAM_TOKEN_URL: 'https://w.test/token', UPSTREAM_REFRESH_URL: 'https://w.test/refresh' });
  const profile = await resolveProviderProfile(config.upstream, recording);
  const client = new UpstreamClient({ profile, clientId: 'c', clientSecret: 's', redirectUri: 'https://lb.test/oauth/callback', timeoutMs: 500, fetch: recording });
  await client.refresh('r').catch(() => undefined);
  await client.exchangeCode('c').catch(() => undefined);
  expect(calls).toEqual(['https://w.test/refresh', 'https://w.test/token']);
});

test('the start warns when UPSTREAM_TOKEN_URL moves the code exchange and not the refresh', async () => {
  const logs = new CapturedLogs();
  const deps = await testDeps({ logs, env: { UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_SCOPE: undefined, UPSTREAM_TOKEN_URL: 'https://w.test/token' } });
  await deps.store.close();
  expect(logs.entries.filter((entry) => entry.level === 40 && entry.setting === 'UPSTREAM_REFRESH_URL')).toEqual([
    expect.objectContaining({ msg: expect.stringMatching(/^UPSTREAM_REFRESH_URL: UPSTREAM_TOKEN_URL moves the code exchange, but the wechat preset refreshes tokens at https:\/\/api\.weixin\.qq\.com/) }),
  ]);
});
