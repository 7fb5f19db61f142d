/**
 * `GET /healthz` is liveness (the process answers), `GET /readyz` readiness (the store answers and the
 * provider's profile is loaded): a balancer stops sending traffic to an instance that cannot serve, and
 * nothing restarts a healthy process because its store is down.
 */
import request from 'supertest';
import { createApp } from '../../app';
import { SqliteStore } from '../../models/sqlite.store';
import { testDeps, TestClock } from '../support/test-app';

test('GET /healthz is 200 while the store answers', async () => {
  const response = await request(createApp(await testDeps())).get('/healthz');
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ status: 'ok', mode: 'code', provider: 'oauth2' });
});

test('GET /healthz stays 200 when the store cannot answer: liveness asks nothing outside the process', async () => {
  const deps = await testDeps();
  const store = new SqliteStore(':memory:', new TestClock());
  await store.close();
  const response = await request(createApp({ ...deps, store })).get('/healthz');
  expect(response.status).toBe(200);
  expect(response.body.status).toBe('ok');
});

test('GET /readyz is 200 while the store answers, and says where the provider profile came from', async () => {
  const response = await request(createApp(await testDeps())).get('/readyz');
  expect(response.status).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.body).toEqual({ status: 'ready', store: 'ok', provider: 'configured' });
});

test('GET /readyz is 503 when the store cannot answer', async () => {
  const deps = await testDeps();
  const store = new SqliteStore(':memory:', new TestClock());
  await store.close();
  const response = await request(createApp({ ...deps, store })).get('/readyz');
  expect(response.status).toBe(503);
  expect(response.body).toEqual({ status: 'unavailable', store: 'unavailable', provider: 'configured' });
});
