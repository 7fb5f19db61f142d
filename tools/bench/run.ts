/**
 * `npm run bench`: linkbridge's hot paths and their baselines, started in the same run on loopback,
 * measured one after the other, round after round, and reported as ratios within each round (the
 * machine is shared, so absolute numbers drift; ratios taken minutes apart would not be honest).
 *
 *   npm run bench -- --rounds 3 --seconds 5 --connections 50 --cold-starts 4
 *   npm run bench -- --only linkedUnverified,linkedVault --seconds 3   (those paths only: no cold starts, no per-operation costs)
 *
 * Each round warms every path up for a second, then loads each path for one-second slices in turn,
 * `--seconds` slices per path, and starts each server cold `--cold-starts` times.
 *
 * Writes the table to tools/bench/results/ and prints it. Runs tools/bench/refresh-soak.ts (`npm run bench:soak`)
 * afterwards when that file exists.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intentRequest, launchRequest } from '../../test/fixtures/skill/envelopes';
import { alexaTestChain, signBody, type AlexaTestChain } from '../../test/support/test-certificates';
import { bundleServer } from '../build/bundle';
import { coldStartMs } from './cold-start';
import { LambdaTargets } from './lambda';
import { runMicroBenchmarksApart } from './micro';
import { LoadGenerator, type RequestShape } from './load';
import { BUILD_ROOT, TargetProcess } from './processes';
import { formatReport, type Round } from './report';

const SOURCE_ROOT = join(BUILD_ROOT, '..', '..');
const CERTIFICATE_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem';
const ALEXA_CLIENT = { id: 'bench-alexa', secret: 'bench-alexa-secret' };
const UPSTREAM_CLIENT = { id: 'bench-linkbridge', secret: 'bench-upstream-secret' };
const LINKED_TOKEN = 'bench-linked-access-token';

interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly coldStarts: number;
  /** `--only id,id`: just these load phases, without cold starts and per-operation costs. */
  readonly only?: ReadonlySet<string>;
}

function readOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    const parsed = index >= 0 ? Number(argv[index + 1]) : fallback;
    if (!Number.isFinite(parsed) || parsed < 1) throw new Error(`--${name} expects a positive number`);
    return parsed;
  };
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
  return { rounds: value('rounds', 3), seconds: value('seconds', 5), connections: value('connections', 50), coldStarts: value('cold-starts', 4), only };
}

/** The processes under test, all started before the first round. */
interface Targets {
  readonly peers: TargetProcess;
  readonly helloWorld: TargetProcess;
  readonly unverified: TargetProcess;
  readonly verified: TargetProcess;
  readonly stockVerifier: TargetProcess;
  /** linkbridge in vault custody (`TOKEN_CUSTODY=vault`), unverified, with one link made at start. */
  readonly vault: TargetProcess;
  /** The access token Alexa holds for that link: linkbridge's own. */
  readonly vaultToken: string;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'linkbridge-bench-'));
  const chain = alexaTestChain();
  const started: TargetProcess[] = [];
  let lambda: LambdaTargets | undefined;
  const start = async (name: string, script: string, env: Record<string, string>) => {
    const target = await TargetProcess.start(name, script, env);
    started.push(target);
    return target;
  };
  try {
    // What `npm start` runs: the server bundled into one file (tools/build/bundle.ts), written beside the bench's build.
    await bundleServer(SOURCE_ROOT, join(BUILD_ROOT, 'linkbridge.js'));
    // The function's package as ask deploy builds it, and the stock hello-world Lambda handler (lambda.ts).
    lambda = await LambdaTargets.prepare(SOURCE_ROOT);
    const peers = await start('peers', 'tools/bench/targets/peers.target.js', { BENCH_CERTIFICATE_CHAIN: chain.chainPem });
    const env = (name: string, extra: Record<string, string>) => ({ ...linkbridgeEnv(peers, join(dataDir, `${name}.sqlite`)), ...extra });
    const signing = { BENCH_CERTIFICATE_CHAIN: chain.chainPem, BENCH_CERTIFICATE_URL: CERTIFICATE_URL };
    const targets: Targets = {
      peers,
      helloWorld: await start('hello-world', 'tools/bench/targets/hello-world.target.js', {}),
      unverified: await start('unverified', 'tools/bench/targets/linkbridge.target.js', env('unverified', { ALEXA_VERIFY_SIGNATURE: 'false' })),
      verified: await start(
        'verified',
        'tools/bench/targets/linkbridge.target.js',
        env('verified', { ...signing, BENCH_VERIFIER: 'linkbridge', BENCH_TRUSTED_ROOT: chain.root.pem, BENCH_CERTIFICATE_SERVER: peers.url('/', 'certificates') }),
      ),
      stockVerifier: await start('stock-verifier', 'tools/bench/targets/linkbridge.target.js', env('stock', { ...signing, BENCH_VERIFIER: 'stock' })),
      ...(await startVault(start, env('vault', { ALEXA_VERIFY_SIGNATURE: 'false', TOKEN_CUSTODY: 'vault' }))),
    };
    const rounds: Round[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      process.stderr.write(`round ${round} of ${options.rounds}\n`);
      rounds.push({ ...(await runRound(targets, chain, options, join(dataDir, `cold-${round}.sqlite`))), lambda: await lambda.run(options.coldStarts, 1000) });
    }
    const report = formatReport(rounds, { ...options, node: process.version, cpus: cpuModel() });
    mkdirSync(join(SOURCE_ROOT, 'tools', 'bench', 'results'), { recursive: true });
    const file = join(SOURCE_ROOT, 'tools', 'bench', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    writeFileSync(`${file}.md`, report);
    writeFileSync(`${file}.json`, JSON.stringify({ options, rounds }, null, 2));
    process.stdout.write(`${report}\nwritten to ${file}.md\n`);
  } finally {
    await Promise.all(started.map((target) => target.stop()));
    await lambda?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // A run of some paths only is a quick look at those paths: no soak after it.
  if (!options.only) runRefreshSoak();
}

/** One path under load: which server, what request, how many connections. */
interface Phase {
  readonly id: string;
  readonly server: TargetProcess;
  readonly shape: RequestShape;
  readonly connections: number;
}

async function runRound(targets: Targets, chain: AlexaTestChain, options: Options, coldStore: string): Promise<Round> {
  const { connections } = options;
  // Signed bodies carry a timestamp, so requests are made afresh each round (a round stays well inside 150 s).
  const launch = JSON.stringify(launchRequest());
  const linked = JSON.stringify(intentRequest('GetNameIntent', { accessToken: LINKED_TOKEN }));
  const { helloWorld, unverified, verified, stockVerifier, peers, vault } = targets;
  const linkedInVault = JSON.stringify(intentRequest('GetNameIntent', { accessToken: targets.vaultToken }));
  const every: Phase[] = [
    { id: 'helloWorldLaunch', server: helloWorld, shape: skillRequest(helloWorld, launch), connections },
    { id: 'launchUnverified', server: unverified, shape: skillRequest(unverified, launch), connections },
    { id: 'launchVerified', server: verified, shape: skillRequest(verified, launch, chain), connections },
    { id: 'launchStockVerifier', server: stockVerifier, shape: skillRequest(stockVerifier, launch, chain), connections },
    { id: 'linkedUnverified', server: unverified, shape: skillRequest(unverified, linked), connections },
    { id: 'linkedVerified', server: verified, shape: skillRequest(verified, linked, chain), connections },
    // The same linked intent in vault custody: Alexa's token resolved to the provider's from the store.
    { id: 'linkedVault', server: vault, shape: skillRequest(vault, linkedInVault), connections },
    { id: 'refreshDirect', server: peers, shape: refreshRequest(peers.url('/token', 'provider'), UPSTREAM_CLIENT), connections },
    { id: 'refreshRelayed', server: unverified, shape: refreshRequest(unverified.url('/oauth/token'), ALEXA_CLIENT), connections },
    { id: 'refreshDirectC1', server: peers, shape: refreshRequest(peers.url('/token', 'provider'), UPSTREAM_CLIENT), connections: 1 },
    { id: 'refreshRelayedC1', server: unverified, shape: refreshRequest(unverified.url('/oauth/token'), ALEXA_CLIENT), connections: 1 },
  ];
  const phases = options.only ? every.filter((phase) => options.only!.has(phase.id)) : every;
  const generators = phases.map((phase) => ({ id: phase.id, load: new LoadGenerator(phase.server, phase.shape, phase.connections) }));
  try {
    process.stderr.write('  warm-up\n');
    for (const { load } of generators) await load.warmUp(1);
    // Every path gets one slice per cycle, in turn, so background load on the shared machine falls on all alike.
    for (let cycle = 1; cycle <= options.seconds; cycle += 1) {
      process.stderr.write(`  cycle ${cycle} of ${options.seconds}\n`);
      for (const { load } of generators) await load.slice(1);
    }
  } finally {
    await Promise.all(generators.map(({ load }) => load.close()));
  }
  const measurements = Object.fromEntries(generators.map(({ id, load }) => [id, load.result()]));
  if (options.only) return { measurements, coldStart: { helloWorld: [], linkbridge: [], unbundled: [] }, micro: [] };

  process.stderr.write('  cold starts\n');
  const coldStart = { helloWorld: [] as number[], linkbridge: [] as number[], unbundled: [] as number[] };
  const coldEnv = { ...linkbridgeEnv(peers, coldStore), ALEXA_VERIFY_SIGNATURE: 'false' };
  for (let run = 0; run < options.coldStarts; run += 1) {
    coldStart.helloWorld.push(await coldStartMs('tools/bench/targets/hello-world.target.js', {}, launch));
    coldStart.linkbridge.push(await coldStartMs('linkbridge.js', coldEnv, launch));
    coldStart.unbundled.push(await coldStartMs('main.js', coldEnv, launch));
  }
  process.stderr.write('  per-operation costs\n');
  return { measurements, coldStart, micro: await runMicroBenchmarksApart(peers.url('/token', 'provider'), peers.url('/me', 'accountApi')) };
}

/**
 * The vault-custody target, and a link in it: Alexa's refresh with a provider refresh token from relay
 * custody is how a link is made without a browser (linkbridge refreshes it at the bench's provider once
 * and answers with its own tokens).
 */
async function startVault(
  start: (name: string, script: string, env: Record<string, string>) => Promise<TargetProcess>,
  env: Record<string, string>,
): Promise<{ vault: TargetProcess; vaultToken: string }> {
  const vault = await start('vault', 'tools/bench/targets/linkbridge.target.js', env);
  const response = await fetch(vault.url('/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${ALEXA_CLIENT.id}:${ALEXA_CLIENT.secret}`).toString('base64')}` },
    body: `grant_type=refresh_token&refresh_token=bench-relay-era-${randomBytes(6).toString('hex')}`,
  });
  const answer = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !answer.access_token) throw new Error(`the vault target made no link: ${response.status}`);
  return { vault, vaultToken: answer.access_token };
}

/** linkbridge's configuration in the bench: a provider and account API on loopback, no demo. */
function linkbridgeEnv(peers: TargetProcess, storeFile: string): Record<string, string> {
  return {
    PUBLIC_URL: 'https://linkbridge.bench.test',
    ALEXA_CLIENT_ID: ALEXA_CLIENT.id,
    ALEXA_CLIENT_SECRET: ALEXA_CLIENT.secret,
    ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F',
    UPSTREAM_AUTHORIZATION_URL: 'https://provider.bench.test/authorize',
    UPSTREAM_TOKEN_URL: peers.url('/token', 'provider'),
    UPSTREAM_CLIENT_ID: UPSTREAM_CLIENT.id,
    UPSTREAM_CLIENT_SECRET: UPSTREAM_CLIENT.secret,
    UPSTREAM_SCOPE: 'profile',
    SEALING_KEYS: `k1:${randomBytes(32).toString('base64url')}`,
    STORE_URL: `sqlite:${storeFile}`,
    ACCOUNT_API_URL: peers.url('/me', 'accountApi'),
    LOG_LEVEL: 'info',
  };
}

/** A skill request; signed by the bench's test chain when `chain` is given (then only verified targets accept it). */
function skillRequest(server: TargetProcess, body: string, chain?: AlexaTestChain): RequestShape {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (chain) {
    headers['signaturecertchainurl'] = CERTIFICATE_URL;
    headers['signature-256'] = signBody(body, chain.leaf.keys.privateKey);
  }
  return { url: server.url('/alexa'), headers, body };
}

/** A refresh_token grant with a refresh token never sent before, so every request reaches the provider. */
function refreshRequest(url: string, client: { id: string; secret: string }): RequestShape {
  let sequence = 0;
  const prefix = randomBytes(6).toString('hex');
  return {
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: () => `grant_type=refresh_token&refresh_token=bench-${prefix}-${(sequence += 1)}`,
  };
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? 'unknown CPU';
    return `${(info.match(/^processor/gm) ?? []).length} × ${model}`;
  } catch {
    return 'unknown CPU';
  }
}

/** The refresh soak lives in its own file; run it when it is there. */
function runRefreshSoak(): void {
  if (!existsSync(join(SOURCE_ROOT, 'tools', 'bench', 'refresh-soak.ts'))) return;
  const scripts = (JSON.parse(readFileSync(join(SOURCE_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts['bench:soak']) return;
  process.stdout.write('\nrefresh soak (npm run bench:soak)\n');
  const soak = spawnSync('npm', ['run', 'bench:soak'], { cwd: SOURCE_ROOT, stdio: 'inherit' });
  if (soak.status !== 0) process.exitCode = soak.status ?? 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
