/**
 * Behind a proxy every connection comes from the proxy. With `TRUST_PROXY` off (the default) the client's
 * address is the connection's whatever `X-Forwarded-For` says, so a client cannot pick its own; with the
 * proxy trusted, the address it reports is the client's, and clients behind one proxy are rate-limited
 * apart. `PUBLIC_URL` stays the external URL either way: no forwarded header changes a redirect.
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../app';
import { authorizeQuery, FakeProvider } from '../../support/fake-provider';
import { CapturedLogs, TestClock, testDeps } from '../../support/test-app';

/** A callback that cannot link (no state): an error page, or `429` once its address is over the rate. */
function callbackFrom(app: Express, forwardedFor: string) {
  return request(app).get('/oauth/callback').set('X-Forwarded-For', forwardedFor).query({ code: 'upstream-code' });
}

/** The client address the request log gave each request to the callback. */
function loggedAddresses(logs: CapturedLogs): unknown[] {
  return logs.entries.filter((entry) => entry.msg === 'request' && entry.path === '/oauth/callback').map((entry) => entry.clientAddress);
}

async function setup(env: Record<string, string>) {
  const logs = new CapturedLogs();
  // A still clock: the buckets never refill during the test.
  const deps = await testDeps({ env: { CALLBACK_RATE_BURST: '2', CALLBACK_RATE_PER_SECOND: '1', ...env }, clock: new TestClock(), fetch: new FakeProvider().fetch, logs });
  return { app: createApp(deps), logs, close: () => deps.store.close() };
}

describe('TRUST_PROXY off (the default)', () => {
  test('X-Forwarded-For changes nothing: two "clients" share the connection\'s bucket, and the log has the connection\'s address', async () => {
    const { app, logs, close } = await setup({});
    expect((await callbackFrom(app, '203.0.113.1')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.2')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.3')).status).toBe(429);
    const addresses = loggedAddresses(logs);
    expect(addresses).toHaveLength(3);
    for (const address of addresses) expect(address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    await close();
  });
});

describe('TRUST_PROXY names the proxy', () => {
  test('two clients behind one proxy are rate-limited separately, and the log has each client\'s address', async () => {
    const { app, logs, close } = await setup({ TRUST_PROXY: 'loopback' });
    expect((await callbackFrom(app, '203.0.113.1')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.1')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.1')).status).toBe(429);
    // The other client behind the same proxy still has its whole burst.
    expect((await callbackFrom(app, '203.0.113.2')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.2')).status).toBe(400);
    expect((await callbackFrom(app, '203.0.113.2')).status).toBe(429);
    expect(loggedAddresses(logs)).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2', '203.0.113.2']);
    await close();
  });

  test('an untrusted hop before the proxy cannot choose the address: only the hop the trusted proxy saw counts', async () => {
    const { app, logs, close } = await setup({ TRUST_PROXY: 'loopback' });
    // The client wrote its own X-Forwarded-For; the proxy appended the address it really came from.
    await callbackFrom(app, '198.51.100.7, 203.0.113.9');
    expect(loggedAddresses(logs)).toEqual(['203.0.113.9']);
    await close();
  });

  test('forwarded host and protocol change no URL: the provider is sent PUBLIC_URL/oauth/callback', async () => {
    const { app, close } = await setup({ TRUST_PROXY: 'loopback' });
    const authorize = await request(app).get('/oauth/authorize').set({ 'X-Forwarded-Host': 'attacker.example', 'X-Forwarded-Proto': 'http' }).query(authorizeQuery());
    expect(authorize.status).toBe(302);
    expect(new URL(authorize.headers.location).searchParams.get('redirect_uri')).toBe('https://linkbridge.test/oauth/callback');
    await close();
  });
});
