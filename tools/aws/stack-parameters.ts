/**
 * What the CloudFormation template passes the function, in one place: the stack parameters a deployment
 * sets in `ask-resources.json` (`skillInfrastructure.userConfig.cfn.parameters`) and the environment
 * variable each becomes, and the secrets, which the function reads from Parameter Store by name. The
 * template (`skill-stack.ts`), the deploy command (`deploy.ts`) and the tests read this table.
 */
import { PRESETS } from '../../linking/providers/presets';
import type { ProfileOverrides } from '../../models/provider-profile';

/** A stack parameter that becomes one environment variable of the function. */
export interface LinkbridgeParameter {
  readonly name: string;
  readonly variable: string;
  readonly description: string;
  /** Absent: the deployment must give a value. */
  readonly default?: string;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
  readonly constraintDescription?: string;
}

const HTTPS_URL_OR_EMPTY = '^(https://[^\\s]+)?$';

export const LINKBRIDGE_PARAMETERS: readonly LinkbridgeParameter[] = [
  { name: 'AlexaClientId', variable: 'ALEXA_CLIENT_ID', description: "The client id Alexa presents (a value you choose; it goes into the skill's account-linking settings)", allowedPattern: '^\\S+$', constraintDescription: 'a client id without spaces' },
  {
    name: 'AlexaVendorIds',
    variable: 'ALEXA_VENDOR_IDS',
    description: 'Your vendor id(s), upper case, comma separated (ask smapi get-vendor-list)',
    allowedPattern: '^[A-Z0-9]+(,[A-Z0-9]+)*$',
    constraintDescription: 'vendor ids in upper-case letters and digits, comma separated, as in M3BVP74N95SP1F (ask smapi get-vendor-list)',
  },
  { name: 'UpstreamPreset', variable: 'UPSTREAM_PRESET', description: 'The provider preset', default: 'oauth2', allowedValues: Object.keys(PRESETS) },
  { name: 'UpstreamIssuer', variable: 'UPSTREAM_ISSUER', description: "The provider's issuer, for discovery (or give the authorization and token URLs)", default: '', allowedPattern: HTTPS_URL_OR_EMPTY, constraintDescription: 'an https:// URL, or empty' },
  { name: 'UpstreamAuthorizationUrl', variable: 'UPSTREAM_AUTHORIZATION_URL', description: "The provider's authorization endpoint (without discovery)", default: '', allowedPattern: HTTPS_URL_OR_EMPTY, constraintDescription: 'an https:// URL, or empty' },
  { name: 'UpstreamTokenUrl', variable: 'UPSTREAM_TOKEN_URL', description: "The provider's token endpoint (without discovery)", default: '', allowedPattern: HTTPS_URL_OR_EMPTY, constraintDescription: 'an https:// URL, or empty' },
  { name: 'UpstreamClientId', variable: 'UPSTREAM_CLIENT_ID', description: "linkbridge's client id at the provider", allowedPattern: '^\\S+$', constraintDescription: 'a client id without spaces' },
  { name: 'UpstreamScope', variable: 'UPSTREAM_SCOPE', description: 'The scopes the account API needs, space separated (empty: the preset or discovery says)', default: '' },
  { name: 'AccountApiUrl', variable: 'ACCOUNT_API_URL', description: "The skill's account API (empty: the provider's userinfo endpoint)", default: '', allowedPattern: HTTPS_URL_OR_EMPTY, constraintDescription: 'an https:// URL, or empty' },
  { name: 'LinkMode', variable: 'LINK_MODE', description: 'code (authorization code grant) or implicit', default: 'code', allowedValues: ['code', 'implicit'] },
  { name: 'PrivacyPolicyUrl', variable: 'PRIVACY_POLICY_URL', description: 'Your privacy policy (empty: the function serves a plain one at /privacy)', default: '', allowedPattern: HTTPS_URL_OR_EMPTY, constraintDescription: 'an https:// URL, or empty' },
];

/** The stack parameter naming the Parameter Store path under which the secrets are (one path per profile). */
export const PARAMETER_STORE_PATH = 'ParameterStorePath';
export const PARAMETER_STORE_PATH_DEFAULT = '/linkbridge';
export const PARAMETER_STORE_PATH_PATTERN = '^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$';

/**
 * The secrets, read at each cold start from SecureString parameters `<ParameterStorePath>/<VARIABLE>`, created
 * before the first deploy. Never a stack parameter, never in the function's environment.
 */
export const SECRET_VARIABLES = ['ALEXA_CLIENT_SECRET', 'UPSTREAM_CLIENT_SECRET', 'SEALING_KEYS'] as const;

/**
 * The standard parameter the stack writes the function URL into (`PUBLIC_URL`), under the stack's name:
 * the function cannot name its own URL in its environment (the URL is made after the function), so it
 * reads it at start with the secrets.
 */
export function publicUrlParameter(stackName: string): string {
  return `/linkbridge/${stackName}/PUBLIC_URL`;
}

/** `VARIABLE=<path>/VARIABLE` for each secret: what `SSM_PARAMETERS` says of them. */
export function secretParameters(secretsPath: string): string {
  return SECRET_VARIABLES.map((variable) => `${variable}=${secretsPath}/${variable}`).join(',');
}

/** `SSM_PARAMETERS` for a function whose secrets are under `secretsPath`, in the stack `stackName`. */
export function ssmParameters(secretsPath: string, stackName: string): string {
  return `${secretParameters(secretsPath)},PUBLIC_URL=${publicUrlParameter(stackName)}`;
}

/**
 * The function's environment as the template sets it, for given parameter values (by parameter name;
 * defaults fill the rest), the skill id, the store the stack made and `SSM_PARAMETERS`.
 */
export function functionEnvironment(values: Readonly<Record<string, string>>, made: { readonly skillId: string; readonly storeUrl: string; readonly ssmParameters: string }): Record<string, string> {
  const env: Record<string, string> = { NODE_ENV: 'production', SKILL_ID: made.skillId, STORE_URL: made.storeUrl, SSM_PARAMETERS: made.ssmParameters };
  for (const parameter of LINKBRIDGE_PARAMETERS) env[parameter.variable] = values[parameter.name] ?? parameter.default ?? '';
  return env;
}

/** The parameters the deployer itself passes; `cfn.parameters` may not name them. */
const RESERVED = new Set(['SkillId', 'SkillClientId', 'SkillClientSecret', 'LambdaRuntime', 'LambdaHandler', 'CodeBucket', 'CodeKey', 'CodeVersion']);

/** linkbridge's parameters with a number value. */
export const NUMBER_PARAMETERS: Readonly<Record<string, { readonly default: number; readonly check: (value: number) => boolean; readonly expectation: string }>> = {
  MemorySize: { default: 512, check: (value) => Number.isInteger(value) && value >= 128 && value <= 10240, expectation: 'a whole number of MB from 128 to 10240' },
  LogRetentionInDays: {
    default: 30,
    check: (value) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].includes(value),
    expectation: 'a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …)',
  },
};

/**
 * What CloudFormation would refuse, or the function could not start with, in a profile's
 * `skillInfrastructure.userConfig.cfn.parameters`, each with the parameter to set: checked before `ask deploy`
 * uploads anything.
 */
export function parameterProblems(values: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const known = new Set([...LINKBRIDGE_PARAMETERS.map((parameter) => parameter.name), PARAMETER_STORE_PATH, ...Object.keys(NUMBER_PARAMETERS)]);
  for (const name of Object.keys(values)) {
    if (RESERVED.has(name)) problems.push(`${name}: the deployer sets it; remove it from cfn.parameters`);
    else if (!known.has(name)) problems.push(`${name}: the template has no such parameter`);
  }
  const text = (name: string, fallback?: string): string | undefined => {
    const value = values[name];
    return value === undefined ? fallback : String(value);
  };
  for (const parameter of LINKBRIDGE_PARAMETERS) {
    const value = text(parameter.name, parameter.default);
    if (value === undefined) problems.push(`${parameter.name}: is required (${parameter.description})`);
    else if (parameter.allowedValues && !parameter.allowedValues.includes(value)) problems.push(`${parameter.name}: expects one of ${parameter.allowedValues.join(', ')}, got "${value}"`);
    else if (parameter.allowedPattern && !new RegExp(parameter.allowedPattern).test(value)) problems.push(`${parameter.name}: expects ${parameter.constraintDescription ?? parameter.allowedPattern}, got "${value}"`);
  }
  if (!new RegExp(PARAMETER_STORE_PATH_PATTERN).test(text(PARAMETER_STORE_PATH, PARAMETER_STORE_PATH_DEFAULT)!)) {
    problems.push(`${PARAMETER_STORE_PATH}: expects a Parameter Store path such as /linkbridge/development`);
  }
  for (const [name, number] of Object.entries(NUMBER_PARAMETERS)) {
    const value = text(name);
    if (value !== undefined && !number.check(Number(value))) problems.push(`${name}: expects ${number.expectation}, got "${value}"`);
  }
  if (!text('UpstreamIssuer') && !(text('UpstreamAuthorizationUrl') && text('UpstreamTokenUrl')) && !presetHasEndpoints(text('UpstreamPreset', 'oauth2')!)) {
    problems.push('UpstreamIssuer: set the provider\'s issuer (discovery), or both UpstreamAuthorizationUrl and UpstreamTokenUrl');
  }
  return problems;
}

/** A preset that names its provider's endpoints itself (GitHub, WeChat, …), so neither an issuer nor URLs are needed. */
function presetHasEndpoints(name: string): boolean {
  const preset: ProfileOverrides | undefined = Object.hasOwn(PRESETS, name) ? PRESETS[name as keyof typeof PRESETS] : undefined;
  return Boolean(preset?.authorization?.url && preset.token?.url);
}
