/**
 * linkbridge instances for the refresh tests: each a real HTTP server on loopback with its own deps
 * (store connection, provider transport, in-process calls), in front of a {@link RotatingProvider}.
 * Two instances given the same `STORE_URL` behave as two hosts behind one load balancer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps } from '../../../app';
import { buildDeps, type DepsOverrides } from '../../../deps';
import { loadConfig } from '../../../models/config';
import { Cleanup } from '../../support/cleanup';
import { basic } from '../../support/fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, captureLogger } from '../../support/test-app';
import type { RotatingProvider } from './rotating-provider';

export interface Instance {
  readonly baseUrl: string;
  readonly deps: AppDeps;
  readonly logs: CapturedLogs;
  close(): Promise<void>;
}

/** The environment every instance in front of `provider` shares. */
export function instanceEnv(provider: RotatingProvider, env: Record<string, string>): Record<string, string> {
  return {
    ...BASE_TEST_ENV,
    UPSTREAM_AUTHORIZATION_URL: `${provider.baseUrl}/authorize`,
    UPSTREAM_TOKEN_URL: `${provider.baseUrl}/token`,
    UPSTREAM_CLIENT_ID: provider.client.clientId,
    UPSTREAM_CLIENT_SECRET: provider.client.clientSecret,
    LOG_LEVEL: 'trace',
    ...env,
  };
}

export async function startInstance(provider: RotatingProvider, env: Record<string, string>, overrides: DepsOverrides = {}): Promise<Instance> {
  const cleanup = new Cleanup();
  try {
    const logs = new CapturedLogs();
    const config = loadConfig(instanceEnv(provider, env));
    const deps = await buildDeps(config, captureLogger(logs, 'trace'), overrides);
    cleanup.add(deps.store, (store) => store.close());
    const server: Server = cleanup.add(createServer(createApp(deps)), (started) => {
      started.closeAllConnections();
      return new Promise<void>((resolve) => started.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { baseUrl, deps, logs, close: () => cleanup.run() };
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, string>;
}

/** Alexa's token request to `baseUrl`, authenticated with HTTP Basic. */
export async function alexaToken(baseUrl: string, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET) },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

export function alexaRefresh(baseUrl: string, refreshToken: string): Promise<TokenAnswer> {
  return alexaToken(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** Alexa's retries: the same request again while the answer is `503`, up to `attempts` times. */
export async function withRetries(attempt: () => Promise<TokenAnswer>, attempts = 20): Promise<TokenAnswer> {
  let answer = await attempt();
  for (let tried = 1; tried < attempts && answer.status === 503; tried += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await attempt();
  }
  return answer;
}

/**
 * The authorization leg as the Alexa app and the provider drive it: authorize at `authorizeAt`, sign in
 * at the provider, come back to `callbackAt`. Returns the code linkbridge gave Alexa.
 */
export async function linkAccount(authorizeAt: string, callbackAt: string): Promise<string> {
  const authorize = new URL(`${authorizeAt}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID,
    response_type: 'code',
    redirect_uri: ALEXA_REDIRECT_URI,
    state: 'alexa-state',
    scope: 'profile',
  }).toString();
  const toProvider = await fetch(authorize, { redirect: 'manual' });
  const providerUrl = toProvider.headers.get('location');
  if (toProvider.status !== 302 || !providerUrl) throw new Error(`authorize answered ${toProvider.status}`);
  const fromProvider = await fetch(providerUrl, { redirect: 'manual' });
  const back = new URL(fromProvider.headers.get('location') ?? '');
  // The provider sends the browser to PUBLIC_URL/oauth/callback; here it lands on `callbackAt`.
  const callback = await fetch(`${callbackAt}/oauth/callback${back.search}`, { redirect: 'manual' });
  const toAlexa = callback.headers.get('location');
  if (callback.status !== 302 || !toAlexa) throw new Error(`callback answered ${callback.status}`);
  const code = new URL(toAlexa).searchParams.get('code');
  if (!code) throw new Error(`no code for Alexa: ${toAlexa.replace(/[?#].*/, '')}`);
  return code;
}

export function codeGrant(code: string): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: ALEXA_REDIRECT_URI };
}
