/**
 * The vault's bookkeeping: a link's idle lifetime renewed on use without a write per request, records
 * sealed under an older key written again under the newest when read, linkbridge's tokens told from a
 * provider's, and the identity fields the skill gets.
 */
import type { AppDeps } from '../../../../app';
import { backgroundProviderCalls } from '../../../../linking/grants/background-calls';
import { Vault } from '../../../../linking/vault/vault';
import { isVaultToken, mintVaultToken } from '../../../../linking/vault/vault-tokens';
import type { SealingKey } from '../../../../models/config';
import { MemoryStore } from '../../../../models/memory.store';
import { hashedKey, SealedStore } from '../../../../models/sealed.store';
import type { Store } from '../../../../models/store';
import { CapturedLogs, captureLogger, testDeps, TestClock } from '../../../support/test-app';

const OLD_KEY: SealingKey = { kid: 'k0', secret: new Uint8Array(32).fill(1) };
const NEW_KEY: SealingKey = { kid: 'k1', secret: new Uint8Array(32).fill(2) };
const DAY_S = 86_400;
const TOKENS = { accessToken: 'provider-access', refreshToken: 'provider-refresh', expiresIn: 30 * DAY_S, identity: { userId: 'oWx-1' } };

/** A store that counts the writes of link records. */
class CountingStore extends SealedStore {
  linkWrites = 0;
  override put(key: string, value: string, expiresAt: number): Promise<void> {
    if (key.startsWith('link:')) this.linkWrites += 1;
    return super.put(key, value, expiresAt);
  }
}

async function vaultOver(store: Store, clock: TestClock, env: Record<string, string> = {}): Promise<{ vault: Vault; deps: AppDeps }> {
  const deps = await testDeps({ clock, env, logs: new CapturedLogs() });
  await deps.store.close();
  const withStore = { ...deps, store };
  return { vault: new Vault(withStore), deps: withStore };
}

const log = captureLogger(new CapturedLogs());

describe('the vault', () => {
  test("linkbridge's tokens are told from a provider's by their shape", () => {
    const access = mintVaultToken('access');
    expect(isVaultToken(access, 'access')).toBe(true);
    expect(isVaultToken(access, 'refresh')).toBe(false);
    expect(isVaultToken(mintVaultToken('refresh'), 'refresh')).toBe(true);
    expect(isVaultToken('ya29.a0AfH6SMB-provider-token', 'access')).toBe(false);
    expect(isVaultToken(`${access}x`, 'access')).toBe(false);
    expect(mintVaultToken('access')).not.toBe(access);
  });

  test('a link used many times a day is written once a day to renew its idle lifetime, and expires after that lifetime unused', async () => {
    const clock = new TestClock();
    const store = new CountingStore(new MemoryStore(clock), [NEW_KEY]);
    const { vault } = await vaultOver(store, clock, { VAULT_LINK_IDLE_DAYS: '30' });
    const linkId = await vault.keep(TOKENS, 'code', log);
    const { refresh_token: refreshToken } = await vault.issueTokens(linkId);
    const { access_token: accessToken } = await vault.issueImplicitToken(linkId);
    const writesAtStart = store.linkWrites;

    for (let request = 0; request < 50; request += 1) {
      expect((await vault.resolve(accessToken, 'amzn1.ask.account.A')).status).toBe('linked');
      clock.advanceSeconds(60);
    }
    await backgroundProviderCalls.drain(2000);
    // The first request binds the Alexa user; the other 49 write nothing.
    expect(store.linkWrites - writesAtStart).toBe(1);

    clock.advanceSeconds(DAY_S);
    const idleUntilBefore = (await vault.records.readLink(linkId))!.link.idleUntil;
    expect((await vault.resolve(accessToken, 'amzn1.ask.account.A')).status).toBe('linked');
    await backgroundProviderCalls.drain(2000);
    expect(store.linkWrites - writesAtStart).toBe(2);
    expect((await vault.records.readLink(linkId))!.link.idleUntil).toBeGreaterThan(idleUntilBefore);

    // Alexa's refresh keeps the link in use too; then nothing for longer than the idle lifetime.
    expect((await vault.refreshForAlexa(refreshToken!, log)).refresh_token).toBe(refreshToken);
    clock.advanceSeconds(31 * DAY_S);
    expect(await vault.records.readLink(linkId)).toBeUndefined();
    await expect(vault.refreshForAlexa(refreshToken!, log)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a link sealed under an older SEALING_KEYS key is written again under the newest when it is read', async () => {
    const clock = new TestClock();
    const raw = new MemoryStore(clock);
    const before = await vaultOver(new SealedStore(raw, [OLD_KEY]), clock);
    const linkId = await before.vault.keep(TOKENS, 'code', log);
    const { access_token: accessToken } = await before.vault.issueImplicitToken(linkId);
    const sealedLink = () => raw.get(hashedKey(`link:${linkId}`));
    expect(await sealedLink()).toMatch(/^s1\.k0\./);

    // SEALING_KEYS=k1:…,k0:… after the rotation: k1 seals, both unseal.
    const after = await vaultOver(new SealedStore(raw, [NEW_KEY, OLD_KEY]), clock);
    const found = await after.vault.resolve(accessToken, undefined);
    expect(found).toEqual({ status: 'linked', credentials: { accessToken: 'provider-access', identity: { userId: 'oWx-1' } } });
    await backgroundProviderCalls.drain(2000);
    expect(await sealedLink()).toMatch(/^s1\.k1\./);
    // Read again: nothing left to re-seal, and the record is whole.
    expect(await after.vault.resolve(accessToken, undefined)).toEqual(found);
  });

  test("an access token that is not linkbridge's is a provider's from relay custody, used as it is", async () => {
    const clock = new TestClock();
    const { vault } = await vaultOver(new SealedStore(new MemoryStore(clock), [NEW_KEY]), clock);
    expect(await vault.resolve('provider-token-from-relay-custody', 'amzn1.ask.account.A')).toEqual({
      status: 'linked',
      credentials: { accessToken: 'provider-token-from-relay-custody', identity: {} },
    });
    expect(await vault.resolve(mintVaultToken('access'), 'amzn1.ask.account.A')).toMatchObject({ status: 'expired' });
  });

  test('identity fields go by their profile name and by the name in the token answer (WeChat: userId and openid)', async () => {
    const clock = new TestClock();
    const { vault } = await vaultOver(new SealedStore(new MemoryStore(clock), [NEW_KEY]), clock, { UPSTREAM_PRESET: 'wechat', UPSTREAM_AUTHORIZATION_URL: '', UPSTREAM_TOKEN_URL: '', UPSTREAM_SCOPE: '' });
    const linkId = await vault.keep({ ...TOKENS, identity: { userId: 'oWx-1', unionId: 'oUnion-1' } }, 'code', log);
    const { access_token: accessToken } = await vault.issueImplicitToken(linkId);
    expect(await vault.resolve(accessToken, undefined)).toMatchObject({
      status: 'linked',
      credentials: { identity: { userId: 'oWx-1', openid: 'oWx-1', unionId: 'oUnion-1', unionid: 'oUnion-1' } },
    });
  });
});
