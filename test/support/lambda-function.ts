/**
 * The function as the template deploys it, in the test's process: its environment built as the template
 * builds it (`tools/aws/stack-parameters.ts`), its secrets and URL in a fake Parameter Store, its table on
 * dynalite, and its URL on a loopback port. Each `instance()` is a fresh handler, as a new execution
 * environment would be (the process-wide registry of provider calls aside).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { createLambdaHandler, type LambdaHandler } from '../../aws/lambda-handler';
import * as httpHalf from '../../aws/lambda-http';
import * as skillHalf from '../../aws/lambda-skill';
import { SECRET_VARIABLES, functionEnvironment, publicUrlParameter, ssmParameters } from '../../tools/aws/stack-parameters';
import { INVOKED_SKILL_ID } from '../fixtures/aws/alexa-invocation';
import { Cleanup } from './cleanup';
import { startDynalite, type Dynalite } from './dynalite';
import { FakeParameterStore } from './fake-ssm';
import { FunctionUrlEmulator } from './function-url-emulator';
import { CapturedLogs, TEST_SEALING_KEY } from './test-app';

export const STACK_NAME = 'ask-linkbridge-default-skillStack-1';
export const SECRETS_PATH = '/linkbridge/test';
export const LAMBDA_SECRETS = { ALEXA_CLIENT_SECRET: 'alexa-secret-value', UPSTREAM_CLIENT_SECRET: 'upstream-secret-value', SEALING_KEYS: `k1:${TEST_SEALING_KEY}` } as const;

export interface LambdaFunction {
  readonly url: FunctionUrlEmulator;
  readonly parameterStore: FakeParameterStore;
  readonly dynalite: Dynalite;
  readonly table: string;
  readonly env: Record<string, string>;
  readonly logs: CapturedLogs;
  /** A new execution environment of the function (a cold start). */
  instance(options?: { readonly fetch?: typeof fetch; readonly env?: Readonly<Record<string, string>> }): LambdaHandler;
  close(): Promise<void>;
}

let tables = 0;

/**
 * Starts the function's surroundings; `parameters` are the stack parameters by name (`ask-resources.json`),
 * given the function URL, which the provider must know as the redirect URI before the stack is complete.
 */
export async function startLambdaFunction(
  parameters: (functionUrl: string) => Promise<Record<string, string>> | Record<string, string>,
  /** Variables the template does not set (budgets scaled down for a test). */
  extraEnv: Record<string, string> = {},
): Promise<LambdaFunction> {
  const cleanup = new Cleanup();
  try {
    const url = cleanup.add(await new FunctionUrlEmulator().start(), (started) => started.close());
    const dynalite = cleanup.add(await startDynalite(), (started) => started.stop());
    const table = `linkbridge-lambda-${(tables += 1)}`;
    const storeUrl = await dynalite.createTable(table);
    const parameterStore = cleanup.add(await new FakeParameterStore().start(), (started) => started.close());
    for (const variable of SECRET_VARIABLES) parameterStore.set(`${SECRETS_PATH}/${variable}`, LAMBDA_SECRETS[variable]);
    parameterStore.set(publicUrlParameter(STACK_NAME), `${url.baseUrl}/`, 'String');
    const env = {
      ...functionEnvironment(await parameters(url.baseUrl), { skillId: INVOKED_SKILL_ID, storeUrl, ssmParameters: ssmParameters(SECRETS_PATH, STACK_NAME) }),
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'debug',
      ...extraEnv,
    };
    const logs = new CapturedLogs();
    const clients: SSMClient[] = [];
    cleanup.add(clients, (made) => made.forEach((client) => client.destroy()));
    const instance = (options: { fetch?: typeof fetch; env?: Readonly<Record<string, string>> } = {}) => {
      const client = parameterStore.client();
      clients.push(client);
      return createLambdaHandler({ env: { ...env, ...options.env }, halves: { http: async () => httpHalf, skill: async () => skillHalf }, parameterStore: client, logDestination: logs.stream, overrides: options.fetch ? { fetch: options.fetch } : undefined });
    };
    url.handler = instance();
    return { url, parameterStore, dynalite, table, env, logs, instance, close: () => cleanup.run() };
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/** A Lambda context with `remainingMs` left before the function's timeout. */
export function lambdaContext(remainingMs = 30_000) {
  return { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'test-invocation' };
}
