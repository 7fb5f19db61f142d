import { PRESETS, resolveProviderProfile } from '../../../linking/providers/presets';
import { refreshRequestOf } from '../../../models/provider-profile';
import { testConfig } from '../../support/test-app';

const credentialsOnly = { UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined };

describe.each(Object.keys(PRESETS).filter((name) => name !== 'oauth2' && name !== 'oidc'))('the %s preset', (preset) => {
  test('needs only credentials, and cites the documentation it follows', async () => {
    const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: preset }).upstream, fetch);
    expect(profile.name).toBe(preset);
    expect(profile.authorization.url).toMatch(/^https:\/\//);
    expect(profile.token.url).toMatch(/^https:\/\//);
    expect(profile.documentation).toMatch(/^https:\/\//);
  });
});

test('WeChat refreshes at its own endpoint with appid and no secret, as a GET', async () => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'wechat' }).upstream, fetch);
  expect(refreshRequestOf(profile)).toMatchObject({
    url: 'https://api.weixin.qq.com/sns/oauth2/refresh_token',
    method: 'GET',
    clientAuthentication: 'none',
    parameterNames: { client_id: 'appid', client_secret: 'secret' },
  });
});

test('Slack reads the code answer under authed_user and the refresh answer at the top', async () => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'slack' }).upstream, fetch);
  expect(profile.token.answer.accessToken).toBe('authed_user.access_token');
  expect(refreshRequestOf(profile)?.answer).toMatchObject({ accessToken: 'access_token', refreshToken: 'refresh_token', identity: { teamId: 'team.id' } });
});

test.each(['facebook'])('%s has no refresh tokens', async (preset) => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: preset }).upstream, fetch);
  expect(refreshRequestOf(profile)).toBeUndefined();
});

test('the resolved profile is frozen', async () => {
  const profile = await resolveProviderProfile(testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'x' }).upstream, fetch);
  expect(Object.isFrozen(profile.token.answer)).toBe(true);
});

test('the config file changes one field of a preset and keeps the rest', async () => {
  const config = testConfig({ ...credentialsOnly, UPSTREAM_PRESET: 'github' });
  const profile = await resolveProviderProfile({ ...config.upstream, profile: { token: { headers: { 'user-agent': 'linkbridge' } } } }, fetch);
  expect(profile.token).toMatchObject({ url: 'https://github.com/login/oauth/access_token', clientAuthentication: 'client_secret_post', headers: { accept: 'application/json', 'user-agent': 'linkbridge' } });
});
