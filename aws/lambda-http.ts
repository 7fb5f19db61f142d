import { createApp } from '../app';
import { buildDeps, type DepsOverrides } from '../deps';
import { backgroundProviderCalls } from '../linking/grants/background-calls';
import type { Config } from '../models/config';
import type { Logger } from '../models/logger';
import { functionUrlAdapter } from './function-url';
import type { FunctionUrlEvent, FunctionUrlResult, LambdaContext } from './lambda-events';

/**
 * The background work of an invocation ends this long before the function's timeout, so the invocation
 * returns rather than being cut off.
 */
const TIMEOUT_MARGIN_MS = 1000;

/** The linking routes behind the function URL: the Express app, built at the first Function URL event. */
export interface HttpHalf {
  answer(event: FunctionUrlEvent, context: LambdaContext): Promise<FunctionUrlResult>;
  /** Resolves when the provider calls this instance still runs have ended, or at their deadline. */
  finishBackgroundWork(context: LambdaContext): Promise<void>;
}

/** The app with its dependencies (store, provider client with discovery), as `main.ts` builds them. */
export async function startHttpHalf(config: Config, logger: Logger, overrides: DepsOverrides): Promise<HttpHalf> {
  const adapter = functionUrlAdapter(createApp(await buildDeps(config, logger, overrides)));
  return {
    async answer(event, context) {
      try {
        return await adapter(event, context);
      } catch (error) {
        logger.error({ cause: error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unknown' }, 'a Function URL request could not be served');
        return { statusCode: 500, headers: { 'content-type': 'application/json' }, cookies: [], body: '{"error":"server_error"}', isBase64Encoded: false };
      }
    },
    /**
     * Waits for provider calls that outlived their request (see `createLambdaHandler`), up to their own
     * deadline and never past the function's timeout less a margin. Nothing to wait for costs nothing.
     */
    async finishBackgroundWork(context) {
      const running = backgroundProviderCalls.size;
      if (running === 0) return;
      const deadlineMs = Math.max(0, Math.min(config.tokenReplay.providerDeadlineMs, context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS));
      logger.info({ running, deadlineMs }, 'the answer is ready; waiting for provider calls that outlived their request before the invocation ends');
      await backgroundProviderCalls.drain(deadlineMs);
    },
  };
}
