/**
 * What the CloudFormation template passes the function, in one place: the stack parameters a deployment
 * sets in `ask-resources.json` (`skillInfrastructure.userConfig.cfn.parameters`) and the environment
 * variable each becomes, and the secrets, which the function reads from Parameter Store by name. The
 * template (`skill-stack.ts`), the deploy command (`deploy.ts`) and the tests read this table.
 */
import { PRESETS } from '../../linking/providers/presets';

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

/** The stack parameter naming the Parameter Store path under which the secrets are. */
export const SECRETS_PATH_PARAMETER = 'SecretsPath';

/**
 * The secrets, read at each cold start from SecureString parameters `<SecretsPath>/<VARIABLE>`, created
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

/** `SSM_PARAMETERS` for a function whose secrets are under `secretsPath`, in the stack `stackName`. */
export function ssmParameters(secretsPath: string, stackName: string): string {
  return [...SECRET_VARIABLES.map((variable) => `${variable}=${secretsPath}/${variable}`), `PUBLIC_URL=${publicUrlParameter(stackName)}`].join(',');
}

/**
 * The function's environment as the template sets it, for given parameter values (by parameter name;
 * defaults fill the rest) and the names the stack makes.
 */
export function functionEnvironment(values: Readonly<Record<string, string>>, made: { readonly skillId: string; readonly storeUrl: string; readonly secretsPath: string; readonly stackName: string }): Record<string, string> {
  const env: Record<string, string> = { NODE_ENV: 'production', SKILL_ID: made.skillId, STORE_URL: made.storeUrl, SSM_PARAMETERS: ssmParameters(made.secretsPath, made.stackName) };
  for (const parameter of LINKBRIDGE_PARAMETERS) env[parameter.variable] = values[parameter.name] ?? parameter.default ?? '';
  return env;
}
