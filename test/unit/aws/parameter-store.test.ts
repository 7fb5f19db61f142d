/**
 * The function's secrets come from SSM Parameter Store, named in `SSM_PARAMETERS`, read with GetParameters
 * (decrypted) against a fake of the documented API on loopback.
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ParameterStoreUnavailableError, parameterReferences, withParameterStoreValues } from '../../../aws/parameter-store';
import { ConfigError } from '../../../models/config';
import { Cleanup } from '../../support/cleanup';
import { FakeParameterStore } from '../../support/fake-ssm';

const cleanup = new Cleanup();
let store: FakeParameterStore;
let client: SSMClient;

beforeAll(async () => {
  store = cleanup.add(await new FakeParameterStore().start(), (started) => started.close());
  client = cleanup.add(store.client('eu-west-1', 'AKIDEXAMPLE'), (made) => made.destroy());
  store.set('/lb/ALEXA_CLIENT_SECRET', 'alexa-secret').set('/lb/SEALING_KEYS', 'k1:key').set('/lb/stack/PUBLIC_URL', 'https://abc.lambda-url.eu-west-1.on.aws/', 'String');
});
afterEach(() => {
  store.mode = 'answer';
  store.requests.length = 0;
});
afterAll(() => cleanup.run());

test('the named variables get their parameters\' values, decrypted, in one signed GetParameters request', async () => {
  const env = { SSM_PARAMETERS: 'ALEXA_CLIENT_SECRET=/lb/ALEXA_CLIENT_SECRET, SEALING_KEYS=/lb/SEALING_KEYS,PUBLIC_URL=/lb/stack/PUBLIC_URL', LOG_LEVEL: 'info' };
  const resolved = await withParameterStoreValues(env, client, 2000);
  expect(resolved).toEqual({ ...env, ALEXA_CLIENT_SECRET: 'alexa-secret', SEALING_KEYS: 'k1:key', PUBLIC_URL: 'https://abc.lambda-url.eu-west-1.on.aws/' });
  expect(store.requests).toHaveLength(1);
  expect(store.requests[0]).toMatchObject({ target: 'AmazonSSM.GetParameters', contentType: 'application/x-amz-json-1.1', withDecryption: true });
  expect(store.requests[0]!.names).toEqual(['/lb/ALEXA_CLIENT_SECRET', '/lb/SEALING_KEYS', '/lb/stack/PUBLIC_URL']);
  expect(store.requests[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request/);
  // The environment given is left as it was.
  expect(env).not.toHaveProperty('ALEXA_CLIENT_SECRET');
});

test('without SSM_PARAMETERS the environment is used as it is, and Parameter Store is not asked', async () => {
  const env = { ALEXA_CLIENT_SECRET: 'local' };
  expect(await withParameterStoreValues(env, client, 2000)).toBe(env);
  expect(store.requests).toHaveLength(0);
});

test('more than ten parameters take more than one request (GetParameters takes ten names at most)', async () => {
  const references = Array.from({ length: 12 }, (_, index) => `VARIABLE_${index}=/lb/many/${index}`);
  for (let index = 0; index < 12; index += 1) store.set(`/lb/many/${index}`, `value-${index}`);
  const resolved = await withParameterStoreValues({ SSM_PARAMETERS: references.join(',') }, client, 2000);
  expect(resolved.VARIABLE_11).toBe('value-11');
  expect(store.requests.map((request) => request.names.length)).toEqual([10, 2]);
});

test('a parameter that does not exist stops the start, naming the variable, the parameter and how to create it', async () => {
  const refused = withParameterStoreValues({ SSM_PARAMETERS: 'ALEXA_CLIENT_SECRET=/lb/ALEXA_CLIENT_SECRET,UPSTREAM_CLIENT_SECRET=/lb/UPSTREAM_CLIENT_SECRET' }, client, 2000);
  await expect(refused).rejects.toThrow(ConfigError);
  await expect(refused).rejects.toMatchObject({ problems: [expect.objectContaining({ variable: 'UPSTREAM_CLIENT_SECRET' })] });
  await expect(refused).rejects.toThrow('aws ssm put-parameter --type SecureString --name /lb/UPSTREAM_CLIENT_SECRET');
});

test('an error from Parameter Store names the parameters and the error, never a value', async () => {
  store.mode = { error: 'AccessDeniedException', status: 400 };
  const refused = withParameterStoreValues({ SSM_PARAMETERS: 'ALEXA_CLIENT_SECRET=/lb/ALEXA_CLIENT_SECRET' }, client, 2000);
  await expect(refused).rejects.toThrow(ParameterStoreUnavailableError);
  await expect(refused).rejects.toThrow(/\/lb\/ALEXA_CLIENT_SECRET.*AccessDeniedException/);
  await expect(refused).rejects.not.toThrow('alexa-secret');
});

test('a Parameter Store that never answers fails the start at the deadline', async () => {
  store.mode = 'hang';
  await expect(withParameterStoreValues({ SSM_PARAMETERS: 'ALEXA_CLIENT_SECRET=/lb/ALEXA_CLIENT_SECRET' }, client, 200)).rejects.toThrow(ParameterStoreUnavailableError);
});

test.each([
  ['a pair without a name', 'ALEXA_CLIENT_SECRET', 'SSM_PARAMETERS'],
  ['a lower-case variable', 'alexa=/lb/x', 'SSM_PARAMETERS'],
  ['a parameter name with a space', 'ALEXA_CLIENT_SECRET=/lb/a b', 'SSM_PARAMETERS'],
  ['a variable named twice', 'A=/lb/a,A=/lb/b', 'SSM_PARAMETERS'],
])('%s in SSM_PARAMETERS stops the start', (_name, value, variable) => {
  expect(() => parameterReferences({ SSM_PARAMETERS: value })).toThrow(expect.objectContaining({ problems: [expect.objectContaining({ variable })] }));
});

test('a variable both in the environment and in SSM_PARAMETERS stops the start: which would win is not guessed', () => {
  expect(() => parameterReferences({ SSM_PARAMETERS: 'SEALING_KEYS=/lb/SEALING_KEYS', SEALING_KEYS: 'k0:plain' })).toThrow(expect.objectContaining({ problems: [expect.objectContaining({ variable: 'SEALING_KEYS' })] }));
});
