/**
 * The DynamoDB store's settings and what it costs instances that do not use it: `STORE_URL=dynamodb://…`
 * checked at start, the AWS SDK loaded only for a DynamoDB store, and no SDK notice among the log lines.
 * Its behaviour against a real DynamoDB implementation is in store.contract.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDynamoDbStoreUrl } from '../../../models/config';
import { BASE_TEST_ENV } from '../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..');
const load = (storeUrl: string) => loadConfig({ ...BASE_TEST_ENV, STORE_URL: storeUrl });

test.each([
  ['dynamodb://linkbridge?region=us-east-1', { table: 'linkbridge', region: 'us-east-1' }],
  ['dynamodb://Link_Bridge.prod-2?region=eu-central-1', { table: 'Link_Bridge.prod-2', region: 'eu-central-1' }],
  ['dynamodb://linkbridge/?region=us-gov-west-1', { table: 'linkbridge', region: 'us-gov-west-1' }],
  ['dynamodb://linkbridge?region=us-east-1&endpoint=http://127.0.0.1:8000', { table: 'linkbridge', region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' }],
  ['dynamodb://linkbridge?endpoint=https%3A%2F%2Fvpce.example%3A443&region=ap-south-1', { table: 'linkbridge', region: 'ap-south-1', endpoint: 'https://vpce.example:443' }],
])('STORE_URL=%s is accepted and names its table, region and endpoint', (url, location) => {
  expect(load(url).store).toEqual({ kind: 'dynamodb', ...location });
  expect(parseDynamoDbStoreUrl(url)).toEqual(location);
});

test.each([
  ['dynamodb://linkbridge', /region/],
  ['dynamodb://linkbridge?region=', /region/],
  ['dynamodb://linkbridge?region=US East', /region/],
  ['dynamodb://?region=us-east-1', /table name/],
  ['dynamodb://ab?region=us-east-1', /table name/],
  ['dynamodb://link bridge?region=us-east-1', /table name/],
  ['dynamodb://linkbridge/extra?region=us-east-1', /dynamodb:\/\/<table>/],
  ['dynamodb:linkbridge?region=us-east-1', /dynamodb:\/\/<table>/],
  ['dynamodb://linkbridge?region=us-east-1&regoin=us-west-2', /"regoin"/],
  ['dynamodb://linkbridge?region=us-east-1&region=us-west-2', /"region"/],
  ['dynamodb://linkbridge?region=us-east-1&endpoint=127.0.0.1:8000', /endpoint=/],
  ['dynamodb://linkbridge?region=us-east-1&endpoint=ftp://127.0.0.1', /endpoint=/],
])('STORE_URL=%s stops the start, naming STORE_URL and what is wrong', (url, why) => {
  expect(() => load(url)).toThrow(ConfigError);
  expect(() => load(url)).toThrow(/^STORE_URL/);
  expect(() => load(url)).toThrow(why);
  expect(() => parseDynamoDbStoreUrl(url)).toThrow(why);
});

test('an endpoint with a password in it is not repeated in the message', () => {
  expect(() => load('dynamodb://linkbridge?region=us-east-1&endpoint=ftp://user:hunter2@db.example')).toThrow(
    expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
  );
});

/** Runs `script` in a new Node process with the project's TypeScript loader. */
function runNode(script: string): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`node exited with ${result.status ?? result.signal}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

test('the AWS SDK is loaded for a DynamoDB store only, not by the app and the other stores', () => {
  const { stdout } = runNode(`
    const sdkLoaded = () => Object.keys(require.cache).some((path) => path.includes('@aws-sdk'));
    require('./app');
    require('./deps');
    const { createStore } = require('./models/create-store');
    const keys = [{ kid: 'k', secret: new Uint8Array(32) }];
    const { systemClock: clock } = require('./models/clock');
    const memory = createStore({ kind: 'memory' }, clock, keys);
    const before = sdkLoaded();
    const dynamo = createStore({ kind: 'dynamodb', table: 'linkbridge', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }, clock, keys);
    console.log(JSON.stringify({ before, after: sdkLoaded() }));
    void Promise.all([memory.close(), dynamo.close()]);
  `);
  expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
});

// The SDK prints its notice only on Node versions below 22: on newer ones there is nothing to hold back.
const sdkWarnsHere = Number(process.versions.node.split('.')[0]) < 22;

(sdkWarnsHere ? test : test.skip)("the SDK's NodeVersionSupportWarning does not reach standard error; other warnings still do", () => {
  const stderrAfter = (build: string) =>
    runNode(`
      const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
      const { createDynamoDbClient } = require('./models/dynamodb.store');
      ${build}.destroy();
      process.emitWarning('AnotherWarning: still shown');
    `).stderr;
  // The SDK's client built directly does print it, so the check below can see it.
  expect(stderrAfter("new DynamoDBClient({ region: 'us-east-1' })")).toMatch(/NodeVersionSupportWarning/);
  const stderr = stderrAfter("createDynamoDbClient({ table: 'linkbridge', region: 'us-east-1' })");
  expect(stderr).not.toMatch(/NodeVersionSupportWarning/);
  expect(stderr).toMatch(/AnotherWarning: still shown/);
});
