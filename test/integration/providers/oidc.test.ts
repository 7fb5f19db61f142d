/**
 * An OpenID Connect provider through the `oidc` preset: only the issuer and credentials configured.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
import { json } from '../../support/provider-replicas/replica-server';
import { startOidcReplica } from '../../support/provider-replicas/oidc.replica';
import { CLIENT, describePresetFlows } from './preset-suite';

const basicHeader = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

describePresetFlows({
  preset: 'oidc',
  start: startOidcReplica,
  env: (origin) => ({ UPSTREAM_ISSUER: origin }),
  alexaScope: 'profile email',
  expectAuthorization: (upstream) => {
    expect(upstream.pathname).toBe('/authorize');
    expect(upstream.searchParams.get('scope')).toBe('profile email openid');
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
  },
  expectTokenCall: (call) => {
    expect(call.headers.authorization).toBe(basicHeader);
    expect(call.body.get('grant_type')).toBe('authorization_code');
  },
  refresh: {
    kind: 'rotating',
    expectCall: (call) => {
      expect(call.headers.authorization).toBe(basicHeader);
      expect(Object.fromEntries(call.body)).toEqual({ grant_type: 'refresh_token', refresh_token: expect.any(String) });
    },
  },
  identity: { userId: 'oidc-subject-1' },
  outage: json(500, { error: 'server_error', error_description: 'oops' }),
});
