import { createApp } from '../app';
import { buildDeps, type DepsOverrides } from '../deps';
import type { Config } from '../models/config';
import { errorBody } from '../models/error-body';
import type { Logger } from '../models/logger';
import { functionUrlAdapter } from './function-url';
import type { FunctionUrlEvent, FunctionUrlResult, LambdaContext } from './lambda-events';

/** The linking routes behind the function URL: the Express app, built at the first Function URL event. */
export interface HttpHalf {
  answer(event: FunctionUrlEvent, context: LambdaContext): Promise<FunctionUrlResult>;
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
        const body = JSON.stringify(errorBody('server_error', 'linkbridge could not answer this request'));
        return { statusCode: 500, headers: { 'content-type': 'application/json' }, cookies: [], body, isBase64Encoded: false };
      }
    },
  };
}
