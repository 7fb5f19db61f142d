import { StateHandles } from '../../../linking/sealing';
import { MemoryStore } from '../../../models/memory.store';
import { TestClock } from '../../support/test-app';

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
