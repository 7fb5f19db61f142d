import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps } from '../../app';
import { buildDeps } from '../../deps';
import { startDemoProvider, type DemoProvider } from '../../tools/demo/demo-provider';
import { loadConfig } from '../../models/config';
import { Cleanup } from './cleanup';
import { basic } from './fake-provider';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV, CapturedLogs, captureLogger } from './test-app';

/** linkbridge and a real OpenID provider upstream, each on its own loopback port. */
export interface LiveStack {
  readonly baseUrl: string;
  readonly provider: DemoProvider;
  readonly deps: AppDeps;
  readonly logs: CapturedLogs;
  readonly alexaRedirectUri: string;
  close(): Promise<void>;
}

/**
 * Starts linkbridge (over real HTTP on 127.0.0.1) in front of node-oidc-provider, configured by
 * discovery of the provider's issuer, exactly as a deployment would be.
 */
export async function startLiveStack(env: Record<string, string | undefined> = {}): Promise<LiveStack> {
  const cleanup = new Cleanup();
  try {
    const server: Server = cleanup.add(createServer(), (started) => {
      started.closeAllConnections();
      return new Promise<void>((resolve) => started.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const provider = cleanup.add(
      await startDemoProvider({
        port: 0,
        clients: [{ clientId: BASE_TEST_ENV.UPSTREAM_CLIENT_ID, clientSecret: BASE_TEST_ENV.UPSTREAM_CLIENT_SECRET, redirectUris: [`${baseUrl}/oauth/callback`] }],
      }),
      (started) => started.close(),
    );
    const config = loadConfig({
      ...BASE_TEST_ENV,
      PUBLIC_URL: baseUrl,
      UPSTREAM_AUTHORIZATION_URL: undefined,
      UPSTREAM_TOKEN_URL: undefined,
      UPSTREAM_ISSUER: provider.issuer,
      UPSTREAM_SCOPE: 'openid profile email',
      ACCOUNT_API_URL: provider.userinfoUrl,
      ...env,
    });
    const logs = new CapturedLogs();
    const deps = await buildDeps(config, captureLogger(logs, 'trace'));
    cleanup.add(deps.store, (store) => store.close());
    server.on('request', createApp(deps));

    return { baseUrl, provider, deps, logs, alexaRedirectUri: ALEXA_REDIRECT_URI, close: () => cleanup.run() };
  } catch (error) {
    // Whatever started before the failure is closed here, so a failed start never keeps jest alive.
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/** Alexa's authorization URL at linkbridge, as the Alexa app opens it. */
export function alexaAuthorizeUrl(stack: LiveStack, params: Record<string, string> = {}): string {
  const url = new URL(`${stack.baseUrl}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID,
    response_type: 'code',
    redirect_uri: stack.alexaRedirectUri,
    state: 'alexa-state',
    ...params,
  }).toString();
  return url.toString();
}

/** Alexa's token request, authenticated with HTTP Basic. */
export async function alexaTokenRequest(stack: LiveStack, form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${stack.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(BASE_TEST_ENV.ALEXA_CLIENT_ID, BASE_TEST_ENV.ALEXA_CLIENT_SECRET) },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}
