import type { ResponseEnvelope } from 'ask-sdk-model';
import pino, { type DestinationStream } from 'pino';
import { backgroundProviderCalls } from '../linking/grants/background-calls';
import type { DepsOverrides } from '../deps';
import { ConfigError, loadConfig, type Config } from '../models/config';
import { createLogger, type Logger } from '../models/logger';
import type { HttpHalf, startHttpHalf } from './lambda-http';
import type { startSkillHalf } from './lambda-skill';
import { isAlexaInvocation, isFunctionUrlEvent, type FunctionUrlEvent, type FunctionUrlResult, type LambdaContext } from './lambda-events';
import { createParameterStoreClient, withParameterStoreValues } from './parameter-store';

type Env = Readonly<Record<string, string | undefined>>;

/** The function's entry: a Function URL request gets its HTTP answer, a direct Alexa invocation its response envelope. */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<FunctionUrlResult | ResponseEnvelope>;

/**
 * How the two halves of the function are loaded, each at its first event: `lambda.ts` imports each module
 * there (the package is split at those imports, so a cold start reads only the half its event needs).
 */
export interface LambdaHalves {
  readonly http: () => Promise<{ readonly startHttpHalf: typeof startHttpHalf }>;
  readonly skill: () => Promise<{ readonly startSkillHalf: typeof startSkillHalf }>;
}

export interface LambdaHandlerOptions {
  /** The function's environment, as Lambda sets it (the template's variables, `AWS_REGION`). */
  readonly env: Env;
  readonly halves: LambdaHalves;
  /** Parameter Store; a client for `AWS_REGION` when absent. */
  readonly parameterStore?: Parameters<typeof withParameterStoreValues>[1];
  /** Where log lines go; standard output, written synchronously, when absent. */
  readonly logDestination?: DestinationStream;
  /** The clock and `fetch` the service uses (tests). */
  readonly overrides?: DepsOverrides;
}

/** Reading the secrets at a cold start ends within this, retries included (Lambda's init phase allows 10 s). */
const PARAMETERS_DEADLINE_MS = 5000;

/**
 * Builds the function's handler: one function serves the skill (Alexa invokes it directly with the request
 * envelope as the event) and the linking routes (through its Function URL, payload format 2.0).
 *
 * At a cold start, which begins as soon as this is called (Lambda's init phase), the configuration is read
 * once: the environment, with the secrets `SSM_PARAMETERS` names read from Parameter Store, given to the
 * config loader. What each kind of event needs is loaded and built at the first event of that kind
 * (`lambda-skill.ts`, `lambda-http.ts`; see {@link LambdaHalves}), so a direct invocation neither loads nor
 * runs the Express app or the store's SDK client. A start that fails is tried again at the next event.
 *
 * Lambda freezes the process once the handler returns, so nothing may rely on work after the answer: a
 * provider call that outlives Alexa's budget (the token endpoint has answered `503 temporarily_unavailable`)
 * must still leave its answer in the store for Alexa's retry. The handler therefore awaits every such call
 * (`backgroundProviderCalls`) after the answer is made and before it returns it, up to the provider call's
 * own deadline and always inside the function's timeout. A buffered Function URL sends the answer when the
 * handler returns, so in that case Alexa sees its request time out rather than the `503`; its retry then
 * finds the stored answer, and no rotated refresh token is ever sent to the provider twice.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */
export function createLambdaHandler(options: LambdaHandlerOptions): LambdaHandler {
  const service = startOnce(() => startService(options));
  // Started now, in the init phase; a failure here is reported (and the start tried again) at the first event.
  service().catch(() => undefined);

  return async (event, context) => {
    const started = await service();
    try {
      if (isFunctionUrlEvent(event)) return await started.answerHttp(event, context);
      if (isAlexaInvocation(event)) return await started.answerAlexa(event);
      started.logger.warn('an event that is neither a Function URL request nor an Alexa request envelope was refused');
      throw new UnknownEventError();
    } finally {
      await started.finishBackgroundWork(context);
    }
  };
}

/**
 * The background work of an invocation ends this long before the function's timeout, so the invocation
 * returns rather than being cut off.
 */
const TIMEOUT_MARGIN_MS = 1000;

/** The event is neither a Function URL request nor an Alexa request envelope. */
export class UnknownEventError extends Error {
  constructor() {
    super('linkbridge answers Function URL requests (payload format 2.0) and Alexa request envelopes only');
    this.name = 'UnknownEventError';
  }
}

/** What a started function holds: its logger and the two ways in, each built at its first use. */
interface Service {
  readonly logger: Logger;
  answerHttp(event: FunctionUrlEvent, context: LambdaContext): Promise<FunctionUrlResult>;
  answerAlexa(envelope: unknown): Promise<ResponseEnvelope>;
  /** After every event: see {@link createLambdaHandler}. */
  finishBackgroundWork(context: LambdaContext): Promise<void>;
}

async function startService(options: LambdaHandlerOptions): Promise<Service> {
  // Written synchronously: Lambda may freeze the process right after an answer, with a buffer still unwritten.
  const destination = options.logDestination ?? pino.destination({ dest: 1, sync: true });
  let config: Config;
  try {
    const parameterStore = options.parameterStore ?? createParameterStoreClient(options.env.AWS_REGION);
    const env = await withParameterStoreValues(options.env, parameterStore, PARAMETERS_DEADLINE_MS);
    config = checkedForLambda(loadConfig(env), env);
  } catch (error) {
    // The configuration has no log level yet; this line is what CloudWatch shows for a function that cannot start.
    const cause = error instanceof ConfigError ? `configuration error: ${error.message}` : describe(error);
    createLogger('error', destination).error({ cause }, 'linkbridge cannot start; the next event tries again');
    throw error;
  }
  const logger = createLogger(config.logLevel, destination);
  const overrides = options.overrides ?? {};
  // Each half is loaded at its first event: a cold start for a direct invocation does not load the app.
  const http = startOnce(async () => {
    const { startHttpHalf } = await options.halves.http();
    return startHttpHalf(config, logger, overrides);
  });
  const skill = startOnce(async () => {
    const { startSkillHalf } = await options.halves.skill();
    return startSkillHalf(config, logger, overrides);
  });
  logger.info({ mode: config.linkMode, publicUrl: config.publicUrl }, 'linkbridge started on AWS Lambda');

  return {
    logger,
    async answerHttp(event, context) {
      let app: HttpHalf;
      try {
        app = await http();
      } catch (error) {
        // The app could not be built (the provider's discovery failed, say): a passing fault, tried again at the
        // next request, so the caller is told to retry rather than given Lambda's own 502.
        logger.error({ cause: describe(error) }, 'the app could not start; this request gets 503 and the next one tries again');
        return TEMPORARILY_UNAVAILABLE;
      }
      return app.answer(event, context);
    },
    async answerAlexa(envelope) {
      return (await skill()).answer(envelope);
    },
    /**
     * Waits for provider calls that outlived their request (the token endpoint's, and in vault custody the
     * skill's own refreshes and revocations), up to their own deadline and never past the function's timeout
     * less a margin. Nothing to wait for costs nothing.
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

/**
 * What a function needs beyond what the config loader checks: the skill id (the trigger is restricted to it,
 * and requests for other skills are refused), `PUBLIC_URL` (a default of localhost would send the provider
 * to the wrong place) and a store every instance shares: DynamoDB (the package holds no SQLite or Redis driver).
 */
function checkedForLambda(config: Config, env: Env): Config {
  if (!config.skill.skillId) throw new ConfigError('SKILL_ID', 'is required on AWS Lambda (the template sets it to the skill id ask-cli deploys)');
  if (!env.PUBLIC_URL?.trim()) throw new ConfigError('PUBLIC_URL', 'is required on AWS Lambda: the function URL (the template stores it in Parameter Store and names it in SSM_PARAMETERS)');
  if (config.store.kind !== 'dynamodb') {
    throw new ConfigError('STORE_URL', 'must be dynamodb://<table>?region=<region> on AWS Lambda: instances share nothing else, and the function package holds no SQLite or Redis driver');
  }
  return config;
}

/**
 * The answer while the app cannot start: RFC 6749's error for a passing fault (Alexa retries on it), which
 * every other caller also reads as "try again".
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
const TEMPORARILY_UNAVAILABLE: FunctionUrlResult = {
  statusCode: 503,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '1' },
  cookies: [],
  body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'linkbridge is starting; try again' }),
  isBase64Encoded: false,
};

/** Runs `start` once; a start that failed is run again at the next call. */
function startOnce<T>(start: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= start().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unknown';
}
