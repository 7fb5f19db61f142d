/** `TOKEN_CUSTODY` and vault custody's lifetimes, read and refused like every other setting. */
import { ConfigError } from '../../../models/config';
import { testConfig } from '../../support/test-app';

const SQLITE = { STORE_URL: 'sqlite:/tmp/linkbridge-config-test.sqlite' };

test('relay custody by default; vault custody with its default lifetimes (an hour, a year for implicit mode, 400 idle days)', () => {
  expect(testConfig().tokenCustody).toBe('relay');
  const config = testConfig({ ...SQLITE, TOKEN_CUSTODY: 'vault' });
  expect(config.tokenCustody).toBe('vault');
  expect(config.vault).toEqual({ accessTokenSeconds: 3600, implicitTokenSeconds: 365 * 86_400, linkIdleDays: 400 });
});

test('a bad custody or lifetime is refused, every one named at once', () => {
  const refuse = () => testConfig({ ...SQLITE, TOKEN_CUSTODY: 'keep', VAULT_ACCESS_TOKEN_SECONDS: '60', VAULT_LINK_IDLE_DAYS: '0', VAULT_IMPLICIT_TOKEN_SECONDS: 'forever' });
  expect(refuse).toThrow(ConfigError);
  for (const variable of ['TOKEN_CUSTODY', 'VAULT_ACCESS_TOKEN_SECONDS', 'VAULT_LINK_IDLE_DAYS', 'VAULT_IMPLICIT_TOKEN_SECONDS']) expect(refuse).toThrow(variable);
});

test('an account API URL naming an identity field is a warning in relay custody, which keeps none', () => {
  const relay = testConfig({ ACCOUNT_API_URL: 'https://api.test/userinfo?openid={openid}' });
  expect(relay.warnings.map((warning) => warning.variable)).toContain('TOKEN_CUSTODY');
  const vault = testConfig({ ...SQLITE, TOKEN_CUSTODY: 'vault', ACCOUNT_API_URL: 'https://api.test/userinfo?openid={openid}' });
  expect(vault.warnings.map((warning) => warning.variable)).not.toContain('TOKEN_CUSTODY');
  expect(vault.skill.accountApiUrl).toBe('https://api.test/userinfo?openid={openid}');
});
