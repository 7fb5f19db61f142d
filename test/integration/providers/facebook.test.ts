/**
 * Facebook Login, built by hand, through the `facebook` preset.
 * @see https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
import { FACEBOOK_VERSION, startFacebookReplica } from '../../support/provider-replicas/facebook.replica';
import { json } from '../../support/provider-replicas/replica-server';
import { CLIENT, describePresetFlows } from './preset-suite';

describePresetFlows({
  preset: 'facebook',
  start: startFacebookReplica,
  env: (origin) => ({ UPSTREAM_AUTHORIZATION_URL: `${origin}/${FACEBOOK_VERSION}/dialog/oauth`, UPSTREAM_TOKEN_URL: `${origin}/${FACEBOOK_VERSION}/oauth/access_token` }),
  alexaScope: 'public_profile email',
  expectAuthorization: (upstream) => {
    expect(upstream.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(upstream.searchParams.get('scope')).toBe('public_profile,email');
    expect(upstream.searchParams.has('code_challenge')).toBe(false);
  },
  expectTokenCall: (call) => {
    expect(call.method).toBe('GET');
    expect(Object.fromEntries(call.query)).toEqual({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code: expect.any(String), redirect_uri: CLIENT.redirectUri });
  },
  refresh: { kind: 'none' },
  // "Application request limit reached": code 4.
  outage: json(400, { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4, fbtrace_id: 'x' } }),
});
