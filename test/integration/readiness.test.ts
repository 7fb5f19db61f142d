/**
 * Readiness follows the store: a real `redis-server` is stopped under a running linkbridge and started
 * again on the same port. `GET /readyz` turns `503` while Redis is gone and `200` once the client has
 * reconnected; `GET /healthz` (liveness) stays `200` throughout, so nothing restarts a process that only
 * waits for its store. The failed pings are counted in the metrics.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../app';
import { PrometheusMetrics } from '../../models/prometheus.metrics';
import { Cleanup } from '../support/cleanup';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';
import { testDeps } from '../support/test-app';

/** Asks `probe` until it answers `status`: the Redis client reconnects on its own schedule, not the test's. */
async function untilStatus(probe: () => Promise<{ status: number }>, status: number, attempts = 100): Promise<number> {
  let last = 0;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    last = (await probe()).status;
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

describeWithRedis('readiness with a Redis store', () => {
  const cleanup = new Cleanup();
  let redis: RedisServer;
  let deps: AppDeps;
  let app: Express;
  let metrics: PrometheusMetrics;

  beforeAll(async () => {
    redis = await startRedisServer();
    cleanup.add(redis, () => redis.stop());
    metrics = new PrometheusMetrics({ processMetrics: false });
    deps = await testDeps({ env: { STORE_URL: redis.url }, metrics });
    cleanup.add(deps.store, (store) => store.close());
    app = createApp(deps);
  });
  afterAll(() => cleanup.run());

  test('unready while Redis is stopped, ready again when it is back; live throughout', async () => {
    expect((await request(app).get('/readyz')).status).toBe(200);

    await redis.stop();
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', store: 'unavailable' });
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await metrics.text()).body).toMatch(/^linkbridge_store_failures_total\{operation="ping"\} [1-9]\d*$/m);

    redis = await startRedisServer({ port: redis.port });
    expect(await untilStatus(() => request(app).get('/readyz'), 200)).toBe(200);
    expect((await request(app).get('/healthz')).status).toBe(200);
  }, 30_000);
});
