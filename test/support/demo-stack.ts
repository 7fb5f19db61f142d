import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps } from '../../app';
import { startDemoProvider, type DemoProvider } from '../../tools/demo/demo-provider';
import { buildDeps } from '../../deps';
import { loadConfig } from '../../models/config';
import { Cleanup } from './cleanup';
import { CapturedLogs, captureLogger } from './test-app';

/** linkbridge as `npm start` runs it with no configuration (demo mode), each part on its own loopback port. */
export interface DemoStack {
  readonly baseUrl: string;
  readonly provider: DemoProvider;
  readonly deps: AppDeps;
  readonly logs: CapturedLogs;
  close(): Promise<void>;
}

/**
 * Starts what main.ts starts in demo mode (the embedded provider, then linkbridge with the simulator),
 * on 127.0.0.1 with free ports, from the same environment a person would give it.
 */
export async function startDemoStack(env: Record<string, string> = {}): Promise<DemoStack> {
  const cleanup = new Cleanup();
  try {
    const server: Server = cleanup.add(createServer(), (started) => {
      started.closeAllConnections();
      return new Promise<void>((resolve) => started.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const baseUrl = `http://127.0.0.1:${port}`;
    const provider = cleanup.add(
      await startDemoProvider({
        port: 0,
        host: '127.0.0.1',
        publicHost: 'localhost',
        clients: [{ clientId: 'linkbridge-demo', clientSecret: 'linkbridge-demo-secret', redirectUris: [`${baseUrl}/oauth/callback`] }],
      }),
      (started) => started.close(),
    );
    const config = loadConfig({
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DEMO_PROVIDER_PORT: new URL(provider.issuer).port,
      STORE_URL: 'memory:',
      LOG_LEVEL: 'debug',
      ...env,
    });
    if (!config.demo) throw new Error('the demo stack needs a configuration without UPSTREAM_*');
    const logs = new CapturedLogs();
    const deps = await buildDeps(config, captureLogger(logs));
    cleanup.add(deps.store, (store) => store.close());
    server.on('request', createApp(deps));
    return { baseUrl, provider, deps, logs, close: () => cleanup.run() };
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}
