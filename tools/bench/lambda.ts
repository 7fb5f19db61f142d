/**
 * The function on AWS Lambda, as far as a machine without AWS can measure it: linkbridge's handler (the
 * package `ask deploy` uploads, unpacked: one bundled file) against the stock ask-sdk hello-world Lambda
 * handler (`SkillBuilders.custom()…lambda()`, loaded from node_modules as its template ships it), each in a
 * fresh Node.js process that plays Lambda's runtime (`targets/lambda-invoke.target.ts`):
 *
 * - cold start: from starting the process to the first answered direct invocation (a LaunchRequest);
 *   linkbridge's includes reading its secrets from Parameter Store (a fake on loopback) and its config;
 * - warm CPU: the process's own CPU time per invocation over a run of invocations after a warm-up.
 *
 * Part of `npm run bench`; alone: `node dist/bench/tools/bench/lambda.js [--cold-starts 8] [--warm 2000]`.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launchRequest } from '../../test/fixtures/skill/envelopes';
import { FakeParameterStore } from '../../test/support/fake-ssm';
import { functionEnvironment, ssmParameters, SECRET_VARIABLES, publicUrlParameter } from '../aws/stack-parameters';
import { bundleLambda, ENTRY_FILE } from '../build/lambda-package';
import type { FromLambdaInvoke } from './targets/child-process';
import { BUILD_ROOT } from './processes';

/** One round of the Lambda rows: per start, milliseconds to the first answer and µs of CPU per warm invocation. */
export interface LambdaRound {
  readonly coldStart: { readonly helloWorld: readonly number[]; readonly linkbridge: readonly number[] };
  readonly warmCpu: { readonly helloWorld: readonly number[]; readonly linkbridge: readonly number[] };
}

const HARNESS = join(BUILD_ROOT, 'tools', 'bench', 'targets', 'lambda-invoke.target.js');
const HELLO_WORLD = join(BUILD_ROOT, 'tools', 'bench', 'targets', 'hello-world-lambda.target.js');

/** Both handlers, ready to start: linkbridge's bundle in a folder of its own (no node_modules near it), its secrets served. */
export class LambdaTargets {
  private constructor(
    private readonly folder: string,
    private readonly parameterStore: FakeParameterStore,
    private readonly env: Readonly<Record<string, string>>,
    private readonly event: string,
  ) {}

  static async prepare(sourceRoot: string): Promise<LambdaTargets> {
    const folder = mkdtempSync(join(tmpdir(), 'linkbridge-bench-lambda-'));
    const parameterStore = await new FakeParameterStore().start();
    try {
      for (const file of (await bundleLambda(sourceRoot)).files) {
        mkdirSync(dirname(join(folder, file.name)), { recursive: true });
        writeFileSync(join(folder, file.name), file.content);
      }
      const secrets: Record<string, string> = { ALEXA_CLIENT_SECRET: 'bench-alexa-secret', UPSTREAM_CLIENT_SECRET: 'bench-upstream-secret', SEALING_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64url')}` };
      for (const variable of SECRET_VARIABLES) parameterStore.set(`/linkbridge/bench/${variable}`, secrets[variable]!);
      parameterStore.set(publicUrlParameter('bench'), 'https://abcdefgh.lambda-url.us-east-1.on.aws/', 'String');
      const launch = launchRequest();
      const env = {
        PATH: process.env.PATH ?? '',
        ...functionEnvironment(
          { AlexaClientId: 'bench-alexa', AlexaVendorIds: 'M3BVP74N95SP1F', UpstreamAuthorizationUrl: 'https://provider.bench.test/authorize', UpstreamTokenUrl: 'https://provider.bench.test/token', UpstreamClientId: 'bench', UpstreamScope: 'profile', AccountApiUrl: 'https://provider.bench.test/me' },
          // The table is never reached by a direct invocation.
          { skillId: launch.context.System.application.applicationId, storeUrl: 'dynamodb://bench?region=us-east-1&endpoint=http://127.0.0.1:9', ssmParameters: ssmParameters('/linkbridge/bench', 'bench') },
        ),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
      };
      return new LambdaTargets(folder, parameterStore, env, JSON.stringify(launch));
    } catch (error) {
      await parameterStore.close();
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** `coldStarts` fresh processes of each handler, taken in turn; each then measures `warm` invocations. */
  async run(coldStarts: number, warm: number): Promise<LambdaRound> {
    const round = { coldStart: { helloWorld: [] as number[], linkbridge: [] as number[] }, warmCpu: { helloWorld: [] as number[], linkbridge: [] as number[] } };
    for (let run = 0; run < coldStarts; run += 1) {
      const hello = await invokeFresh(HELLO_WORLD, { PATH: process.env.PATH ?? '' }, this.event, warm);
      round.coldStart.helloWorld.push(hello.coldMs);
      round.warmCpu.helloWorld.push(hello.warmMicroseconds);
      const ours = await invokeFresh(join(this.folder, ENTRY_FILE), this.env, this.event, warm);
      round.coldStart.linkbridge.push(ours.coldMs);
      round.warmCpu.linkbridge.push(ours.warmMicroseconds);
    }
    return round;
  }

  async close(): Promise<void> {
    await this.parameterStore.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Starts the harness on `handlerFile`; milliseconds to its first answer, then µs of CPU per warm invocation. */
function invokeFresh(handlerFile: string, env: Readonly<Record<string, string>>, event: string, warm: number): Promise<{ coldMs: number; warmMicroseconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = fork(HARNESS, [handlerFile, event, String(warm)], { env: { NODE_ENV: 'production', ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let coldMs = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${handlerFile} did not answer within 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== null && code !== 0) reject(new Error(`${handlerFile} exited with code ${code}`));
    });
    child.on('message', (message: FromLambdaInvoke) => {
      if (message.type === 'answered') {
        coldMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (!message.answered) reject(new Error(`${handlerFile} gave no response envelope`));
        return;
      }
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ coldMs, warmMicroseconds: message.microseconds });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The Lambda rows of the report, one line per round. */
export function formatLambdaRows(rounds: readonly LambdaRound[]): string[] {
  const lines = [
    '| round | cold start, hello-world `.lambda()` | cold start, linkbridge | ratio | warm CPU/invocation, hello-world | warm CPU/invocation, linkbridge | ratio |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  rounds.forEach((round, index) => {
    const cold = [median(round.coldStart.helloWorld), median(round.coldStart.linkbridge)] as const;
    const cpu = [median(round.warmCpu.helloWorld), median(round.warmCpu.linkbridge)] as const;
    lines.push(`| ${index + 1} | ${cold[0].toFixed(0)} ms | ${cold[1].toFixed(0)} ms | ${(cold[1] / cold[0]).toFixed(2)}× | ${cpu[0].toFixed(0)} µs | ${cpu[1].toFixed(0)} µs | ${(cpu[1] / cpu[0]).toFixed(2)}× |`);
  });
  return lines;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
  const targets = await LambdaTargets.prepare(join(BUILD_ROOT, '..', '..'));
  try {
    const rounds: LambdaRound[] = [];
    for (let round = 0; round < value('rounds', 3); round += 1) rounds.push(await targets.run(value('cold-starts', 8), value('warm', 2000)));
    process.stdout.write(`Node ${process.version}; medians of ${value('cold-starts', 8)} starts per round; warm CPU over ${value('warm', 2000)} invocations after 200.\n\n${formatLambdaRows(rounds).join('\n')}\n`);
  } finally {
    await targets.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`lambda bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
