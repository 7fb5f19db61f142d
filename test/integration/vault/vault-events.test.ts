/**
 * Vault custody's links end when the user disables the skill or links again (deleted, revoked at the
 * provider, in the background), take over the tokens Alexa got in relay custody, and give the account
 * API the identity fields a WeChat-style provider's user API needs.
 */
import { backgroundProviderCalls } from '../../../linking/grants/background-calls';
import { vaultOf } from '../../../linking/vault/vault';
import { alexaRefresh, startInstance, withRetries, type Instance } from '../refresh/instances';
import { askName, sendSkillEvent, USER_ID, VaultStack } from './vault-stack';

jest.setTimeout(60_000);

/** The link Alexa's access token points to, as the store has it now. */
async function linkOf(instance: Instance, accessToken: string) {
  const vault = vaultOf(instance.deps);
  const pointer = await vault.records.readAccess(accessToken);
  return pointer && (await vault.records.readLink(pointer.linkId))?.link;
}

describe('vault custody: skill events and moving from relay custody', () => {
  const stack = new VaultStack('sqlite');
  beforeAll(() => stack.start());
  afterAll(() => stack.close());

  test('SkillDisabled: the link is gone from the store and the provider saw a revocation request, after the skill answered', async () => {
    const { provider } = stack;
    const {
      instances: [a],
    } = await stack.instances(1);
    const alexa = await stack.link(a);
    expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');
    await backgroundProviderCalls.drain(5000);
    expect(await linkOf(a, alexa.accessToken)).toMatchObject({ state: 'live', alexaUserId: USER_ID });
    const revocationsBefore = provider.revocationRequests.length;
    const liveBefore = provider.liveGrants;

    const answer = await sendSkillEvent(a.baseUrl, 'AlexaSkillEvent.SkillDisabled', alexa.accessToken);
    expect(answer.status).toBe(200);
    await backgroundProviderCalls.drain(5000);

    expect(await linkOf(a, alexa.accessToken)).toBeUndefined();
    expect(provider.revocationRequests.slice(revocationsBefore)).toEqual([{ tokenTypeHint: 'refresh_token', known: true }]);
    expect(provider.liveGrants).toBe(liveBefore - 1);
    expect((await alexaRefresh(a.baseUrl, alexa.refreshToken)).body.error).toBe('invalid_grant');
    const after = await askName(a.baseUrl, alexa.accessToken);
    expect(after.card).toBe('LinkAccount');
  });

  test('SkillAccountLinked for a user who already had a link: the old link ends and is revoked, the new one stays', async () => {
    const { provider } = stack;
    const {
      instances: [a],
    } = await stack.instances(1);
    const first = await stack.link(a);
    expect((await sendSkillEvent(a.baseUrl, 'AlexaSkillEvent.SkillAccountLinked', first.accessToken)).status).toBe(200);
    await backgroundProviderCalls.drain(5000);
    expect(await linkOf(a, first.accessToken)).toMatchObject({ alexaUserId: USER_ID });
    const revocationsBefore = provider.revocationRequests.length;

    const second = await stack.link(a);
    await sendSkillEvent(a.baseUrl, 'AlexaSkillEvent.SkillAccountLinked', second.accessToken);
    await backgroundProviderCalls.drain(5000);

    expect(await linkOf(a, first.accessToken)).toBeUndefined();
    expect(await linkOf(a, second.accessToken)).toMatchObject({ state: 'live', alexaUserId: USER_ID });
    expect(provider.revocationRequests.length - revocationsBefore).toBe(1);
    expect((await askName(a.baseUrl, second.accessToken)).speech).toContain('Ada Lovelace');
  });

  test("moving from relay: the provider's refresh token Alexa holds is refreshed once and becomes a link; its access token works until then", async () => {
    const { provider } = stack;
    const {
      instances: [a, b],
    } = await stack.instances(2);
    // What Alexa holds from relay custody: the provider's own pair.
    const relayEra = provider.issueGrant();
    expect((await askName(a.baseUrl, relayEra.accessToken)).speech).toContain('Ada Lovelace');

    const callsBefore = provider.calls.refresh_token;
    const revocationsBefore = provider.revocations;
    const answers = await Promise.all([a, b, a, b].map((instance) => withRetries(() => alexaRefresh(instance.baseUrl, relayEra.refreshToken))));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.access_token).toMatch(/^lba_/);
      expect(answer.body.refresh_token).toMatch(/^lbr_/);
    }
    // One provider call for every presentation of the relay-era token, and all of them one link.
    expect(provider.calls.refresh_token - callsBefore).toBe(1);
    const links = await Promise.all(answers.map((answer) => linkOf(a, answer.body.access_token)));
    expect(new Set(links.map((link) => link?.id)).size).toBe(1);
    expect(provider.grantIntact(relayEra.refreshToken)).toBe(true);
    expect(provider.revocations).toBe(revocationsBefore);

    // Later, the same relay-era token again (an answer Alexa lost): the same link, still no provider call.
    const again = await alexaRefresh(b.baseUrl, relayEra.refreshToken);
    expect(again.status).toBe(200);
    expect((await linkOf(b, again.body.access_token))?.id).toBe(links[0]?.id);
    expect(provider.calls.refresh_token - callsBefore).toBe(1);
    expect((await askName(b.baseUrl, again.body.access_token)).speech).toContain('Ada Lovelace');
  });

  test('switching custody with instances of both behind one address: a relay refresh answer kept a moment ago becomes the link, without a second provider call', async () => {
    const { provider } = stack;
    const {
      instances: [vaultInstance],
      storeUrl,
    } = await stack.instances(1);
    const relayInstance = stack.cleanup.add(await startInstance(provider, { STORE_URL: storeUrl, ALEXA_VERIFY_SIGNATURE: 'false' }, { clock: stack.clock }), (made) => made.close());
    const relayEra = provider.issueGrant();
    const relayed = await alexaRefresh(relayInstance.baseUrl, relayEra.refreshToken);
    expect(relayed.status).toBe(200);
    const callsBefore = provider.calls.refresh_token;

    // Alexa lost that answer and retries at an instance already in vault custody.
    const retried = await alexaRefresh(vaultInstance.baseUrl, relayEra.refreshToken);
    expect(retried.status).toBe(200);
    expect(retried.body.access_token).toMatch(/^lba_/);
    expect(provider.calls.refresh_token).toBe(callsBefore);
    expect(provider.grantIntact(relayEra.refreshToken)).toBe(true);
    expect((await askName(vaultInstance.baseUrl, retried.body.access_token)).speech).toContain('Ada Lovelace');
  });
});

describe('vault custody with a WeChat-style provider (the user API needs the openid from the token answer)', () => {
  const stack = new VaultStack('sqlite', { identityField: 'openid' });
  beforeAll(() => stack.start());
  afterAll(() => stack.close());

  test.each(['{openid}', '{userId}'])("the skill's account call carries the openid the token answer gave (ACCOUNT_API_URL …?openid=%s)", async (field) => {
    const { provider, clock } = stack;
    const {
      instances: [a],
    } = await stack.instances(1, { ACCOUNT_API_URL: `${provider.baseUrl}/me?openid=${field}&lang=en` }, { token: { answer: { identity: { userId: 'openid' } } } });
    const alexa = await stack.link(a);
    expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');
    clock.jumpSeconds(700);
    expect((await askName(a.baseUrl, alexa.accessToken)).speech).toContain('Ada Lovelace');
    const calls = provider.accountCalls.slice(-2);
    expect(calls.map((call) => call.status)).toEqual([200, 200]);
    const openid = new URLSearchParams(calls[0].query).get('openid');
    expect(openid).toMatch(/^user-/);
    expect(calls[1].query).toBe(`?openid=${encodeURIComponent(openid!)}&lang=en`);
  });
});
