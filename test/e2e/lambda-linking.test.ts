/**
 * The function as `ask deploy` makes it, end to end: openid-client plays Alexa through the function's URL
 * (Function URL events, payload format 2.0) against node-oidc-provider upstream, with the store in a DynamoDB
 * table (dynalite) and the secrets in Parameter Store; then Alexa invokes the function directly with the
 * linked user's token and the skill answers from the account API.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * @see https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-an-aws-lambda-function.html
 */
import type { ResponseEnvelope } from 'ask-sdk-model';
import { startDemoProvider, type DemoProvider } from '../../tools/demo/demo-provider';
import { RefusedInvocationError } from '../../skill/direct-invocation';
import { alexaInvocation } from '../fixtures/aws/alexa-invocation';
import { FormBrowser } from '../support/browser';
import { Cleanup } from '../support/cleanup';
import { describeWithDynamoDb } from '../support/dynalite';
import { lambdaContext, LAMBDA_SECRETS, startLambdaFunction, type LambdaFunction } from '../support/lambda-function';
import { ALEXA_REDIRECT_URI } from '../support/test-app';

type OpenIdClient = typeof import('openid-client');

const ALEXA_CLIENT_ID = 'alexa-skill';
const UPSTREAM_CLIENT_ID = 'linkbridge-client';

describeWithDynamoDb('AWS Lambda on DynamoDB: link through the function URL, then ask through a direct invocation', () => {
  const cleanup = new Cleanup();
  let oidc: OpenIdClient;
  let lambda: LambdaFunction;
  let provider: DemoProvider;

  beforeAll(async () => {
    oidc = await import('openid-client');
    lambda = cleanup.add(
      await startLambdaFunction(async (functionUrl) => {
        provider = cleanup.add(
          await startDemoProvider({ port: 0, clients: [{ clientId: UPSTREAM_CLIENT_ID, clientSecret: LAMBDA_SECRETS.UPSTREAM_CLIENT_SECRET, redirectUris: [`${functionUrl}/oauth/callback`] }] }),
          (started) => started.close(),
        );
        return {
          AlexaClientId: ALEXA_CLIENT_ID,
          AlexaVendorIds: 'M3BVP74N95SP1F',
          UpstreamPreset: 'oidc',
          UpstreamIssuer: provider.issuer,
          UpstreamClientId: UPSTREAM_CLIENT_ID,
          UpstreamScope: 'openid profile email',
          AccountApiUrl: provider.userinfoUrl,
        };
      }),
      (started) => started.close(),
    );
  });
  afterAll(() => cleanup.run());

  /** openid-client set up as the skill's account-linking settings set up Alexa. */
  function alexa() {
    const base = lambda.url.baseUrl;
    const config = new oidc.Configuration(
      { issuer: base, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token` },
      ALEXA_CLIENT_ID,
      undefined,
      oidc.ClientSecretBasic(LAMBDA_SECRETS.ALEXA_CLIENT_SECRET),
    );
    oidc.allowInsecureRequests(config);
    return config;
  }

  test('links with PKCE, exchanges the code and refreshes through Function URL events; a linked intent is answered through a direct invocation', async () => {
    const config = alexa();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: ALEXA_REDIRECT_URI,
      scope: 'profile',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new FormBrowser();
    const landing = new URL(await browser.signIn(authorizationUrl.toString(), ALEXA_REDIRECT_URI));
    expect(landing.searchParams.get('state')).toBe(state);
    expect(browser.visited.some((url) => url.startsWith(provider.issuer))).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, landing, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    // The state of the flow lived in the DynamoDB table, sealed: never a token or secret in clear.
    const items = await lambda.dynalite.scan(lambda.table);
    expect(items.length).toBeGreaterThan(0);
    const stored = JSON.stringify(items);
    for (const secret of [tokens.access_token, tokens.refresh_token!, refreshed.refresh_token!, LAMBDA_SECRETS.ALEXA_CLIENT_SECRET]) expect(stored).not.toContain(secret);

    // Alexa invokes the function directly, in a new execution environment, with the linked user's token.
    const answer = (await lambda.instance()(alexaInvocation({ type: 'IntentRequest', intent: 'GetNameIntent' }, { accessToken: refreshed.access_token }), lambdaContext())) as ResponseEnvelope;
    expect(JSON.stringify(answer.response.outputSpeech)).toContain('Ada Lovelace');
    expect(answer.response.card).toBeUndefined();

    // Without a token, the skill asks the user to link, with the card that does it.
    const unlinked = (await lambda.instance()(alexaInvocation({ type: 'IntentRequest', intent: 'GetNameIntent' }), lambdaContext())) as ResponseEnvelope;
    expect(unlinked.response.card?.type).toBe('LinkAccount');
  });

  test('a direct invocation for another skill id is refused, and nothing is answered for it', async () => {
    const other = alexaInvocation({ type: 'LaunchRequest' }, { skillId: 'amzn1.ask.skill.99999999-9999-9999-9999-999999999999' });
    await expect(lambda.instance()(other, lambdaContext())).rejects.toThrow(RefusedInvocationError);
    expect(lambda.logs.entries.some((entry) => entry.msg === 'Alexa request refused: it is for another skill id (SKILL_ID)')).toBe(true);
    // The same envelope for this skill is answered.
    const launch = (await lambda.instance()(alexaInvocation({ type: 'LaunchRequest' }), lambdaContext())) as ResponseEnvelope;
    expect(launch.response.outputSpeech).toBeDefined();
  });

  test('the secrets and the URL came from Parameter Store, decrypted, in one request per cold start', () => {
    expect(lambda.parameterStore.requests.length).toBeGreaterThan(0);
    for (const request of lambda.parameterStore.requests) {
      expect(request).toMatchObject({ target: 'AmazonSSM.GetParameters', contentType: 'application/x-amz-json-1.1', withDecryption: true });
      expect(request.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/ssm\/aws4_request/);
      expect([...request.names].sort()).toEqual(['/linkbridge/ask-linkbridge-default-skillStack-1/PUBLIC_URL', '/linkbridge/test/ALEXA_CLIENT_SECRET', '/linkbridge/test/SEALING_KEYS', '/linkbridge/test/UPSTREAM_CLIENT_SECRET']);
    }
    for (const value of Object.values(LAMBDA_SECRETS)) expect(JSON.stringify(lambda.env)).not.toContain(value);
  });
});
