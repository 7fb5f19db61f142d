/**
 * `doctor --link` against local providers that each behave one way: each report names the behaviour, gives
 * the verdict and the settings to use, exits 0 only when linking would work as configured, and carries no
 * code, token or secret. Time is the provider's test clock: a 5 s token endpoint and a 30 s grace window
 * are measured without waiting.
 */
import { LINK_WARNING } from '../../../tools/doctor/link/run-link-check';
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

const severityOf = (run: LinkRun, check: Parameters<LinkRun['findingsOf']>[0]) => run.findingsOf(check).map((finding) => finding.severity);

test('rotation with reuse detection and family revocation: relay is not safe, vault mode is needed', async () => {
  const { run, replica } = await check({ refreshTokens: 'always', rotation: 'rotate', reuse: { kind: 'revoke-family' } });
  console.log(run.text);
  expect(run.said[0]).toBe(LINK_WARNING);
  expect(run.providerCallsWhenWarned).toBe(0);
  expect(run.findingsOf('link-reuse')).toMatchObject([{ severity: 'warning', setting: 'TOKEN_CUSTODY', message: expect.stringMatching(/family revocation/) }]);
  expect(run.report.link.verdict?.custody).toMatchObject({ configured: 'relay', recommended: 'vault' });
  expect(run.exitCode).toBe(0);
  expect(replica.revokedGrants()).toBe(1);
});
