/**
 * The function's handler, fed the events AWS and Alexa document: a direct invocation goes to the skill, a
 * Function URL request to the app, anything else is refused; a start that cannot read its configuration says
 * why and is tried again at the next event.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 * @see https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html
 */
import type { ResponseEnvelope } from 'ask-sdk-model';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../aws/lambda-events';
import { UnknownEventError } from '../../../aws/lambda-handler';
import { ConfigError } from '../../../models/config';
import { RefusedInvocationError } from '../../../skill/direct-invocation';
import { alexaInvocation } from '../../fixtures/aws/alexa-invocation';
import { DOCUMENTED_REQUEST_EVENT, functionUrlEvent } from '../../fixtures/aws/function-url-events';
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb } from '../../support/dynalite';
import { lambdaContext, LAMBDA_SECRETS, SECRETS_PATH, startLambdaFunction, type LambdaFunction } from '../../support/lambda-function';

function answer(result: unknown): { status: number; body: string; headers: Readonly<Record<string, string>> } {
  const { statusCode, body, isBase64Encoded, headers } = result as FunctionUrlResult;
  return { status: statusCode, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8').toString('utf8'), headers };
}

describeWithDynamoDb('AWS Lambda handler on DynamoDB: the events it answers and refuses', () => {
  const cleanup = new Cleanup();
  let lambda: LambdaFunction;

  beforeAll(async () => {
    lambda = cleanup.add(
      await startLambdaFunction(() => ({
        AlexaClientId: 'alexa-skill',
        AlexaVendorIds: 'M3BVP74N95SP1F',
        UpstreamAuthorizationUrl: 'https://provider.test/authorize',
        UpstreamTokenUrl: 'https://provider.test/token',
        UpstreamClientId: 'linkbridge-client',
        UpstreamScope: 'profile',
        AccountApiUrl: 'https://provider.test/me',
      })),
      (started) => started.close(),
    );
  });
  afterAll(() => cleanup.run());

  test('a direct invocation with a LaunchRequest envelope is answered with a response envelope', async () => {
    const result = (await lambda.instance()(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext())) as ResponseEnvelope;
    expect(result.version).toBe('1.0');
    expect(result.response.outputSpeech?.type).toBe('SSML');
    expect(result.response.card?.type).toBe('LinkAccount');
  });

  test('an envelope that is not well formed is refused with the reason, not answered', async () => {
    const { context: _context, ...withoutContext } = alexaInvocation({ type: 'LaunchRequest' });
    await expect(lambda.instance()(withoutContext, lambdaContext())).rejects.toThrow(new RefusedInvocationError('the body is not an Alexa request envelope (context)'));
  });

  test.each([
    ['an empty event', {}],
    ['an S3 notification', { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }],
    ['an API Gateway REST (payload 1.0) event', { httpMethod: 'GET', path: '/healthz', headers: {}, requestContext: {} }],
    ['a string', 'hello'],
  ])('%s is refused', async (_name, event) => {
    await expect(lambda.instance()(event, lambdaContext())).rejects.toThrow(UnknownEventError);
  });

  test('GET /healthz through the function URL reads the DynamoDB table', async () => {
    const result = answer(await lambda.instance()(functionUrlEvent({ method: 'GET', target: '/healthz' }), lambdaContext()));
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'ok' });
    expect(result.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("AWS's documented example event is answered as the app answers POST /my/path: 404", async () => {
    const result = answer(await lambda.instance()(DOCUMENTED_REQUEST_EVENT as unknown as FunctionUrlEvent, lambdaContext()));
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body)).toEqual({ error: 'not_found', error_description: expect.any(String) });
  });

  test.each([
    ['a token request without a body (and so without client credentials)', { method: 'POST', target: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 401],
    ['an unsigned request to the skill endpoint', { method: 'POST', target: '/alexa', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alexaInvocation({ type: 'LaunchRequest' })) }, 400],
    ['a token request with a body that is not a form', { method: 'POST', target: '/oauth/token', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }, 400],
    ['a query that does not decode', { method: 'GET', target: '/oauth/authorize?client_id=%zz&redirect_uri=%E0%A4%A' }, 400],
    ['a path with a bad escape', { method: 'GET', target: '/oauth/%E0%A4%A' }, 404],
    ['a compressed body', { method: 'POST', target: '/alexa', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from([0x1f, 0x8b, 0x08]), base64: true }, 415],
  ] as const)('%s gets a 4xx', async (_name, request, status) => {
    const result = answer(await lambda.instance()(functionUrlEvent(request), lambdaContext()));
    expect(result.status).toBe(status);
  });

  test('a secret missing from Parameter Store stops the start with its variable and parameter; once it exists, the next event starts', async () => {
    const parameter = `${SECRETS_PATH}/ALEXA_CLIENT_SECRET`;
    lambda.parameterStore.delete(parameter);
    const handler = lambda.instance();
    const logsBefore = lambda.logs.lines.length;
    try {
      const refused = handler(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext());
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow(`ALEXA_CLIENT_SECRET: the SSM parameter ${parameter} (SSM_PARAMETERS) does not exist`);
      expect(lambda.logs.entries.slice(logsBefore).find((entry) => entry.msg === 'linkbridge cannot start; the next event tries again')?.cause).toContain(parameter);
    } finally {
      lambda.parameterStore.set(parameter, LAMBDA_SECRETS.ALEXA_CLIENT_SECRET);
    }
    const started = (await handler(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext())) as ResponseEnvelope;
    expect(started.response.outputSpeech).toBeDefined();
  });

  test("an app that cannot start (the provider's discovery fails) answers 503 temporarily_unavailable, not Lambda's 502; the skill still answers", async () => {
    const handler = lambda.instance({ env: { UPSTREAM_ISSUER: 'http://127.0.0.1:9', UPSTREAM_AUTHORIZATION_URL: '', UPSTREAM_TOKEN_URL: '' } });
    const result = answer(await handler(functionUrlEvent({ method: 'POST', target: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=x' }), lambdaContext()));
    expect(result.status).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(result.headers['cache-control']).toBe('no-store');
    const launch = (await handler(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext())) as ResponseEnvelope;
    expect(launch.response.outputSpeech).toBeDefined();
  });

  test.each([
    ['STORE_URL', { STORE_URL: 'sqlite:/tmp/linkbridge.sqlite' }, 'STORE_URL: must be dynamodb://'],
    ['SKILL_ID', { SKILL_ID: '' }, 'SKILL_ID: is required on AWS Lambda'],
    ['a secret set in plain sight as well', { ALEXA_CLIENT_SECRET: 'in-the-environment' }, 'ALEXA_CLIENT_SECRET: is set in the environment and read from SSM Parameter Store'],
  ])('%s: a configuration the function cannot run with stops the start', async (_name, env, message) => {
    await expect(lambda.instance({ env })(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext())).rejects.toThrow(message);
  });
});
