import type { ProfileOverrides } from '../provider-profile';

/**
 * Any OpenID Connect provider, configured by discovery of `UPSTREAM_ISSUER`: endpoints, userinfo,
 * PKCE and client authentication from its metadata. `openid` is always asked for (without it the
 * provider is not obliged to speak OpenID Connect at all), and the user is the ID token's `sub`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth (§3.1)
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata (§3)
 */
export const oidcPreset: ProfileOverrides = {
  name: 'oidc',
  documentation: 'https://openid.net/specs/openid-connect-core-1_0.html',
  scope: { always: ['openid'] },
  token: { answer: { identity: { userId: 'id_token.sub' } } },
};
