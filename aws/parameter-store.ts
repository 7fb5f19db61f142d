import { GetParametersCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { ConfigError } from '../models/config';
import { withoutNodeVersionNotice } from '../models/aws-sdk-notice';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variable that names the configuration read from SSM Parameter Store at start:
 * `SSM_PARAMETERS=ALEXA_CLIENT_SECRET=/linkbridge/dev/ALEXA_CLIENT_SECRET,SEALING_KEYS=/linkbridge/dev/SEALING_KEYS`.
 * The template sets it to parameter names only, so no secret is in the template, the code package or the
 * function's environment; the values are read once per cold start.
 */
export const SSM_PARAMETERS = 'SSM_PARAMETERS';

/** GetParameters takes at most ten names a call. @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html */
const NAMES_PER_CALL = 10;

/** One configuration variable and the parameter that holds its value. */
export interface ParameterReference {
  readonly variable: string;
  readonly parameter: string;
}

/** Reading the parameters failed for a reason that may pass (the network, a throttle, a deadline). */
export class ParameterStoreUnavailableError extends Error {
  constructor(names: readonly string[], cause: unknown) {
    super(`could not read ${names.join(', ')} from SSM Parameter Store: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'ParameterStoreUnavailableError';
  }
}

/**
 * Parses `SSM_PARAMETERS`: comma-separated `VARIABLE=/parameter/name` pairs. A variable named twice, or
 * set in the environment as well (which value would win would be a guess), stops the start.
 */
export function parameterReferences(env: Env): ParameterReference[] {
  const text = env[SSM_PARAMETERS]?.trim() ?? '';
  if (text === '') return [];
  const references = text.split(',').map((entry) => {
    const at = entry.indexOf('=');
    const variable = entry.slice(0, at).trim();
    const parameter = entry.slice(at + 1).trim();
    if (at < 1 || !/^[A-Z][A-Z0-9_]*$/.test(variable) || !/^[A-Za-z0-9_.\-/:]+$/.test(parameter)) {
      throw new ConfigError(SSM_PARAMETERS, `expects VARIABLE=/parameter/name pairs separated by commas, as in ALEXA_CLIENT_SECRET=/linkbridge/ALEXA_CLIENT_SECRET; got "${entry.trim()}"`);
    }
    return { variable, parameter };
  });
  const seen = new Set<string>();
  for (const { variable } of references) {
    if (seen.has(variable)) throw new ConfigError(SSM_PARAMETERS, `names ${variable} twice`);
    seen.add(variable);
    if (env[variable]?.trim()) throw new ConfigError(variable, `is set in the environment and read from SSM Parameter Store (${SSM_PARAMETERS}); set it in one place only`);
  }
  return references;
}

/**
 * The environment with the values `SSM_PARAMETERS` names read from Parameter Store (SecureString values
 * decrypted), for the config loader; `env` itself when it names none. A parameter that does not exist stops
 * the start with a {@link ConfigError} naming the variable and the parameter; one that cannot be read in time
 * is a {@link ParameterStoreUnavailableError}. `deadlineMs` bounds the whole read, retries included.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html
 */
export async function withParameterStoreValues(env: Env, client: Pick<SSMClient, 'send'>, deadlineMs: number): Promise<Env> {
  const references = parameterReferences(env);
  if (references.length === 0) return env;
  const values = new Map<string, string>();
  const abortSignal = AbortSignal.timeout(deadlineMs);
  for (let start = 0; start < references.length; start += NAMES_PER_CALL) {
    const names = [...new Set(references.slice(start, start + NAMES_PER_CALL).map((reference) => reference.parameter))];
    let answer;
    try {
      answer = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }), { abortSignal });
    } catch (error) {
      throw new ParameterStoreUnavailableError(names, error);
    }
    for (const parameter of answer.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value);
    }
  }
  const resolved: Record<string, string | undefined> = { ...env };
  for (const { variable, parameter } of references) {
    const value = values.get(parameter);
    if (value === undefined) {
      throw new ConfigError(
        variable,
        `the SSM parameter ${parameter} (${SSM_PARAMETERS}) does not exist in this account and region; create it with ` +
          `aws ssm put-parameter --type SecureString --name ${parameter} --value <value>`,
      );
    }
    resolved[variable] = value;
  }
  return resolved;
}

/**
 * A Parameter Store client for `region`. Each attempt has a second to connect and two to be answered, and a
 * failed one is tried again; the caller's deadline bounds the whole. Credentials and the endpoint come from
 * the AWS SDK's own chain (on Lambda, the function's role; `AWS_ENDPOINT_URL_SSM` names another endpoint).
 */
export function createParameterStoreClient(region: string | undefined, profile?: string): SSMClient {
  const config: SSMClientConfig = {
    region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  };
  if (profile !== undefined) config.profile = profile;
  return withoutNodeVersionNotice(() => new SSMClient(config));
}
