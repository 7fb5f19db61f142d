import { StateHandles, StateRejectedError, StateSealer, type LinkingState } from '../../../linking/sealing';
import { MemoryStore } from '../../../models/memory.store';
import { TestClock, testConfig } from '../../support/test-app';

describe('StateHandles: a short handle for a provider that keeps only a short state', () => {
  function setup() {
    const clock = new TestClock();
    return { clock, handles: new StateHandles(new MemoryStore(clock)) };
  }

  test('a handle is 32 hex characters (within WeChat\'s a-zA-Z0-9 and 128 bytes), and unique', async () => {
    const { clock, handles } = setup();
    const expiresAt = clock.now() / 1000 + 600;
    const first = await handles.stash('sealed.state.one.two.three', expiresAt);
    const second = await handles.stash('sealed.state.one.two.three', expiresAt);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(StateHandles.isHandle(first)).toBe(true);
    expect(StateHandles.isHandle('eyJhbGciOiJkaXIifQ..iv.cipher.tag')).toBe(false);
  });

  test('redeems the sealed state once', async () => {
    const { clock, handles } = setup();
    const handle = await handles.stash('sealed', clock.now() / 1000 + 600);
    expect(await handles.redeem(handle)).toBe('sealed');
    expect(await handles.redeem(handle)).toBeUndefined();
  });

  test('expires with the sealed state', async () => {
    const { clock, handles } = setup();
    const handle = await handles.stash('sealed', clock.now() / 1000 + 600);
    clock.advanceSeconds(601);
    expect(await handles.redeem(handle)).toBeUndefined();
  });
});

describe('StateSealer: why a state is refused', () => {
  const clock = new TestClock();
  const flow: LinkingState = {
    id: 'state-1',
    flowId: 'flow-1',
    clientId: 'alexa-skill',
    alexaState: 's',
    redirectUri: 'https://layla.amazon.com/api/skill/link/M3BVP74N95SP1F',
    provider: 'oauth2',
    expiresAt: clock.now() / 1000 + 600,
  };
  const reasonOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof StateRejectedError ? error.reason : 'other'));

  test('each start without SEALING_KEYS makes a key with its own id, so a state from before a restart is "restarted", not "tampered"', async () => {
    const before = testConfig({ SEALING_KEYS: undefined });
    const after = testConfig({ SEALING_KEYS: undefined });
    expect(before.sealingKeys[0].kid).toMatch(/^ephemeral-[0-9a-f]{12}$/);
    expect(after.sealingKeys[0].kid).not.toBe(before.sealingKeys[0].kid);
    const sealed = await new StateSealer(before.sealingKeys, clock).seal(flow);
    expect(await reasonOf(new StateSealer(after.sealingKeys, clock).unseal(sealed))).toBe('restarted');
    // Configuring SEALING_KEYS after the restart does not change what happened to that flow.
    expect(await reasonOf(new StateSealer(testConfig().sealingKeys, clock).unseal(sealed))).toBe('restarted');
  });

  test('a configured key this server lacks is "unknown_key"; the same key id with another secret is "tampered"', async () => {
    const sealed = await new StateSealer(testConfig().sealingKeys, clock).seal(flow);
    const otherSecret = Buffer.alloc(32, 11).toString('base64url');
    expect(await reasonOf(new StateSealer(testConfig({ SEALING_KEYS: `k9:${otherSecret}` }).sealingKeys, clock).unseal(sealed))).toBe('unknown_key');
    expect(await reasonOf(new StateSealer(testConfig({ SEALING_KEYS: `k1:${otherSecret}` }).sealingKeys, clock).unseal(sealed))).toBe('tampered');
  });
});
