/**
 * What a caller can make linkbridge store is bounded: in size (a provider code is not kept beyond a
 * sane length) and in rate (callbacks per address).
 */
import request from 'supertest';
import { createApp } from '../../../app';
import { MAX_UPSTREAM_CODE_LENGTH } from '../../../linking/issued-code';
import { CALLBACK_RATE_DEFAULTS as CALLBACK_RATE } from '../../../models/config';
import { FakeProvider, startFlow } from '../../support/fake-provider';
import { TestClock, testDeps } from '../../support/test-app';

async function setup() {
  const clock = new TestClock();
  const deps = await testDeps({ clock, fetch: new FakeProvider().fetch });
  return { app: createApp(deps), clock, deps };
}

test('a provider code over the length limit is refused and Alexa is told, not stored', async () => {
  const { app, deps } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ code: 'c'.repeat(MAX_UPSTREAM_CODE_LENGTH + 1), state });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.location);
  expect(location.searchParams.get('error')).toBe('server_error');
  expect(location.searchParams.get('code')).toBeNull();
  await deps.store.close();
});

test('a code at the limit is kept', async () => {
  const { app, deps } = await setup();
  const state = await startFlow(app);
  const response = await request(app).get('/oauth/callback').query({ code: 'c'.repeat(MAX_UPSTREAM_CODE_LENGTH), state });
  expect(new URL(response.headers.location).searchParams.get('code')).toEqual(expect.any(String));
  await deps.store.close();
});

test('callbacks from one address beyond the rate get 429 before anything is stored; the rate refills with time', async () => {
  const { app, clock, deps } = await setup();
  const states = await Promise.all(Array.from({ length: CALLBACK_RATE.burst + 1 }, () => startFlow(app)));
  const statuses: number[] = [];
  for (const state of states) statuses.push((await request(app).get('/oauth/callback').query({ code: 'upstream-code', state })).status);
  expect(statuses.slice(0, CALLBACK_RATE.burst).every((status) => status === 302)).toBe(true);
  expect(statuses[CALLBACK_RATE.burst]).toBe(429);
  // The refused callback's state was not marked used: it still works once the rate allows.
  clock.advanceSeconds(1);
  expect((await request(app).get('/oauth/callback').query({ code: 'upstream-code', state: states[CALLBACK_RATE.burst] })).status).toBe(302);
  await deps.store.close();
});
