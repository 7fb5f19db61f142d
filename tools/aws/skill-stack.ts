/**
 * The CloudFormation template ask-cli's CloudFormation deployer (`@ask-cli/cfn-deployer`) deploys for
 * `ask deploy`: one Lambda function for the skill and the linking routes, its URL, a DynamoDB table for the
 * store, the permissions, and a log group with a retention. Written with aws-cdk-lib's L1 constructs (one per
 * CloudFormation resource type, typed against the CloudFormation resource specification) and synthesized
 * without a bootstrap stack, assets or CDK metadata, so the output is a plain template that the deployer
 * hands to CloudFormation as it is.
 *
 *   npm run infrastructure            writes infrastructure/cfn-deployer/skill-stack.json
 *   npm run infrastructure -- --check fails when the committed file is not what this code makes
 *
 * @see https://github.com/alexa/ask-cli/blob/develop/docs/concepts/Deployer-CFN-Deployer.md
 * @see https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_l1_using
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, CfnDeletionPolicy, CfnOutput, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, CfnPermission, CfnUrl } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnParameter as CfnSsmParameter } from 'aws-cdk-lib/aws-ssm';
import { DYNAMODB_ATTRIBUTES, DYNAMODB_KEY_PREFIX } from '../../models/dynamodb-table';
import { LAMBDA_HANDLER } from '../build/lambda-package';
import { LINKBRIDGE_PARAMETERS, NUMBER_PARAMETERS, PARAMETER_STORE_PATH, PARAMETER_STORE_PATH_DEFAULT, PARAMETER_STORE_PATH_PATTERN, publicUrlParameter, ssmParameters } from './stack-parameters';

/** Where the template lives, relative to the project root (`templatePath` in ask-resources.json). */
export const TEMPLATE_PATH = 'infrastructure/cfn-deployer/skill-stack.json';

/**
 * The parameters the deployer always passes, named as it names them: the skill id, `userConfig.runtime`
 * and `userConfig.handler`, and where it uploaded the code package.
 * @see https://github.com/alexa/ask-cli/blob/develop/lib/builtins/deploy-delegates/cfn-deployer/index.js (`_mapStackParameters`)
 */
export const DEPLOYER_PARAMETERS = ['SkillId', 'LambdaRuntime', 'LambdaHandler', 'CodeBucket', 'CodeKey', 'CodeVersion'] as const;

/**
 * The runtimes the template accepts. `nodejs20.x` is not one: AWS deprecated it on 30 April 2026 and no
 * longer lets a function be created with it (31 August 2026). The code is built for Node.js 20 syntax and
 * tested on Node.js 20; it runs on 22, which ask-resources.json names.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;

/**
 * The function's timeout: the token endpoint answers within `UPSTREAM_TIMEOUT_MS` (3 s by default), and a
 * provider call that outlives that answer is awaited up to the store lock's expiry less a second (14 s by
 * default) before the invocation ends; 30 s covers both with room for a cold start.
 */
export const FUNCTION_TIMEOUT_SECONDS = 30;

/** Retention periods CloudWatch Logs accepts. @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
const RETENTION_DAYS = ['1', '3', '5', '7', '14', '30', '60', '90', '120', '150', '180', '365', '400', '545', '731', '1096', '1827', '2192', '2557', '2922', '3288', '3653'];

/**
 * Checks every template synthesized here: aws-cdk-lib runs AWS's offline CloudFormation validator
 * (`@aws/cloudformation-validate`: the resource schemas and cfn-lint's rules) at synthesis; these settings
 * make any finding, warning or error, stop the synthesis with the report.
 * @see https://github.com/aws-cloudformation/cloudformation-validate
 */
export const STRICT_VALIDATION = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:strictCfnValidateErrors': true,
} as const;

/**
 * Synthesizes the stack `build` makes in a fresh app, validated as {@link STRICT_VALIDATION} says, and returns
 * the template; throws the validator's report when it finds anything.
 */
export function synthesizeTemplate(build: (app: App) => Stack = buildSkillStack): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'linkbridge-cdk-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, context: STRICT_VALIDATION });
    const stack = build(app);
    return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stack, built in `app`. */
export function buildSkillStack(app: App): Stack {
  const stack = new Stack(app, 'LinkbridgeSkill', {
    synthesizer: new BootstraplessSynthesizer(),
    analyticsReporting: false,
    description: 'linkbridge: an Alexa skill with account linking on one AWS Lambda function (skill and linking routes), a DynamoDB table and Parameter Store secrets',
  });

  // ── What the deployer passes ──────────────────────────────────────────────────────────────────────
  const skillId = new CfnParameter(stack, 'SkillId', { type: 'String', description: 'The skill id (passed by ask-cli)', minLength: 1 });
  const runtime = new CfnParameter(stack, 'LambdaRuntime', { type: 'String', description: 'skillInfrastructure.userConfig.runtime', allowedValues: [...SUPPORTED_RUNTIMES] });
  const handler = new CfnParameter(stack, 'LambdaHandler', { type: 'String', description: 'skillInfrastructure.userConfig.handler', allowedValues: [LAMBDA_HANDLER] });
  const codeBucket = new CfnParameter(stack, 'CodeBucket', { type: 'String', description: 'Where ask-cli uploaded the code package' });
  const codeKey = new CfnParameter(stack, 'CodeKey', { type: 'String', description: 'Where ask-cli uploaded the code package' });
  const codeVersion = new CfnParameter(stack, 'CodeVersion', { type: 'String', description: 'Where ask-cli uploaded the code package' });

  // ── linkbridge's own, from skillInfrastructure.userConfig.cfn.parameters ──────────────────────────
  const variables: Record<string, string> = {};
  for (const parameter of LINKBRIDGE_PARAMETERS) {
    const made = new CfnParameter(stack, parameter.name, {
      type: 'String',
      description: parameter.description,
      default: parameter.default,
      allowedValues: parameter.allowedValues ? [...parameter.allowedValues] : undefined,
      allowedPattern: parameter.allowedPattern,
      constraintDescription: parameter.constraintDescription,
    });
    variables[parameter.variable] = made.valueAsString;
  }
  // Read by name in the role's policy and the function's SSM_PARAMETERS (Fn::Sub).
  new CfnParameter(stack, PARAMETER_STORE_PATH, {
    type: 'String',
    description: 'The Parameter Store path of the SecureString parameters ALEXA_CLIENT_SECRET, UPSTREAM_CLIENT_SECRET and SEALING_KEYS (one path per profile)',
    default: PARAMETER_STORE_PATH_DEFAULT,
    allowedPattern: PARAMETER_STORE_PATH_PATTERN,
    constraintDescription: 'a Parameter Store path such as /linkbridge/development',
  });
  const memorySize = new CfnParameter(stack, 'MemorySize', { type: 'Number', description: "The function's memory in MB (its CPU share grows with it)", default: NUMBER_PARAMETERS.MemorySize!.default, minValue: 128, maxValue: 10240 });
  const logRetention = new CfnParameter(stack, 'LogRetentionInDays', { type: 'Number', description: 'How long CloudWatch Logs keeps the log, in days', default: NUMBER_PARAMETERS.LogRetentionInDays!.default, allowedValues: RETENTION_DAYS });

  // ── The store ─────────────────────────────────────────────────────────────────────────────────────
  const table = new CfnTable(stack, 'StoreTable', {
    billingMode: 'PAY_PER_REQUEST',
    attributeDefinitions: [{ attributeName: DYNAMODB_ATTRIBUTES.key, attributeType: 'S' }],
    keySchema: [{ attributeName: DYNAMODB_ATTRIBUTES.key, keyType: 'HASH' }],
    timeToLiveSpecification: { attributeName: DYNAMODB_ATTRIBUTES.ttl, enabled: true },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  // What the table holds lives minutes at most (codes, replayed answers, locks): it goes with the stack.
  table.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
  table.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;

  const logs = new CfnLogGroup(stack, 'FunctionLogs', { retentionInDays: logRetention.valueAsNumber });

  // ── The function's role: its log, its table (its own items only), its parameters ────────────────────
  const role = new CfnRole(stack, 'FunctionRole', {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [
      {
        policyName: 'linkbridge',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logs.attrArn },
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
              Resource: table.attrArn,
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${DYNAMODB_KEY_PREFIX}*`] } },
            },
            {
              Effect: 'Allow',
              Action: 'ssm:GetParameters',
              Resource: [
                Fn.sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${PARAMETER_STORE_PATH}}/*`),
                Fn.sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${publicUrlParameter('${AWS::StackName}')}`),
              ],
            },
          ],
        },
      },
    ],
  });

  // ── The function ──────────────────────────────────────────────────────────────────────────────────
  const fn = new CfnFunction(stack, 'SkillFunction', {
    description: 'linkbridge: the Alexa skill (direct invocation) and the account-linking routes (function URL)',
    code: { s3Bucket: codeBucket.valueAsString, s3Key: codeKey.valueAsString, s3ObjectVersion: codeVersion.valueAsString },
    handler: handler.valueAsString,
    runtime: runtime.valueAsString,
    role: role.attrArn,
    architectures: ['arm64'],
    memorySize: memorySize.valueAsNumber,
    timeout: FUNCTION_TIMEOUT_SECONDS,
    loggingConfig: { logGroup: logs.ref, logFormat: 'Text' },
    environment: {
      variables: {
        NODE_ENV: 'production',
        SKILL_ID: skillId.valueAsString,
        STORE_URL: Fn.sub('dynamodb://${StoreTable}?region=${AWS::Region}'),
        // Names only: the values are read from Parameter Store at each cold start.
        SSM_PARAMETERS: Fn.sub(ssmParameters(`\${${PARAMETER_STORE_PATH}}`, '${AWS::StackName}')),
        ...variables,
      },
    },
  });

  // Alexa invokes the function directly, for this skill only.
  new CfnPermission(stack, 'AlexaSkillPermission', { action: 'lambda:InvokeFunction', functionName: fn.attrArn, principal: 'alexa-appkit.amazon.com', eventSourceToken: skillId.valueAsString });

  // The linking routes: a public HTTPS URL (the OAuth endpoints authenticate their callers themselves).
  const url = new CfnUrl(stack, 'SkillFunctionUrl', { targetFunctionArn: fn.attrArn, authType: 'NONE', invokeMode: 'BUFFERED' });
  // Since October 2025 a public function URL needs both permissions.
  // @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
  new CfnPermission(stack, 'FunctionUrlPermission', { action: 'lambda:InvokeFunctionUrl', functionName: fn.attrArn, principal: '*', functionUrlAuthType: 'NONE' });
  new CfnPermission(stack, 'FunctionUrlInvokePermission', { action: 'lambda:InvokeFunction', functionName: fn.attrArn, principal: '*', invokedViaFunctionUrl: true });

  // The URL is made after the function, so the function reads it from here (PUBLIC_URL) at start.
  new CfnSsmParameter(stack, 'PublicUrlParameter', {
    name: Fn.sub(publicUrlParameter('${AWS::StackName}')),
    type: 'String',
    value: url.attrFunctionUrl,
    description: "linkbridge's PUBLIC_URL: the function URL",
  });

  // ── Outputs: SkillEndpoint is what the deployer writes into the skill manifest ─────────────────────
  new CfnOutput(stack, 'SkillEndpoint', { description: "The function's ARN: the skill's endpoint", value: fn.attrArn });
  new CfnOutput(stack, 'FunctionUrl', { description: 'PUBLIC_URL', value: url.attrFunctionUrl });
  new CfnOutput(stack, 'AuthorizationUrl', { description: "Alexa's authorization URL (account linking)", value: Fn.join('', [url.attrFunctionUrl, 'oauth/authorize']) });
  new CfnOutput(stack, 'AccessTokenUrl', { description: "Alexa's access token URL (account linking)", value: Fn.join('', [url.attrFunctionUrl, 'oauth/token']) });
  new CfnOutput(stack, 'ProviderRedirectUri', { description: "The redirect URI to register at the provider", value: Fn.join('', [url.attrFunctionUrl, 'oauth/callback']) });
  new CfnOutput(stack, 'StoreTableName', { description: 'The DynamoDB table of the store', value: table.ref });
  return stack;
}

/** The template as JSON text, as committed. */
export function renderTemplate(): string {
  return `${JSON.stringify(synthesizeTemplate(), null, 1)}\n`;
}

async function main(): Promise<void> {
  const file = join(__dirname, '..', '..', TEMPLATE_PATH);
  const rendered = renderTemplate();
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== rendered) {
      process.stderr.write(`${TEMPLATE_PATH} is not what tools/aws/skill-stack.ts makes: run npm run infrastructure\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(file, rendered);
  process.stdout.write(`wrote ${TEMPLATE_PATH} (${Buffer.byteLength(rendered)} bytes)\n`);
}

if (require.main === module) void main();
