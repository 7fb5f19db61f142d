/**
 * `doctor --link` against local providers that each behave one way: each report names the behaviour, gives
 * the verdict and the settings to use, exits 0 only when linking would work as configured, and carries no
 * code, token or secret. Time is the provider's test clock: a 5 s token endpoint and a 30 s grace window
 * are measured without waiting.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LINK_WARNING } from '../../../tools/doctor/link/run-link-check';
import { Secret } from '../../../tools/doctor/link/secret';
import { headlessSignIn, SignInError } from '../../../tools/doctor/link/sign-in';
import { Cleanup } from '../../support/cleanup';
import { baseLinkEnv, leakedSecrets, LINK_PUBLIC_URL, runLink, TEST_ACCOUNT_PASSWORD, type LinkRun } from '../../support/doctor-link';
import { startTokenBehaviourReplica, type TokenBehaviour, type TokenBehaviourReplica } from '../../support/provider-replicas/token-behaviour.replica';
import type { RegisteredClient } from '../../support/provider-replicas/replica-server';

const CLIENT: RegisteredClient = { clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret-value', redirectUri: `${LINK_PUBLIC_URL}/oauth/callback` };

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

/** A provider that behaves as `behaviour`, and linkbridge configured for it (discovery, its credentials). */
async function provider(behaviour: TokenBehaviour): Promise<{ replica: TokenBehaviourReplica; env: Record<string, string> }> {
  const replica = cleanup.add(await startTokenBehaviourReplica(CLIENT, behaviour), (started) => started.close());
  const env = {
    ...baseLinkEnv(),
    UPSTREAM_ISSUER: replica.origin,
    UPSTREAM_CLIENT_ID: CLIENT.clientId,
    UPSTREAM_CLIENT_SECRET: CLIENT.clientSecret,
    // An OpenID provider's discovery gives the scope; an RFC 8414 server names none linkbridge could rely on.
    ...(behaviour.openId ? { UPSTREAM_PRESET: 'oidc' } : { UPSTREAM_SCOPE: 'profile email' }),
  };
  return { replica, env };
}

async function check(behaviour: TokenBehaviour, env: Record<string, string> = {}): Promise<{ run: LinkRun; replica: TokenBehaviourReplica }> {
  const { replica, env: base } = await provider(behaviour);
  const run = await runLink({ ...base, ...env }, { clock: replica.state.clock, providerCalls: () => replica.state.calls.length });
  expect(leakedSecrets(`${run.text}\n${run.json}\n${run.said.join('\n')}`, [...replica.secrets, TEST_ACCOUNT_PASSWORD])).toEqual([]);
  return { run, replica };
}

const severities = (run: LinkRun, check: Parameters<LinkRun['findingsOf']>[0]) => run.findingsOf(check).map((finding) => finding.severity);

describe('each behaviour is named, with its verdict and settings', () => {
  test('rotation with reuse detection and family revocation: relay is not safe, vault mode is needed', async () => {
    const { run, replica } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'revoke-family' } });
    expect(severities(run, 'link-refresh')).toEqual(['ok']);
    expect(run.findingsOf('link-refresh')[0].message).toMatch(/the refresh token rotates/);
    expect(run.findingsOf('link-reuse')).toMatchObject([
      { severity: 'warning', setting: 'TOKEN_CUSTODY', message: expect.stringMatching(/^refused \(invalid_grant, HTTP 400\), and the newest refresh token was revoked with it: rotation with reuse detection and family revocation/) },
    ]);
    // The grant is gone: two refreshes at once are not tried, and the report says why.
    expect(run.findingsOf('link-concurrent')).toMatchObject([{ severity: 'skipped', blockedBy: 'link-reuse', message: expect.stringMatching(/revoked the grant/) }]);
    expect(run.report.link.verdict).toMatchObject({
      works: true,
      custody: { configured: 'relay', recommended: 'vault', why: expect.stringMatching(/revokes the whole grant/) },
      replayWindow: { configured: 600, recommended: 600 },
      scope: { add: [] },
      providerConsole: [expect.stringMatching(/grace period for rotated refresh tokens/)],
    });
    expect(run.exitCode).toBe(0);
    expect(replica.revokedGrants()).toBe(1);
  });

  test('the same provider with TOKEN_CUSTODY=vault: the reuse finding passes and vault stays the custody to use', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'revoke-family' } }, { TOKEN_CUSTODY: 'vault' });
    expect(severities(run, 'link-reuse')).toEqual(['ok']);
    expect(run.report.link.verdict?.custody).toMatchObject({ configured: 'vault', recommended: 'vault' });
    expect(run.report.warnings).toBe(0);
  });

  test('rotation with reuse detection, the grant surviving: vault mode is needed, and two refreshes at once leave one refused', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'refuse' } });
    expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/the newest refresh token still works: rotation with reuse detection\./) }]);
    expect(run.findingsOf('link-concurrent')).toMatchObject([{ severity: 'info', message: expect.stringMatching(/^one answered, the other was refused \(invalid_grant, HTTP 400\); the grant survived/) }]);
    expect(run.report.link.verdict?.custody.recommended).toBe('vault');
    expect(run.exitCode).toBe(0);
  });

  test('rotation with a 30 s grace window: measured on the clock, relay is safe', async () => {
    const { run, replica } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'grace', seconds: 30 } });
    expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'ok', message: 'accepted for a grace window of 30 s to 40 s after the rotation, then refused' }]);
    expect(run.findingsOf('link-concurrent')).toMatchObject([{ severity: 'ok', message: 'both answered, with the same refresh token' }]);
    expect(run.report.link.verdict?.custody).toMatchObject({ configured: 'relay', recommended: 'relay', why: expect.stringMatching(/grace window of at least 30 s/) });
    expect(run.report.link.verdict?.providerConsole).toEqual([]);
    expect(run.said).toContainEqual(expect.stringMatching(/measuring how long it does/));
    expect(replica.revokedGrants()).toBe(1);
    expect(run.exitCode).toBe(0);
  });

  test('rotation with a 10 s grace window: too short to cover a lost answer, so vault mode is needed', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'grace', seconds: 10, thenRevokeFamily: true } });
    expect(run.findingsOf('link-reuse')).toMatchObject([
      { severity: 'warning', message: expect.stringMatching(/^accepted for a grace window of 10 s to 15 s after the rotation, then refused, and that late reuse revoked the whole grant/) },
    ]);
    expect(run.report.link.verdict?.custody.recommended).toBe('vault');
    expect(run.report.link.verdict?.providerConsole).toContainEqual(expect.stringMatching(/lengthen the grace period/));
  });

  test('no rotation: every refresh presents the same token, relay is safe and the replay window is not used', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'keep' });
    expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'ok', message: expect.stringMatching(/the refresh token stays the same/) }]);
    expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'ok', message: expect.stringMatching(/does not rotate refresh tokens/) }]);
    expect(run.findingsOf('link-concurrent')).toMatchObject([{ severity: 'ok', message: 'both answered, with the same refresh token' }]);
    expect(run.report.link.verdict).toMatchObject({ works: true, custody: { recommended: 'relay' }, replayWindow: { recommended: 600, why: expect.stringMatching(/nothing is replayed/) } });
    expect(run.findingsOf('link-revocation')).toMatchObject([{ severity: 'ok', message: "revoked the test account's refresh token, which is refused afterwards" }]);
    expect(run.report.warnings).toBe(0);
    expect(run.exitCode).toBe(0);
  });

  test('no refresh token: every user is unlinked when the first access token expires; the run exits 1 naming why', async () => {
    const { run } = await check({ refreshTokens: 'never' });
    expect(run.findingsOf('link-exchange')[0].message).toMatch(/no refresh token$/);
    expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'error', message: expect.stringMatching(/every user must link again 60 minutes after linking/) }]);
    expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'skipped' }]);
    expect(run.findingsOf('link-revocation')).toMatchObject([{ severity: 'ok', message: "revoked the test account's access token" }]);
    expect(run.report.link.verdict).toMatchObject({ works: false, reasons: [expect.stringMatching(/^link-refresh: every user must link again/)] });
    expect(run.text).toMatch(/Verdict: linking would not work as configured:\n {2}- link-refresh: every user must link again/);
    expect(run.exitCode).toBe(1);
  });

  test('expires_in of 60 s: under Alexa\'s minimum, an error with the provider setting and vault mode as the ways out', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'keep', expiresIn: 60 });
    expect(run.findingsOf('link-exchange')).toMatchObject([
      { severity: 'ok', message: expect.stringMatching(/expires_in 60 s/) },
      { severity: 'error', message: "the provider's access tokens live 60 s; Alexa needs at least 360 s", fix: expect.stringMatching(/TOKEN_CUSTODY=vault/) },
    ]);
    expect(run.report.link.verdict).toMatchObject({ works: false, custody: { recommended: 'vault' }, providerConsole: [expect.stringMatching(/access-token lifetime .* at least 360 s/)] });
    expect(run.exitCode).toBe(1);
  });

  test('a token endpoint that takes 5 s: every call is measured at 5000 ms against Alexa\'s 4.5 s, without waiting', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'keep', tokenCallSeconds: 5 });
    expect(run.findingsOf('link-latency')).toMatchObject([
      // The replica spends the time of two calls at once one after the other on its clock: the pair is the worst.
      { severity: 'error', message: expect.stringMatching(/^6 provider calls: p50 5000 ms, worst \d+ ms \(\w+\); Alexa gives up on linkbridge's token answer after 4500 ms/) },
    ]);
    expect(run.report.link.facts?.calls.slice(0, 2)).toEqual([
      { call: 'exchange', durationMs: 5000, status: 200 },
      { call: 'refresh', durationMs: 5000, status: 200 },
    ]);
    expect(run.report.link.verdict?.reasons).toEqual([expect.stringMatching(/^link-latency: /)]);
    expect(run.exitCode).toBe(1);
  });

  test('a token endpoint slower than the doctor waits: the exchange is reported as a timeout, on the injected clock', async () => {
    const { run } = await check({ refreshTokens: 'always', tokenCallSeconds: 12 });
    expect(run.findingsOf('link-exchange')).toMatchObject([{ severity: 'error', message: expect.stringMatching(/code exchange \(timeout\)/) }]);
    expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'skipped', blockedBy: 'link-exchange' }]);
    expect(run.exitCode).toBe(1);
  });

  test('an OpenID provider that issues refresh tokens only with offline_access: asked without it, the fix is the scope to add', async () => {
    const { run } = await check({ openId: true, refreshTokens: 'with-offline-access', rotation: 'keep' });
    expect(run.findingsOf('link-offline-access')).toMatchObject([
      {
        severity: 'error',
        setting: 'UPSTREAM_SCOPE',
        message: 'offline_access was not asked for, and the provider issued no refresh token without it: every link ends after 60 minutes',
        details: { 'scopes_supported lists offline_access': 'yes', grant_types_supported: 'authorization_code, refresh_token' },
      },
    ]);
    // One cause, one error: the refresh step says it waits on this one.
    expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'skipped', blockedBy: 'link-offline-access' }]);
    expect(run.report.errors).toBe(1);
    expect(run.report.link.verdict?.scope).toEqual({ setting: 'UPSTREAM_SCOPE', add: ['offline_access'], value: 'openid profile email offline_access' });
    expect(run.exitCode).toBe(1);
  });

  test('the same provider asked for offline_access: a refresh token, and linking works', async () => {
    const { run } = await check({ openId: true, refreshTokens: 'with-offline-access', rotation: 'keep' }, { UPSTREAM_SCOPE: 'openid profile email offline_access' });
    expect(run.findingsOf('link-offline-access')).toMatchObject([{ severity: 'ok', message: 'offline_access asked for and granted; a refresh token was issued' }]);
    expect(run.findingsOf('link-exchange')[0].details).toMatchObject({ 'identity fields the profile reads': ['userId: present'] });
    expect(run.report.link.verdict).toMatchObject({ works: true, scope: { add: [] } });
    expect(run.exitCode).toBe(0);
  });

  test('no revocation endpoint: the test grant stays valid, and the report says to revoke it by hand', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'keep', revocation: false });
    expect(run.findingsOf('link-revocation')).toMatchObject([{ severity: 'info', message: expect.stringMatching(/names no revocation endpoint/) }]);
    expect(run.report.link.verdict?.providerConsole).toEqual([expect.stringMatching(/^revoke the test account's grant there/)]);
    expect(run.exitCode).toBe(0);
  });
});

describe('what the run does and says', () => {
  test('it warns before the provider sees a request, and the report as JSON carries the facts and the verdict', async () => {
    const { run } = await check({ refreshTokens: 'always', rotation: 'keep' });
    expect(run.said[0]).toBe(LINK_WARNING);
    expect(run.providerCallsWhenWarned).toBe(0);
    const parsed = JSON.parse(run.json) as typeof run.report;
    expect(parsed.link.facts).toMatchObject({ signIn: 'headless', exchange: { tokenType: 'Bearer', expiresIn: 3600, refreshToken: true, scopeAsked: ['profile', 'email'] } });
    expect(parsed.link.facts?.accountApi).toMatchObject({ outcome: 'profile', httpStatus: 200, fieldsFound: ['name', 'email'] });
    expect(parsed.link.verdict?.works).toBe(true);
  });

  test('the provider refuses the sign-in: one error naming it, every later step skipped, exit 1', async () => {
    const { replica, env } = await provider({ refreshTokens: 'always' });
    const refusing = async (authorizationUrl: string, callbackUrl: string) => `${callbackUrl}?error=access_denied&state=${new URL(authorizationUrl).searchParams.get('state')}`;
    const run = await runLink(env, { clock: replica.state.clock, providerCalls: () => replica.state.calls.length, signIn: refusing });
    expect(run.findingsOf('link-sign-in')).toMatchObject([{ severity: 'error', message: 'the provider sent the browser back without a code (access_denied)' }]);
    expect(run.report.findings.filter((finding) => finding.check.startsWith('link-') && finding.check !== 'link-sign-in').every((finding) => finding.severity === 'skipped')).toBe(true);
    expect(run.exitCode).toBe(1);
  });

  test('a configuration the service would refuse: the link steps wait on it and nothing reaches the provider', async () => {
    const { replica, env } = await provider({ refreshTokens: 'always' });
    const run = await runLink({ ...env, UPSTREAM_CLIENT_SECRET: undefined }, { clock: replica.state.clock, providerCalls: () => replica.state.calls.length });
    expect(run.findingsOf('config')).toMatchObject([{ severity: 'error', setting: 'UPSTREAM_CLIENT_SECRET' }]);
    expect(run.findingsOf('link-sign-in')).toMatchObject([{ severity: 'skipped', blockedBy: 'config' }]);
    expect(run.report.link.verdict).toBeUndefined();
    expect(replica.state.calls).toEqual([]);
    expect(run.exitCode).toBe(1);
  });
});

test('a sign-in page without a login and password form: the sign-in without a browser says to use the browser', async () => {
  const server = cleanup.add(
    createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1>Scan the QR code</h1><img alt="QR code">')),
    (started) => {
      started.closeAllConnections();
      return new Promise((resolve) => started.close(resolve));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const signIn = headlessSignIn({ login: 'test-account', password: new Secret(TEST_ACCOUNT_PASSWORD) });
  const attempt = signIn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize?client_id=x#wechat_redirect`, `${LINK_PUBLIC_URL}/oauth/callback`);
  await expect(attempt).rejects.toThrow(SignInError);
  await expect(attempt).rejects.toThrow(/stopped at http:\/\/127\.0\.0\.1:\d+\/authorize \(HTTP 200: Scan the QR code\) with no form to submit\. .* needs the browser: run doctor --link without --user or --credentials on a machine with a display/);
});
