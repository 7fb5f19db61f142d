/**
 * Lambda freezes the process once the handler returns. A refresh whose provider call outlives Alexa's budget
 * (the token endpoint answers 503) must still leave the provider's answer in the store for Alexa's retry, which
 * may reach another execution environment: the handler keeps the invocation alive until the call has ended.
 * Otherwise the frozen call never finishes, the retry waits out the lock and sends the rotated refresh token
 * to the provider again, and a provider that detects reuse revokes the grant.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 * @see ../../../../shared/ALEXA-LINKING.md "Why refresh needs care"
 */
import type { FunctionUrlResult } from '../../../aws/lambda-events';
import { backgroundProviderCalls } from '../../../linking/grants/background-calls';
import { functionUrlEvent } from '../../fixtures/aws/function-url-events';
import { Cleanup } from '../../support/cleanup';
import { describeWithDynamoDb } from '../../support/dynalite';
import { basic } from '../../support/fake-provider';
import { lambdaContext, LAMBDA_SECRETS, startLambdaFunction, type LambdaFunction } from '../../support/lambda-function';
import { Gate, RotatingProvider } from '../refresh/rotating-provider';

const ALEXA_CLIENT_ID = 'alexa-skill';

/** Alexa's refresh request, as the function URL hands it over (a form body, base64). */
function refreshEvent(refreshToken: string) {
  return functionUrlEvent({
    method: 'POST',
    target: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ALEXA_CLIENT_ID, LAMBDA_SECRETS.ALEXA_CLIENT_SECRET) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    base64: true,
  });
}

function json(result: unknown): Record<string, string> {
  const { body, isBase64Encoded } = result as FunctionUrlResult;
  return JSON.parse(Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8').toString('utf8')) as Record<string, string>;
}

describeWithDynamoDb('AWS Lambda on DynamoDB: provider calls that outlive the answer', () => {
  const cleanup = new Cleanup();
  let provider: RotatingProvider;
  let lambda: LambdaFunction;

  beforeAll(async () => {
    provider = cleanup.add(await new RotatingProvider({ clientId: 'linkbridge-client', clientSecret: LAMBDA_SECRETS.UPSTREAM_CLIENT_SECRET }).start(), (started) => started.close());
    lambda = cleanup.add(
      await startLambdaFunction(
        () => ({
          AlexaClientId: ALEXA_CLIENT_ID,
          AlexaVendorIds: 'M3BVP74N95SP1F',
          UpstreamAuthorizationUrl: `${provider.baseUrl}/authorize`,
          UpstreamTokenUrl: `${provider.baseUrl}/token`,
          UpstreamClientId: provider.client.clientId,
          UpstreamScope: 'profile',
        }),
        // Alexa's 4.5 s against a slower provider, scaled down: the token endpoint's budget is 100 ms.
        { UPSTREAM_TIMEOUT_MS: '100' },
      ),
      (started) => started.close(),
    );
  });
  afterEach(() => {
    provider.beforeAnswering = () => undefined;
  });
  afterAll(() => cleanup.run());

  /** Resolves once the function has logged its answer with `status` (the answer is made; the handler may still run). */
  async function answered(status: number, after: number): Promise<void> {
    for (let look = 0; look < 1000; look += 1) {
      if (lambda.logs.entries.slice(after).some((entry) => entry.msg === 'request' && entry.status === status)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no answer with status ${status} was logged`);
  }

  test('the invocation that answered 503 returns only once the provider answered and the answer is stored; the retry, in another environment, gets it', async () => {
    const first = provider.issueGrant();
    const slow = new Gate();
    provider.beforeAnswering = slow.pass;
    const callsBefore = provider.calls.refresh_token;
    const logsBefore = lambda.logs.lines.length;

    let returned = false;
    const invocation = lambda.instance()(refreshEvent(first.refreshToken), lambdaContext());
    void invocation.then(() => (returned = true));
    await slow.reached;
    await answered(503, logsBefore);
    // The provider has rotated and still holds its answer: the invocation must not end now (its process
    // would be frozen with the answer unwritten). A round trip to the table gives it every chance to.
    await lambda.dynalite.scan(lambda.table);
    expect(returned).toBe(false);

    slow.open();
    const givenUp = await invocation;
    expect((givenUp as FunctionUrlResult).statusCode).toBe(503);
    expect(json(givenUp).error).toBe('temporarily_unavailable');
    expect(lambda.logs.entries.slice(logsBefore).some((entry) => entry.msg === 'tokens refreshed; the answer is kept for retries with the same refresh token')).toBe(true);

    // Alexa's retry reaches a fresh execution environment: the stored pair, no second provider call.
    const retried = await lambda.instance()(refreshEvent(first.refreshToken), lambdaContext());
    expect((retried as FunctionUrlResult).statusCode).toBe(200);
    expect(json(retried).refresh_token).toBe(provider.currentRefreshToken(first.refreshToken));
    expect(provider.accessTokenValid(json(retried).access_token)).toBe(true);
    expect(provider.calls.refresh_token - callsBefore).toBe(1);
    expect(provider.revocations).toBe(0);
    expect(provider.grantIntact(first.refreshToken)).toBe(true);
  });

  test('the wait never runs into the function timeout: with 1.5 s left it ends after 0.5 s, provider or not', async () => {
    const first = provider.issueGrant();
    const stuck = new Gate();
    provider.beforeAnswering = stuck.pass;
    const logsBefore = lambda.logs.lines.length;
    try {
      const answer = await lambda.instance()(refreshEvent(first.refreshToken), lambdaContext(1500));
      expect((answer as FunctionUrlResult).statusCode).toBe(503);
      const waited = lambda.logs.entries.slice(logsBefore).find((entry) => entry.msg === 'the answer is ready; waiting for provider calls that outlived their request before the invocation ends');
      expect(waited).toMatchObject({ running: 1, deadlineMs: 500 });
    } finally {
      stuck.open();
      // The call goes on in this process; it ends before the suite closes the table under it.
      await backgroundProviderCalls.drain(10_000);
    }
  });
});
