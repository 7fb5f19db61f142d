/**
 * The CloudFormation template `ask deploy` deploys: generated from tools/aws/skill-stack.ts (aws-cdk-lib L1
 * constructs), validated by AWS's offline CloudFormation validator at every synthesis, committed, and matched
 * against what ask-cli's CloudFormation deployer passes and reads and what the build produces.
 * @see https://github.com/alexa/ask-cli/blob/develop/lib/builtins/deploy-delegates/cfn-deployer/index.js
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { DYNAMODB_ATTRIBUTES } from '../../../../models/dynamodb-table';
import { LAMBDA_HANDLER } from '../../../../tools/build/lambda-package';
import { buildSkillStack, DEPLOYER_PARAMETERS, FUNCTION_TIMEOUT_SECONDS, renderTemplate, STRICT_VALIDATION, synthesizeTemplate, TEMPLATE_PATH } from '../../../../tools/aws/skill-stack';
import { LINKBRIDGE_PARAMETERS, parameterProblems, SECRET_VARIABLES } from '../../../../tools/aws/stack-parameters';

const ROOT = join(__dirname, '..', '..', '..', '..');
const committed = readFileSync(join(ROOT, TEMPLATE_PATH), 'utf8');

interface CfnTemplate {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[]; AllowedPattern?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown }>;
}
const template = JSON.parse(committed) as CfnTemplate;

let assertions: Template;
beforeAll(() => {
  assertions = Template.fromStack(buildSkillStack(new App({ analyticsReporting: false, context: STRICT_VALIDATION })));
});

describe('the template is generated, and checked as it is', () => {
  test('the committed file is exactly what tools/aws/skill-stack.ts makes (npm run infrastructure writes it)', () => {
    expect(renderTemplate()).toBe(committed);
  });

  test("AWS's CloudFormation validator runs at every synthesis, and any finding stops it", () => {
    // renderTemplate() above passed it; a function with a timeout past Lambda's 900 s and a deprecated runtime does not.
    const broken = (app: App) => {
      const stack = new Stack(app, 'Broken', { synthesizer: new BootstraplessSynthesizer() });
      new CfnFunction(stack, 'Fn', { code: { zipFile: 'exports.handler = async () => 1;' }, role: 'arn:aws:iam::123456789012:role/fn', runtime: 'nodejs20.x', handler: 'index.handler', timeout: 1000 });
      return stack;
    };
    expect(() => synthesizeTemplate(broken)).toThrow(/E3717[\s\S]*W2531|W2531[\s\S]*E3717/);
  });

  test('a plain template: no CDK metadata, no bootstrap version, no assets; small enough for CloudFormation\'s TemplateBody (51,200 bytes)', () => {
    expect(Object.keys(template).sort()).toEqual(['Description', 'Outputs', 'Parameters', 'Resources']);
    expect(committed).not.toMatch(/CDKMetadata|BootstrapVersion|aws:cdk:|cdk-hnb659fds|AssetParameters/);
    expect(Buffer.byteLength(committed)).toBeLessThan(51_200);
  });
});

describe('what the stack makes', () => {
  test('one function: the code the deployer uploaded, the runtime and handler it passes, arm64, a timeout that covers the wait for provider calls', () => {
    assertions.resourceCountIs('AWS::Lambda::Function', 1);
    assertions.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: 'CodeKey' }, S3ObjectVersion: { Ref: 'CodeVersion' } },
      Runtime: { Ref: 'LambdaRuntime' },
      Handler: { Ref: 'LambdaHandler' },
      Architectures: ['arm64'],
      Timeout: FUNCTION_TIMEOUT_SECONDS,
      LoggingConfig: { LogGroup: { Ref: 'FunctionLogs' } },
    });
    // The budget and the background wait (lock TTL less a second, 14 s by default) fit in the timeout.
    expect(FUNCTION_TIMEOUT_SECONDS * 1000).toBeGreaterThanOrEqual(3000 + 14_000 + 5000);
  });

  test('the secrets are never in the template or the function\'s environment: only the names of their parameters', () => {
    const variables = (template.Resources.SkillFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const secret of SECRET_VARIABLES) expect(Object.keys(variables)).not.toContain(secret);
    expect(variables.SSM_PARAMETERS).toEqual({
      'Fn::Sub':
        'ALEXA_CLIENT_SECRET=${ParameterStorePath}/ALEXA_CLIENT_SECRET,UPSTREAM_CLIENT_SECRET=${ParameterStorePath}/UPSTREAM_CLIENT_SECRET,SEALING_KEYS=${ParameterStorePath}/SEALING_KEYS,PUBLIC_URL=/linkbridge/${AWS::StackName}/PUBLIC_URL',
    });
    expect(Object.keys(template.Parameters).some((name) => /secret|sealing|password/i.test(name))).toBe(false);
    expect(variables).toMatchObject({ NODE_ENV: 'production', SKILL_ID: { Ref: 'SkillId' }, STORE_URL: { 'Fn::Sub': 'dynamodb://${StoreTable}?region=${AWS::Region}' } });
    for (const parameter of LINKBRIDGE_PARAMETERS) expect(variables[parameter.variable]).toEqual({ Ref: parameter.name });
  });

  test('the table the DynamoDB store expects: key pk (string), TTL on ttl, on demand, point-in-time recovery', () => {
    assertions.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: DYNAMODB_ATTRIBUTES.ttl, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test("the role allows the log, the table's own items with the store's three actions, and the stack's parameters; nothing else", () => {
    assertions.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyDocument: {
            Statement: [
              { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['FunctionLogs', 'Arn'] } },
              {
                Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
                Resource: { 'Fn::GetAtt': ['StoreTable', 'Arn'] },
                Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['linkbridge:*'] } },
              },
              { Action: 'ssm:GetParameters', Resource: Match.arrayWith([{ 'Fn::Sub': Match.stringLikeRegexp('parameter\\$\\{ParameterStorePath\\}/\\*$') }]) },
            ],
          },
        },
      ],
    });
    expect(committed).not.toMatch(/"(dynamodb|ssm|logs|lambda|kms|iam):\*"|"\*:\*"|"Action": "\*"/);
  });

  test('Alexa may invoke the function for this skill only; the URL is public (the OAuth endpoints authenticate their callers) with both permissions it needs', () => {
    assertions.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'alexa-appkit.amazon.com', EventSourceToken: { Ref: 'SkillId' } });
    assertions.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: { 'Fn::GetAtt': ['SkillFunction', 'Arn'] } });
    assertions.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' });
    assertions.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true });
    // No smart-home principal and no other public invoke permission.
    assertions.resourceCountIs('AWS::Lambda::Permission', 3);
  });

  test('the function URL is written where the function reads PUBLIC_URL; the log group keeps the log for a set time', () => {
    assertions.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Name: { 'Fn::Sub': '/linkbridge/${AWS::StackName}/PUBLIC_URL' }, Value: { 'Fn::GetAtt': ['SkillFunctionUrl', 'FunctionUrl'] } });
    assertions.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'LogRetentionInDays' } });
  });

  test('outputs: the endpoint the deployer writes into the manifest, and the URLs account linking and the provider need', () => {
    expect(template.Outputs.SkillEndpoint!.Value).toEqual({ 'Fn::GetAtt': ['SkillFunction', 'Arn'] });
    for (const [name, path] of [['AuthorizationUrl', 'oauth/authorize'], ['AccessTokenUrl', 'oauth/token'], ['ProviderRedirectUri', 'oauth/callback']]) {
      expect(template.Outputs[name]!.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['SkillFunctionUrl', 'FunctionUrl'] }, path]] });
    }
  });
});

describe("what ask-cli's CloudFormation deployer passes, reads and builds", () => {
  const resources = JSON.parse(readFileSync(join(ROOT, 'ask-resources.json'), 'utf8')) as {
    profiles: Record<string, { code?: Record<string, { src: string }>; skillInfrastructure?: { type: string; userConfig: { runtime: string; handler: string; templatePath: string; awsRegion?: string; cfn?: { parameters?: Record<string, string> } } } }>;
  };
  const profiles = Object.entries(resources.profiles).filter(([, profile]) => profile.skillInfrastructure?.type === '@ask-cli/cfn-deployer');

  test('at least two profiles deploy with it, each with its own Parameter Store path (ask-cli keeps a stack per profile)', () => {
    expect(profiles.map(([name]) => name)).toEqual(expect.arrayContaining(['default', 'production']));
    const paths = profiles.map(([, profile]) => profile.skillInfrastructure!.userConfig.cfn?.parameters?.ParameterStorePath);
    expect(new Set(paths).size).toBe(profiles.length);
  });

  test.each(profiles)('profile %s: template path, runtime and handler are the ones the template and the build accept', (_name, profile) => {
    const { userConfig } = profile.skillInfrastructure!;
    expect(userConfig.templatePath).toBe(`./${TEMPLATE_PATH}`);
    expect(userConfig.runtime).toBe('nodejs22.x');
    expect(template.Parameters.LambdaRuntime!.AllowedValues).toContain(userConfig.runtime);
    expect(userConfig.handler).toBe(LAMBDA_HANDLER);
    expect(template.Parameters.LambdaHandler!.AllowedValues).toEqual([userConfig.handler]);
  });

  test.each(profiles)('profile %s: every parameter is either passed by the deployer, given in cfn.parameters, or has a default', (_name, profile) => {
    const given = Object.keys(profile.skillInfrastructure!.userConfig.cfn?.parameters ?? {});
    for (const name of given) expect([name, name in template.Parameters]).toEqual([name, true]);
    for (const name of given) expect(DEPLOYER_PARAMETERS as readonly string[]).not.toContain(name);
    for (const [name, parameter] of Object.entries(template.Parameters)) {
      const provided = (DEPLOYER_PARAMETERS as readonly string[]).includes(name) || given.includes(name) || parameter.Default !== undefined;
      expect([name, provided]).toEqual([name, true]);
    }
  });

  test('the deployer\'s own parameters are all declared, and the template never names the skill\'s messaging credentials (the deployer would then fetch and pass them)', () => {
    for (const name of DEPLOYER_PARAMETERS) expect(template.Parameters[name]).toBeDefined();
    expect(committed).not.toMatch(/SkillClientId|SkillClientSecret/);
  });

  test.each(profiles)('profile %s: the code is built by hooks/build.sh from a code folder that is not the project root (ask-cli empties .ask/<folder>)', (_name, profile) => {
    const src = profile.code?.default?.src;
    expect(src).toBe('./aws');
    expect(statSync(join(ROOT, src!)).isDirectory()).toBe(true);
    accessSync(join(ROOT, 'hooks', 'build.sh'), constants.X_OK);
    expect(execFileSync('git', ['ls-files', '-s', 'hooks/build.sh'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/^100755 /);
    expect(existsSync(join(ROOT, 'hooks', 'build.ps1'))).toBe(true);
  });

  test('the shipped placeholders are refused before anything is uploaded, each with the parameter to set; filled in, they pass', () => {
    const shipped = resources.profiles.default!.skillInfrastructure!.userConfig.cfn!.parameters!;
    const problems = parameterProblems(shipped);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['AlexaVendorIds', 'UpstreamClientId', 'UpstreamIssuer']);
    expect(parameterProblems({ ...shipped, AlexaVendorIds: 'M3BVP74N95SP1F', UpstreamClientId: 'linkbridge', UpstreamIssuer: 'https://accounts.example.com' })).toEqual([]);
    expect(parameterProblems({ ...shipped, SkillId: 'x', Other: 'y' })).toEqual(expect.arrayContaining(['SkillId: the deployer sets it; remove it from cfn.parameters', 'Other: the template has no such parameter']));
  });

  test("the preflight knows the template's parameters: the same names, defaults and patterns", () => {
    for (const parameter of LINKBRIDGE_PARAMETERS) {
      const declared = template.Parameters[parameter.name]!;
      expect([parameter.name, declared.Default, declared.AllowedPattern, declared.AllowedValues]).toEqual([parameter.name, parameter.default, parameter.allowedPattern, parameter.allowedValues]);
    }
  });
});
