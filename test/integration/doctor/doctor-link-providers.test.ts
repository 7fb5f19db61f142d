/**
 * `doctor --link` against the demo provider (node-oidc-provider, signed in through its own sign-in and
 * consent forms), the refresh tests' rotating provider, and each preset's replica: every one gets a full
 * report naming how its tokens behave, the verdict, and exit 0 when linking works as configured.
 */
import { startDemoProvider } from '../../../tools/demo/demo-provider';
import { formatLinkReport } from '../../../tools/doctor/link/link-report';
import { headlessSignIn, type SignIn } from '../../../tools/doctor/link/sign-in';
import { Secret } from '../../../tools/doctor/link/secret';
import { signInWithForms } from '../../../tools/browser/form-walker';
import { AccountApiServer } from '../../support/account-api-server';
import { Cleanup } from '../../support/cleanup';
import { baseLinkEnv, leakedSecrets, LINK_PUBLIC_URL, runLink, TEST_ACCOUNT_PASSWORD, type LinkRun } from '../../support/doctor-link';
import { startCustomReplica } from '../../support/provider-replicas/custom.replica';
import { FACEBOOK_VERSION, startFacebookReplica } from '../../support/provider-replicas/facebook.replica';
import { startGithubReplica } from '../../support/provider-replicas/github.replica';
import { startOidcReplica } from '../../support/provider-replicas/oidc.replica';
import type { RegisteredClient, RunningReplica } from '../../support/provider-replicas/replica-server';
import { startSlackReplica } from '../../support/provider-replicas/slack.replica';
import { startWechatReplica, WECHAT_BROWSER_USER_AGENT } from '../../support/provider-replicas/wechat.replica';
import { startXReplica } from '../../support/provider-replicas/x.replica';
import { RotatingProvider } from '../refresh/rotating-provider';
import { TestClock } from '../../support/test-app';

const CLIENT: RegisteredClient = { clientId: 'linkbridge-at-provider', clientSecret: 'provider-issued-secret-value', redirectUri: `${LINK_PUBLIC_URL}/oauth/callback` };

const cleanup = new Cleanup();
let accountApi: AccountApiServer;

beforeAll(async () => {
  accountApi = cleanup.add(await new AccountApiServer().start(), (server) => server.stop());
  accountApi.behaviour = { status: 200, body: { name: 'Replica User', email: 'replica@example.com' } };
});
afterAll(() => cleanup.run());

function credentials(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...baseLinkEnv(), UPSTREAM_CLIENT_ID: CLIENT.clientId, UPSTREAM_CLIENT_SECRET: CLIENT.clientSecret, ...env };
}

/** Every code, token and secret a replica issued or knows. */
function replicaSecrets(replica: RunningReplica): string[] {
  const { state } = replica;
  return [CLIENT.clientSecret, TEST_ACCOUNT_PASSWORD, ...state.codes.keys(), ...state.accessTokens.keys(), ...state.refreshTokens.keys()];
}

const severities = (run: LinkRun, check: Parameters<LinkRun['findingsOf']>[0]) => run.findingsOf(check).map((finding) => finding.severity);

test("the demo provider (node-oidc-provider): signed in through its forms, rotation with family revocation, the skill answers as Ada", async () => {
  const demo = cleanup.add(await startDemoProvider({ port: 0, clients: [{ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, redirectUris: [CLIENT.redirectUri] }] }), (started) => started.close());
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests += 1;
    return fetch(input, init);
  };
  const run = await runLink(credentials({ UPSTREAM_ISSUER: demo.issuer, UPSTREAM_SCOPE: 'openid profile email', ACCOUNT_API_URL: demo.userinfoUrl }), {
    clock: new TestClock(),
    providerCalls: () => requests,
    signIn: headlessSignIn({ login: 'ada', password: new Secret(TEST_ACCOUNT_PASSWORD) }, counting),
  });
  expect(run.findingsOf('link-exchange')[0]).toMatchObject({ severity: 'ok', message: 'tokens issued: token type Bearer, expires_in 3600 s, a refresh token' });
  expect(run.findingsOf('link-account-api')[0].details).toMatchObject({ 'Alexa says to "tell me about my account"': expect.stringMatching(/^Here is your account\. Your name is Ada Lovelace\. Your email address is ada@example\.com\./) });
  expect(run.findingsOf('link-refresh')[0].message).toMatch(/the refresh token rotates/);
  expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/rotation with reuse detection and family revocation/) }]);
  expect(severities(run, 'link-revocation')).toEqual(['ok']);
  expect(run.report.link.verdict).toMatchObject({ works: true, custody: { recommended: 'vault' } });
  expect(run.exitCode).toBe(0);
  expect(run.text).not.toContain(TEST_ACCOUNT_PASSWORD);
  expect(run.text).not.toContain(CLIENT.clientSecret);
});

test('the refresh tests\' rotating provider: family revocation named by an independent provider', async () => {
  const rotating = cleanup.add(await new RotatingProvider({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret }).start(), (started) => started.close());
  const env = credentials({ UPSTREAM_AUTHORIZATION_URL: `${rotating.baseUrl}/authorize`, UPSTREAM_TOKEN_URL: `${rotating.baseUrl}/token`, UPSTREAM_SCOPE: 'profile', ACCOUNT_API_URL: accountApi.url });
  const run = await runLink(env, { clock: new TestClock(), providerCalls: () => rotating.calls.authorization_code + rotating.calls.refresh_token });
  expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/rotation with reuse detection and family revocation/) }]);
  expect(run.report.link.verdict?.custody.recommended).toBe('vault');
  expect(rotating.revocations).toBe(1);
  expect(leakedSecrets(`${run.text}\n${run.json}`, rotating.secrets)).toEqual([]);
  expect(run.exitCode).toBe(0);
});

/** One preset against its replica: how linkbridge is pointed at it, how the user signs in, and what the report must say. */
interface PresetLink {
  readonly preset: string;
  readonly start: (client: RegisteredClient) => Promise<RunningReplica>;
  readonly env: (origin: string) => Record<string, string>;
  readonly file?: (origin: string) => unknown;
  /** The browser the user signs in with, when it is not any browser. */
  readonly signIn?: SignIn;
  readonly expect: (run: LinkRun) => void;
}

/** WeChat's official-account page opens only in WeChat's own browser: the test account signs in there. */
const insideWechat: SignIn = (authorizationUrl, callbackUrl) =>
  signInWithForms(authorizationUrl.split('#')[0], callbackUrl, { login: 'unused', password: 'unused', fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, 'user-agent': WECHAT_BROWSER_USER_AGENT } }) });

const rotatingRefused = (run: LinkRun) => {
  expect(run.findingsOf('link-refresh')[0].message).toMatch(/the refresh token rotates/);
  expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/the newest refresh token still works: rotation with reuse detection\./) }]);
  expect(run.report.link.verdict?.custody.recommended).toBe('vault');
};

const keptRefreshToken = (run: LinkRun) => {
  expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'ok', message: expect.stringMatching(/the refresh token stays the same/) }]);
  expect(run.report.link.verdict?.custody.recommended).toBe('relay');
};

const PRESETS: readonly PresetLink[] = [
  {
    preset: 'oidc',
    start: startOidcReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'oidc', UPSTREAM_ISSUER: origin }),
    expect: (run) => {
      rotatingRefused(run);
      // It offers offline_access and the discovered scope leaves it out: the refresh token it issued may end with the session.
      expect(run.findingsOf('link-offline-access')).toMatchObject([{ severity: 'warning', setting: 'UPSTREAM_SCOPE' }]);
      // Said once: the configuration's scope check leaves offline_access to the step that saw the grant.
      expect(run.report.findings.filter((finding) => finding.message.includes('offline_access'))).toHaveLength(1);
      expect(run.report.link.verdict?.scope).toMatchObject({ add: ['offline_access'], value: 'openid profile email offline_access' });
      expect(run.findingsOf('link-exchange')[0].details).toMatchObject({ 'identity fields the profile reads': ['userId: present'] });
      expect(run.findingsOf('link-revocation')).toMatchObject([{ severity: 'info' }]);
    },
  },
  {
    preset: 'github (OAuth app)',
    start: (client) => startGithubReplica(client),
    env: (origin) => ({ UPSTREAM_PRESET: 'github', UPSTREAM_AUTHORIZATION_URL: `${origin}/login/oauth/authorize`, UPSTREAM_TOKEN_URL: `${origin}/login/oauth/access_token` }),
    expect: (run) => {
      expect(run.findingsOf('link-exchange')[0].message).toBe('tokens issued: token type bearer, no expires_in (Alexa is told DEFAULT_EXPIRES_IN, 3600 s), no refresh token');
      expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'info', message: expect.stringMatching(/do not expire/) }]);
    },
  },
  {
    preset: 'github (GitHub app, expiring user tokens)',
    start: (client) => startGithubReplica(client, { expiringTokens: true }),
    env: (origin) => ({ UPSTREAM_PRESET: 'github', UPSTREAM_AUTHORIZATION_URL: `${origin}/login/oauth/authorize`, UPSTREAM_TOKEN_URL: `${origin}/login/oauth/access_token` }),
    expect: rotatingRefused,
  },
  {
    preset: 'wechat',
    start: startWechatReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: `${origin}/connect/qrconnect`, UPSTREAM_TOKEN_URL: `${origin}/sns/oauth2/access_token`, UPSTREAM_REFRESH_URL: `${origin}/sns/oauth2/refresh_token` }),
    expect: (run) => {
      keptRefreshToken(run);
      expect(run.findingsOf('link-exchange')[0].details).toMatchObject({ 'identity fields the profile reads': ['userId: present', 'unionId: present'] });
    },
  },
  {
    preset: 'wechat-official',
    start: startWechatReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'wechat-official', UPSTREAM_AUTHORIZATION_URL: `${origin}/connect/oauth2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/sns/oauth2/access_token`, UPSTREAM_REFRESH_URL: `${origin}/sns/oauth2/refresh_token` }),
    signIn: insideWechat,
    expect: keptRefreshToken,
  },
  {
    preset: 'facebook',
    start: startFacebookReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'facebook', UPSTREAM_AUTHORIZATION_URL: `${origin}/${FACEBOOK_VERSION}/dialog/oauth`, UPSTREAM_TOKEN_URL: `${origin}/${FACEBOOK_VERSION}/oauth/access_token` }),
    expect: (run) => {
      // Facebook's 60-day tokens and no refresh: a link users make again every two months.
      expect(run.findingsOf('link-refresh')).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/every user must link again 60 days after linking/) }]);
    },
  },
  {
    preset: 'slack',
    start: startSlackReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'slack', UPSTREAM_AUTHORIZATION_URL: `${origin}/oauth/v2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/api/oauth.v2.access` }),
    expect: (run) => {
      rotatingRefused(run);
      expect(run.findingsOf('link-exchange')).toContainEqual(expect.objectContaining({ severity: 'info', message: expect.stringMatching(/^token_type is user, not Bearer/) }));
    },
  },
  {
    preset: 'x',
    start: startXReplica,
    env: (origin) => ({ UPSTREAM_PRESET: 'x', UPSTREAM_AUTHORIZATION_URL: `${origin}/i/oauth2/authorize`, UPSTREAM_TOKEN_URL: `${origin}/2/oauth2/token`, LINKBRIDGE_CONFIG: 'linkbridge.json' }),
    file: (origin) => ({ upstream: { profile: { revocationUrl: `${origin}/2/oauth2/revoke` } } }),
    expect: (run) => {
      rotatingRefused(run);
      expect(run.findingsOf('link-revocation')).toMatchObject([{ severity: 'ok', message: "revoked the test account's refresh token, which is refused afterwards" }]);
    },
  },
  {
    preset: 'oauth2 (a profile in LINKBRIDGE_CONFIG)',
    start: startCustomReplica,
    env: () => ({ LINKBRIDGE_CONFIG: 'linkbridge.json', UPSTREAM_SCOPE: 'read write' }),
    file: (origin) => ({
      upstream: {
        profile: {
          name: 'acme',
          authorization: { url: `${origin}/oauth/begin`, clientIdParameter: 'app', parameters: { display: 'page' }, pkce: false },
          scope: { parameter: 'perms', separator: ',' },
          token: {
            url: `${origin}/oauth/exchange`,
            method: 'GET',
            clientAuthentication: 'client_secret_post',
            parameterNames: { client_id: 'app', client_secret: 'key', code: 'auth_code', redirect_uri: 'callback' },
            omitParameters: ['grant_type'],
            answer: { accessToken: 'token', refreshToken: 'renew', expiresIn: 'ttl', identity: { memberId: 'member' } },
          },
          refresh: {
            url: `${origin}/oauth/renew`,
            method: 'POST',
            parameterNames: { refresh_token: 'renew_token' },
            parameters: { mode: 'renew' },
            answer: { accessToken: 'result.token.value', refreshToken: 'result.renew', expiresIn: 'result.token.ttl' },
          },
          errors: { codePath: 'fault', descriptionPath: 'fault_text', rules: [{ code: 'E_CODE_USED', error: 'invalid_grant' }, { code: 'E_RENEW_DEAD', error: 'invalid_grant' }] },
        },
      },
    }),
    expect: rotatingRefused,
  },
];

describe.each(PRESETS)('$preset', (testCase) => {
  test('a report that names how its tokens behave, with no secret in it, and exit 0', async () => {
    const replica = cleanup.add(await testCase.start(CLIENT), (started) => started.close());
    const file = testCase.file?.(replica.origin);
    const run = await runLink(credentials({ ACCOUNT_API_URL: accountApi.url, ...testCase.env(replica.origin) }), {
      clock: replica.state.clock,
      providerCalls: () => replica.state.calls.length,
      signIn: testCase.signIn,
      readFile: () => JSON.stringify(file),
    });
    const failed = run.report.findings.filter((finding) => finding.severity === 'error');
    expect({ failed, report: failed.length > 0 ? formatLinkReport(run.report) : '' }).toEqual({ failed: [], report: '' });
    testCase.expect(run);
    expect(severities(run, 'link-sign-in')).toEqual(['ok']);
    expect(run.findingsOf('link-account-api')).toMatchObject([{ severity: 'ok' }]);
    expect(leakedSecrets(`${run.text}\n${run.json}\n${run.said.join('\n')}`, replicaSecrets(replica))).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});
