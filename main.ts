import { createServer, type Server } from 'node:http';
import { createApp } from './app';
import { startDemoProvider, type DemoProvider } from './tools/demo/demo-provider';
import { buildDeps } from './deps';
import { backgroundProviderCalls } from './linking/grants/background-calls';
import { ConfigError, loadConfig, type Config } from './models/config';
import { createLogger, standardOutput, type Logger } from './models/logger';
import type { PrometheusMetrics } from './models/prometheus.metrics';

/** Reads the config, builds the deps, listens. With no upstream configured, runs the demo provider too. */
async function main(): Promise<void> {
  const config = readConfigOrExit();
  // One stream for the JSON log and the line for people, so that line really comes last.
  const output = standardOutput();
  const logger = createLogger(config.logLevel, output);
  let demo: DemoProvider | undefined;
  if (config.demo) {
    demo = await startDemoProvider({
      port: config.demoProviderPort,
      host: '127.0.0.1',
      publicHost: 'localhost',
      clients: [{ clientId: config.upstream.clientId, clientSecret: config.upstream.clientSecret, redirectUris: [`${config.publicUrl}/oauth/callback`] }],
    }).catch((error: unknown) => exitIfPortTaken(error, 'DEMO_PROVIDER_PORT', config.demoProviderPort));
    // Demo mode is what a first start looks like, not a fault: said as information, not as a warning.
    logger.info(
      { issuer: demo.issuer, accountApi: demo.userinfoUrl },
      'demo mode: no UPSTREAM_* configured, so an embedded demo provider (sign in as ada, any password) and account API are running',
    );
  }

  const metrics = config.metrics.port === undefined ? undefined : new (loadPrometheus().PrometheusMetrics)();
  const deps = await buildDeps(config, logger, { metrics });
  const server = createServer(createApp(deps));
  const metricsServer = metrics && listenForMetrics(metrics, config, logger);
  const listening = () => {
    const where = config.host ? `${config.host}:${config.port}` : `port ${config.port} on all interfaces`;
    logger.info({ publicUrl: config.publicUrl, host: config.host ?? 'all interfaces', mode: config.linkMode, provider: deps.upstream.providerName }, `linkbridge listening on ${where}`);
    // The last line is for the person who just ran `npm start`: where to go next.
    if (config.simulator.enabled) {
      logger.info({ simulator: `${config.publicUrl}/simulator` }, 'simulator ready');
      // The JSON log is for machines; this line is for the person who just typed `npm start`.
      output.write(`\nlinkbridge is ready. Open ${config.publicUrl}/simulator to link an account and ask "what's my name".\n\n`);
    }
  };
  const portTaken = (error: Error) => exitIfPortTaken(error, 'PORT', config.port);
  server.once('error', portTaken);
  server.once('listening', () => {
    // Once listening, a server error is a connection that could not be accepted (EMFILE under a flood, say):
    // news for the log, never a reason to stop serving everyone else.
    server.off('error', portTaken);
    server.on('error', (error) => logger.error({ cause: error }, 'the server could not accept a connection'));
  });
  if (config.host) server.listen(config.port, config.host, listening);
  else server.listen(config.port, listening);
  // Every promise a request starts is awaited or given a handler; should one ever be missed, its rejection is
  // logged instead of stopping the service for every user (Node's default for an unhandled rejection).
  process.on('unhandledRejection', (reason) => logger.error({ cause: reason instanceof Error ? reason : 'not an Error' }, 'a promise rejection went unhandled'));

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(async () => {
      // Provider calls that outlived their request end first, so their answers reach the store.
      await backgroundProviderCalls.drain(config.tokenReplay.providerDeadlineMs);
      await deps.store.close();
      await demo?.close();
      metricsServer?.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), Math.max(5000, config.tokenReplay.lockTtlMs)).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** prom-client and the metrics listener, loaded only with `METRICS_PORT` (prom-client costs a start about 50 ms). */
function loadPrometheus(): typeof import('./models/prometheus.metrics') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
  return require('./models/prometheus.metrics') as typeof import('./models/prometheus.metrics');
}

/**
 * `GET /metrics` on `METRICS_PORT`, a listener of its own on the same interface as the service (`HOST`), so
 * the port a proxy publishes never serves them; keep this one off the internet (docs/deploying.md).
 */
function listenForMetrics(metrics: PrometheusMetrics, config: Config, logger: Logger): Server {
  const port = config.metrics.port!;
  const server = createServer(loadPrometheus().metricsRequestHandler(metrics));
  const portTaken = (error: Error) => exitIfPortTaken(error, 'METRICS_PORT', port);
  server.once('error', portTaken);
  const listening = () => {
    // As for the service: once listening, an error is one connection's, never a reason to stop.
    server.off('error', portTaken);
    server.on('error', (error) => logger.error({ cause: error }, 'the metrics listener could not accept a connection'));
    logger.info({ metricsPort: port }, `metrics at GET /metrics on port ${port}`);
  };
  if (config.host) server.listen(port, config.host, listening);
  else server.listen(port, listening);
  return server;
}

/** A port another program holds stops the start with the setting to change, not a stack trace. */
function exitIfPortTaken(error: unknown, variable: string, port: number): never {
  if ((error as { code?: unknown }).code === 'EADDRINUSE') {
    process.stderr.write(`linkbridge: port ${port} is already in use; stop what holds it or set ${variable} to a free port\n`);
    process.exit(1);
  }
  throw error;
}

function readConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`linkbridge: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`linkbridge: ${message}\n`);
  process.exit(1);
});
