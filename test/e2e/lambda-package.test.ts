/**
 * The function's code package as `ask deploy` builds it (ask-cli runs hooks/build.sh from its own build
 * folder): bundled ES modules, no node_modules and nothing installed for development only, run on its own in
 * a folder outside the project. A direct invocation loads neither the Express app nor the store; nothing in
 * it loads the SQLite driver, the Redis client or the demo provider; and nothing it leaves behind keeps the
 * process alive once the invocations are answered.
 * @see https://github.com/alexa/ask-cli/blob/develop/lib/builtins/build-flows/custom.js
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLambdaPackage, ENTRY_FILE, LAMBDA_HANDLER } from '../../tools/build/lambda-package';
import { functionEnvironment, publicUrlParameter, SECRET_VARIABLES, ssmParameters } from '../../tools/aws/stack-parameters';
import { alexaInvocation, INVOKED_SKILL_ID } from '../fixtures/aws/alexa-invocation';
import { functionUrlEvent } from '../fixtures/aws/function-url-events';
import { Cleanup } from '../support/cleanup';
import { describeWithDynamoDb, startDynalite, type Dynalite } from '../support/dynalite';
import { FakeParameterStore } from '../support/fake-ssm';
import { TEST_SEALING_KEY } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');
const NEVER_LOADED = ['better-sqlite3', 'ioredis', 'oidc-provider'];

/** Runs the unpacked handler in a process of its own: each event in turn; what it answered, logged and required. */
const RUNNER = `
const Module = require('node:module');
const requested = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!request.startsWith('node:') && !Module.isBuiltin(request) && !request.startsWith('.') && !request.startsWith('/')) requested.add(request);
  return load.apply(this, arguments);
};
const events = JSON.parse(process.argv[1]);
(async () => {
  const { handler } = await import('./lambda.mjs');
  const results = [];
  for (const [index, event] of events.entries()) {
    // The log goes to standard output too: a mark before each event tells its lines apart.
    process.stdout.write('EVENT ' + index + '\\n');
    try {
      results.push({ answer: await handler(event, { getRemainingTimeInMillis: () => 30000 }) });
    } catch (error) {
      results.push({ error: String(error) });
    }
  }
  process.stdout.write('REPORT ' + JSON.stringify({ handlerType: typeof handler, results, requested: [...requested] }) + '\\n');
})();
`;

/** The runner's report, and the log lines written during each event. */
function readRun(stdout: string): { report: { handlerType: string; results: Array<{ answer?: Record<string, unknown>; error?: string }>; requested: string[] }; logs: string[] } {
  const logs: string[] = [];
  let report;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('EVENT ')) logs.push('');
    else if (line.startsWith('REPORT ')) report = JSON.parse(line.slice('REPORT '.length));
    else if (logs.length > 0) logs[logs.length - 1] += `${line}\n`;
  }
  if (!report) throw new Error(`the runner reported nothing: ${stdout.slice(0, 500)}`);
  return { report, logs };
}

describeWithDynamoDb('the function package on DynamoDB', () => {
  const cleanup = new Cleanup();
  let folder: string;
  let dynalite: Dynalite;
  let parameterStore: FakeParameterStore;
  let storeUrl: string;
  let zipFile: string;

  beforeAll(async () => {
    folder = cleanup.add(mkdtempSync(join(tmpdir(), 'linkbridge-package-')), (made) => rmSync(made, { recursive: true, force: true }));
    dynalite = cleanup.add(await startDynalite(), (started) => started.stop());
    storeUrl = await dynalite.createTable('linkbridge-package');
    parameterStore = cleanup.add(await new FakeParameterStore().start(), (started) => started.close());
    const secrets: Record<string, string> = { ALEXA_CLIENT_SECRET: 'alexa-secret-value', UPSTREAM_CLIENT_SECRET: 'upstream-secret-value', SEALING_KEYS: `k1:${TEST_SEALING_KEY}` };
    for (const variable of SECRET_VARIABLES) parameterStore.set(`/linkbridge/package/${variable}`, secrets[variable]!);
    parameterStore.set(publicUrlParameter('package-stack'), 'https://abcdefgh.lambda-url.us-east-1.on.aws/', 'String');
    // As ask-cli runs the hook: from its build folder (a copy of the code folder), with the zip to write.
    const askBuildFolder = join(folder, '.ask', 'aws');
    mkdirSync(askBuildFolder, { recursive: true });
    execFileSync(join(ROOT, 'hooks', 'build.sh'), ['build.zip', 'false'], { cwd: askBuildFolder, encoding: 'utf8' });
    zipFile = join(askBuildFolder, 'build.zip');
  });
  afterAll(() => cleanup.run());

  test('hooks/build.sh, run as ask-cli runs it (from another folder, with the zip path), writes a package of ES modules: the handler\'s file and its chunks', () => {
    const entries = execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(entries[0]).toBe(`${LAMBDA_HANDLER.split('.')[0]}.mjs`);
    expect(entries[0]).toBe(ENTRY_FILE);
    for (const entry of entries.slice(1)) expect(entry).toMatch(/^chunks\/[\w-]+\.mjs$/);
    // The halves each event needs are chunks of their own.
    expect(entries.some((entry) => entry.startsWith('chunks/lambda-http-'))).toBe(true);
    expect(entries.some((entry) => entry.startsWith('chunks/lambda-skill-'))).toBe(true);
  });

  test('nothing bundled is installed for development only, and the packages left out are not in it', async () => {
    const built = await buildLambdaPackage(ROOT, join(folder, 'inspect.zip'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = built.packages.filter((name) => lock.packages[`node_modules/${name}`]?.dev === true);
    expect(devOnly).toEqual([]);
    for (const name of NEVER_LOADED) expect(built.packages).not.toContain(name);
    expect(built.packages).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-ssm', 'ask-sdk-core', 'express', 'serverless-http']));
  });

  test('unpacked alone, it answers a direct invocation without starting the app, then a function URL request; loads no left-out package; and lets the process end', async () => {
    const unpacked = join(folder, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('unzip', ['-q', zipFile, '-d', unpacked]);
    const env = {
      PATH: process.env.PATH ?? '',
      ...functionEnvironment(
        { AlexaClientId: 'alexa-skill', AlexaVendorIds: 'M3BVP74N95SP1F', UpstreamAuthorizationUrl: 'https://provider.test/authorize', UpstreamTokenUrl: 'https://provider.test/token', UpstreamClientId: 'linkbridge', UpstreamScope: 'profile', AccountApiUrl: 'https://provider.test/me' },
        { skillId: INVOKED_SKILL_ID, storeUrl, ssmParameters: ssmParameters('/linkbridge/package', 'package-stack') },
      ),
      // What Lambda sets: the region and the role's credentials; the SDK's own setting points Parameter Store here.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
    };
    const events = [alexaInvocation({ type: 'LaunchRequest' }), functionUrlEvent({ method: 'GET', target: '/healthz' })];
    const child = spawn(process.execPath, ['-e', RUNNER, JSON.stringify(events)], { cwd: unpacked, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The runner never calls process.exit: the process ends only when nothing (a timer, a socket) holds it.
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    expect([exitCode, stderr]).toEqual([0, ""]);
    const { report, logs } = readRun(stdout);
    expect(report.handlerType).toBe('function');

    const [direct, http] = report.results;
    expect(direct!.error).toBeUndefined();
    expect(direct!.answer).toMatchObject({ version: '1.0', response: { outputSpeech: { type: 'SSML' } } });
    // A direct invocation builds only the skill: the app's dependencies (provider profile, store) come at the first URL request.
    expect(logs[0]).not.toContain('provider profile resolved');
    expect(http!.answer).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(Buffer.from(String(http!.answer!.body), 'base64').toString('utf8'))).toMatchObject({ status: 'ok' });
    expect(logs[1]).toContain('provider profile resolved');

    for (const name of NEVER_LOADED) expect(report.requested).not.toContain(name);
    // Whatever the bundle asks of node_modules is only what it does without (an optional package).
    expect(report.requested.filter((name) => name !== 'supports-color')).toEqual([]);
  });
});
