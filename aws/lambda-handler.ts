import type { ResponseEnvelope } from 'ask-sdk-model';
import pino, { type DestinationStream } from 'pino';
import { createApp } from '../app';
import { buildDeps, type DepsOverrides } from '../deps';
import { backgroundProviderCalls } from '../linking/grants/provider-call-once';
import { accountApiUrlOf, resolveProviderProfile } from '../linking/providers/presets';
import { systemClock } from '../models/clock';
import { ConfigError, loadConfig, type Config } from '../models/config';
import { storeScheme } from '../models/create-store';
import { createLogger, type Logger } from '../models/logger';
import { AccountApiClient } from '../skill/account-api.client';
import { createDirectInvocationSkill, RefusedInvocationError, type DirectInvocationSkill } from '../skill/direct-invocation';
import { functionUrlAdapter, type FunctionUrlAdapter } from './function-url';
import { isAlexaInvocation, isFunctionUrlEvent, type FunctionUrlEvent, type FunctionUrlResult, type LambdaContext } from './lambda-events';
import { createParameterStoreClient, withParameterStoreValues } from './parameter-store';

type Env = Readonly<Record<string, string | undefined>>;

/** The function's entry: a Function URL request gets its HTTP answer, a direct Alexa invocation its response envelope. */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<FunctionUrlResult | ResponseEnvelope>;

export interface LambdaHandlerOptions {
  /** The function's environment, as Lambda sets it (the template's variables, `AWS_REGION`). */
  readonly env: Env;
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
 * The background work of an invocation ends this long before the function's timeout, so the invocation
 * returns rather than being cut off.
 */
const TIMEOUT_MARGIN_MS = 1000;

/**
 * Builds the function's handler: one function serves the skill (Alexa invokes it directly with the request
 * envelope as the event) and the linking routes (through its Function URL, payload format 2.0).
 *
 * At a cold start, which begins as soon as this is called (Lambda's init phase), the configuration is read
 * once: the environment, with the secrets `SSM_PARAMETERS` names read from Parameter Store, given to the
 * config loader. What each kind of event needs is built at the first event of that kind, so a direct
 * invocation loads neither the Express app nor the store's SDK client. A start that fails is tried again at
 * the next event.
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
      await finishBackgroundWork(started, context);
    }
  };
}

/** The event is neither a Function URL request nor an Alexa request envelope. */
export class UnknownEventError extends Error {
  constructor() {
    super('linkbridge answers Function URL requests (payload format 2.0) and Alexa request envelopes only');
    this.name = 'UnknownEventError';
  }
}

/** What a started function holds: the configuration, the logger, and the two ways in, each built at its first use. */
interface Service {
  readonly config: Config;
  readonly logger: Logger;
  answerHttp(event: FunctionUrlEvent, context: LambdaContext): Promise<FunctionUrlResult>;
  answerAlexa(envelope: unknown): Promise<ResponseEnvelope>;
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
  const http = startOnce(async (): Promise<FunctionUrlAdapter> => functionUrlAdapter(createApp(await buildDeps(config, logger, overrides))));
  const skill = startOnce(async (): Promise<DirectInvocationSkill> => {
    const fetchImpl = overrides.fetch ?? fetch;
    // The account API is ACCOUNT_API_URL or the provider's userinfo endpoint, which may take discovery to know.
    const accountApiUrl = config.skill.accountApiUrl ?? accountApiUrlOf(undefined, await resolveProviderProfile(config.upstream, fetchImpl)).url;
    const accountApi = new AccountApiClient(accountApiUrl, config.skill.accountApiTimeoutMs);
    return createDirectInvocationSkill({ config, logger, clock: overrides.clock ?? systemClock, skill: { accountApi } });
  });
  logger.info({ mode: config.linkMode, publicUrl: config.publicUrl }, 'linkbridge started on AWS Lambda');

  return {
    config,
    logger,
    async answerHttp(event, context) {
      try {
        return await (await http())(event, context);
      } catch (error) {
        logger.error({ cause: describe(error) }, 'a Function URL request could not be served');
        return { statusCode: 500, headers: { 'content-type': 'application/json' }, cookies: [], body: '{"error":"server_error"}', isBase64Encoded: false };
      }
    },
    async answerAlexa(envelope) {
      const direct = await skill();
      try {
        return await direct.invoke(envelope);
      } catch (error) {
        if (error instanceof RefusedInvocationError) throw error;
        logger.error({ cause: describe(error) }, 'skill dispatch failed');
        throw new Error('the skill could not answer this request');
      }
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
  if (storeScheme(config.storeUrl) !== 'dynamodb') {
    throw new ConfigError('STORE_URL', 'must be dynamodb://<table>?region=<region> on AWS Lambda: instances share nothing else, and the function package holds no SQLite or Redis driver');
  }
  return config;
}

/**
 * Waits for provider calls that outlived their request (see {@link createLambdaHandler}), up to their own
 * deadline and never past the function's timeout less a margin. Nothing to wait for costs nothing.
 */
async function finishBackgroundWork(service: Service, context: LambdaContext): Promise<void> {
  const running = backgroundProviderCalls.size;
  if (running === 0) return;
  const deadlineMs = Math.max(0, Math.min(service.config.tokenReplay.providerDeadlineMs, context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS));
  service.logger.info({ running, deadlineMs }, 'the answer is ready; waiting for provider calls that outlived their request before the invocation ends');
  await backgroundProviderCalls.drain(deadlineMs);
}

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
