/**
 * "The scope linkbridge asks for" is one value, computed from the resolved provider profile, for every
 * preset and with discovery: the service's start-up log and its authorization request when Alexa sends
 * no scope, `accountLinking.json` from `skill:package` (so what Alexa sends), the simulator's
 * authorization request (it plays Alexa) and the doctor all say the same scopes; and when Alexa sends
 * the package's scopes, the provider is asked for exactly what it is asked for when Alexa sends none.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
import request from 'supertest';
import { createApp } from '../../../app';
import { buildDeps } from '../../../deps';
import { loadConfig } from '../../../models/config';
import { runDoctor } from '../../../tools/doctor/run-doctor';
import { planSkillPackage } from '../../../tools/skill-package/skill-package';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, captureLogger, TestClock } from '../../support/test-app';

/** An OpenID provider (and, for RFC 8414 first, nothing at oauth-authorization-server), on a fake network. */
const idp: typeof fetch = async (input) => {
  if (String(input) === 'https://idp.test/.well-known/openid-configuration') {
    return Response.json({
      issuer: 'https://idp.test',
      authorization_endpoint: 'https://idp.test/auth',
      token_endpoint: 'https://idp.test/token',
      userinfo_endpoint: 'https://idp.test/userinfo',
      scopes_supported: ['openid', 'profile', 'email'],
    });
  }
  // Anything else the doctor probes: an endpoint that refuses what it is sent.
  return Response.json({ error: 'invalid_request' }, { status: 400 });
};

const presetOnly = { UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined, UPSTREAM_SCOPE: undefined };
const discovery = { ...presetOnly, UPSTREAM_ISSUER: 'https://idp.test' };

/** Each configuration, and the scopes it must ask for wherever they are said. */
const CASES: Array<[string, Record<string, string | undefined>, string[]]> = [
  ['oauth2 with UPSTREAM_SCOPE', { UPSTREAM_PRESET: 'oauth2', UPSTREAM_SCOPE: 'profile' }, ['profile']],
  ['oauth2 with discovery', { ...discovery, UPSTREAM_PRESET: 'oauth2' }, ['openid', 'profile', 'email']],
  ['oidc with discovery', { ...discovery, UPSTREAM_PRESET: 'oidc' }, ['openid', 'profile', 'email']],
  ['oidc with discovery and UPSTREAM_SCOPE', { ...discovery, UPSTREAM_PRESET: 'oidc', UPSTREAM_SCOPE: 'email' }, ['email', 'openid']],
  ['github', { ...presetOnly, UPSTREAM_PRESET: 'github' }, ['read:user', 'user:email']],
  ['wechat', { ...presetOnly, UPSTREAM_PRESET: 'wechat' }, ['snsapi_login']],
  ['wechat-official', { ...presetOnly, UPSTREAM_PRESET: 'wechat-official' }, ['snsapi_userinfo']],
  ['facebook', { ...presetOnly, UPSTREAM_PRESET: 'facebook' }, ['public_profile', 'email']],
  ['slack', { ...presetOnly, UPSTREAM_PRESET: 'slack' }, ['users:read', 'users.profile:read']],
  ['x', { ...presetOnly, UPSTREAM_PRESET: 'x' }, ['tweet.read', 'users.read', 'offline.access']],
  ['x with UPSTREAM_SCOPE', { ...presetOnly, UPSTREAM_PRESET: 'x', UPSTREAM_SCOPE: 'users.read' }, ['users.read', 'offline.access']],
];

function environment(change: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...BASE_TEST_ENV, PUBLIC_URL: 'https://linkbridge.example.com', PRIVACY_POLICY_URL: 'https://example.com/privacy', SIMULATOR: 'true', ...change };
}

/** The scopes in the provider's authorization URL, whatever parameter and separator the profile uses. */
function scopesSentToProvider(location: string, parameter: string): string[] {
  return (new URL(location).searchParams.get(parameter) ?? '').split(/[\s,]+/).filter(Boolean);
}

describe.each(CASES)('%s', (_name, change, expected) => {
  test('the service, the skill package, the simulator and the doctor ask for the same scopes', async () => {
    const env = environment(change);
    const logs = new CapturedLogs();
    const deps = await buildDeps(loadConfig(env), captureLogger(logs), { fetch: idp, clock: new TestClock() });
    try {
      const app = createApp(deps);
      const { parameter } = deps.upstream.profile.scope;
      const authorize = (scope?: string) =>
        request(app)
          .get('/oauth/authorize')
          .query({ client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID, response_type: 'code', redirect_uri: ALEXA_REDIRECT_URI, state: 'alexa-state', ...(scope === undefined ? {} : { scope }) });

      // The service: its start-up line, and what it asks the provider for when Alexa sends no scope.
      const resolved = logs.entries.find((entry) => entry.msg === 'provider profile resolved');
      expect(String(resolved?.scope).split(' ')).toEqual(expected);
      const withoutAlexaScope = await authorize();
      expect(withoutAlexaScope.status).toBe(302);
      expect(scopesSentToProvider(withoutAlexaScope.headers.location as string, parameter)).toEqual(expected);

      // The skill package: what Alexa's account-linking settings list, so what Alexa sends.
      const planned = await planSkillPackage(env, { demo: false, root: '/nowhere', fetch: idp });
      const packaged: string[] = JSON.parse(planned.files[1].content).accountLinkingRequest.scopes;
      expect(packaged).toEqual(expected);

      // Alexa sends the package's scopes: the provider is asked for the same as when Alexa sends none.
      const withPackagedScope = await authorize(packaged.join(' '));
      expect(scopesSentToProvider(withPackagedScope.headers.location as string, parameter)).toEqual(expected);

      // The simulator plays Alexa: it sends what the package says.
      const started = await request(app).post('/simulator/api/link').set('content-type', 'application/json').send({ redirect: 'regional' });
      expect(started.status).toBe(200);
      expect(new URL(started.body.authorizeUrl).searchParams.get('scope')?.split(' ')).toEqual(packaged);

      // The doctor checks the same scopes.
      const { report } = await runDoctor(env, { fetch: idp, clock: new TestClock(), accountLinkingPath: '/nonexistent/accountLinking.json' });
      expect(report.findings.find((finding) => finding.check === 'scope' && finding.severity === 'ok')?.message).toBe(`requests: ${expected.join(' ')}`);
    } finally {
      await deps.store.close();
    }
  });
});
