import request from 'supertest';
import { createApp } from '../../app';
import { SqliteStore } from '../../models/sqlite.store';
import { testDeps, TestClock } from '../support/test-app';

test('GET /healthz is 200 while the store answers', async () => {
  const response = await request(createApp(await testDeps())).get('/healthz');
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ status: 'ok', mode: 'code', provider: 'oauth2' });
});

test('GET /healthz is 503 when the store cannot answer', async () => {
  const deps = await testDeps();
  const store = new SqliteStore(':memory:', new TestClock());
  await store.close();
  const response = await request(createApp({ ...deps, store })).get('/healthz');
  expect(response.status).toBe(503);
  expect(response.body.status).toBe('unavailable');
});
