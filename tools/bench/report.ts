import { formatLambdaRows, type LambdaRound } from './lambda';
import type { Measurement } from './load';
import type { MicroResult } from './micro';

/** One round: every load phase, and the cold starts, measured back to back. */
export interface Round {
  readonly measurements: Readonly<Record<string, Measurement>>;
  /** Milliseconds to the first answer, per start. */
  readonly coldStart: { readonly helloWorld: readonly number[]; readonly linkbridge: readonly number[]; readonly unbundled?: readonly number[] };
  /** Per-operation CPU costs measured in the bench process. */
  readonly micro: readonly MicroResult[];
  /** AWS Lambda: the handler's cold start and warm CPU against the stock hello-world Lambda handler. */
  readonly lambda?: LambdaRound;
}

interface Row {
  readonly id: string;
  readonly label: string;
  /** The ratios worth reading next to this row, as text. */
  readonly ratios?: (m: Readonly<Record<string, Measurement>>) => string;
}

const ROWS: readonly Row[] = [
  { id: 'helloWorldLaunch', label: 'hello-world skill (stock `ExpressAdapter`), LaunchRequest — baseline' },
  {
    id: 'launchUnverified',
    label: '`/alexa` LaunchRequest, unverified',
    ratios: (m) => `CPU ${x(m.launchUnverified!.cpuPerRequest / m.helloWorldLaunch!.cpuPerRequest)} · req/s ${x(rps(m, 'launchUnverified', 'helloWorldLaunch'))} hello-world`,
  },
  {
    id: 'launchVerified',
    label: '`/alexa` LaunchRequest, verified (linkbridge verifier)',
    ratios: (m) =>
      `req/s ${x(rps(m, 'launchVerified', 'launchUnverified'))} unverified · ${x(rps(m, 'launchVerified', 'launchStockVerifier'))} stock verifier; ` +
      `by CPU/req ${x(cpu(m, 'launchUnverified', 'launchVerified'))} · ${x(cpu(m, 'launchStockVerifier', 'launchVerified'))}`,
  },
  {
    id: 'launchStockVerifier',
    label: '`/alexa` LaunchRequest, verified (stock adapter verifier)',
    ratios: (m) => `req/s ${x(rps(m, 'launchStockVerifier', 'launchUnverified'))} unverified`,
  },
  {
    id: 'linkedUnverified',
    label: '`/alexa` linked intent (one account API call), unverified',
    ratios: (m) => `CPU ${x(m.linkedUnverified!.cpuPerRequest / m.helloWorldLaunch!.cpuPerRequest)} · req/s ${x(rps(m, 'linkedUnverified', 'helloWorldLaunch'))} hello-world`,
  },
  {
    id: 'linkedVerified',
    label: '`/alexa` linked intent, verified (linkbridge verifier)',
    ratios: (m) => `req/s ${x(rps(m, 'linkedVerified', 'linkedUnverified'))} unverified`,
  },
  {
    id: 'linkedVault',
    label: '`/alexa` linked intent in vault custody (the link read from the store), unverified',
    ratios: (m) => `CPU ${x(m.linkedVault!.cpuPerRequest / m.linkedUnverified!.cpuPerRequest)} · req/s ${x(rps(m, 'linkedVault', 'linkedUnverified'))} relay custody`,
  },
  { id: 'refreshDirect', label: 'refresh directly at the provider (CPU: the provider’s)' },
  {
    id: 'refreshRelayed',
    label: 'refresh through linkbridge (CPU: linkbridge’s)',
    ratios: (m) => `req/s ${x(rps(m, 'refreshRelayed', 'refreshDirect'))} · p50 ${x(m.refreshRelayed!.p50 / m.refreshDirect!.p50)} direct`,
  },
  { id: 'refreshDirectC1', label: 'refresh directly at the provider, one at a time' },
  {
    id: 'refreshRelayedC1',
    label: 'refresh through linkbridge, one at a time',
    ratios: (m) => `p50 ${x(m.refreshRelayedC1!.p50 / m.refreshDirectC1!.p50)} · p99 ${x(m.refreshRelayedC1!.p99 / m.refreshDirectC1!.p99)} direct`,
  },
];

/** A target from the issue, read from one round. */
interface Goal {
  readonly label: string;
  readonly value: (round: Round) => number;
  readonly met: (value: number) => boolean;
  readonly format: (value: number) => string;
}

const GOALS: readonly Goal[] = [
  {
    label: 'verified `/alexa` ≥ 0.8× its own unverified throughput',
    value: (r) => rps(r.measurements, 'launchVerified', 'launchUnverified'),
    met: (v) => v >= 0.8,
    format: x,
  },
  {
    label: 'verified `/alexa` ≥ 2× the stock verifier’s throughput',
    value: (r) => rps(r.measurements, 'launchVerified', 'launchStockVerifier'),
    met: (v) => v >= 2,
    format: x,
  },
  {
    label: 'unverified launch ≤ 1.1× hello-world CPU/request',
    value: (r) => r.measurements.launchUnverified!.cpuPerRequest / r.measurements.helloWorldLaunch!.cpuPerRequest,
    met: (v) => v <= 1.1,
    format: x,
  },
  {
    label: 'linked intent ≤ 2× hello-world CPU/request',
    value: (r) => r.measurements.linkedUnverified!.cpuPerRequest / r.measurements.helloWorldLaunch!.cpuPerRequest,
    met: (v) => v <= 2,
    format: x,
  },
  {
    label: 'linked intent in vault custody ≤ 1.1× the same in relay custody (CPU/request)',
    value: (r) => r.measurements.linkedVault!.cpuPerRequest / r.measurements.linkedUnverified!.cpuPerRequest,
    met: (v) => v <= 1.1,
    format: x,
  },
  {
    label: 'relayed refresh ≤ 200 µs of linkbridge CPU per refresh (under load)',
    value: (r) => r.measurements.refreshRelayed!.cpuPerRequest,
    met: (v) => v <= 200,
    format: (v) => `${v.toFixed(0)} µs`,
  },
  {
    label: 'relayed refresh, linkbridge CPU per refresh one at a time (for reading)',
    value: (r) => r.measurements.refreshRelayedC1!.cpuPerRequest,
    met: (v) => v <= 200,
    format: (v) => `${v.toFixed(0)} µs`,
  },
  {
    label: 'relayed refresh p50 at c=1 ≤ 1.2× direct',
    value: (r) => r.measurements.refreshRelayedC1!.p50 / r.measurements.refreshDirectC1!.p50,
    met: (v) => v <= 1.2,
    format: x,
  },
  {
    label: 'cold start (no demo, `npm start`’s bundle) ≤ 1.2× hello-world’s (medians)',
    value: (r) => median(r.coldStart.linkbridge) / median(r.coldStart.helloWorld),
    met: (v) => v <= 1.2,
    format: x,
  },
  {
    label: 'cold start (no demo) from the unbundled `tsc` build, for reading',
    value: (r) => median(r.coldStart.unbundled ?? []) / median(r.coldStart.helloWorld),
    met: (v) => v <= 1.2,
    format: x,
  },
];

/** The bench report as Markdown: the targets first, then each round's table. */
export function formatReport(
  rounds: readonly Round[],
  meta: { rounds: number; seconds: number; connections: number; coldStarts: number; node: string; cpus: string },
): string {
  const lines = [
    `# linkbridge bench, ${new Date().toISOString()}`,
    '',
    `Node ${meta.node} on ${meta.cpus}. ${meta.rounds} rounds; in each, every path is loaded for ${meta.seconds} one-second slices taken in turn ` +
      `(after 1 s of warm-up), over ${meta.connections} keep-alive connections, or one where marked c=1; latency timed to the microsecond per request. ` +
      `CPU is each server process's own user + system time over the phase, divided by the requests it answered. ` +
      `Ratios are taken within a round.`,
    '',
    '## Targets',
    '',
    '| target | per round | met |',
    '| --- | --- | --- |',
    // A run of some paths only (`--only`) reports the targets it measured.
    ...GOALS.filter((goal) => rounds.every((round) => Number.isFinite(valueOf(goal, round)))).map((goal) => {
      const values = rounds.map((round) => goal.value(round));
      const metCount = values.filter((value) => goal.met(value)).length;
      return `| ${goal.label} | ${values.map(goal.format).join(', ')} | ${metCount === values.length ? 'yes' : metCount === 0 ? 'no' : `${metCount} of ${values.length} rounds`} |`;
    }),
  ];
  lines.push(
    '',
    '## Per-operation CPU, in a process of its own (each pair warmed up, then measured in alternating blocks)',
    '',
    '| operation: first vs second | µs, per round |',
    '| --- | --- |',
    ...(rounds[0]?.micro ?? []).map(
      (entry, index) =>
        `| ${entry.label} | ${rounds.map((round) => `${round.micro[index]!.first.toFixed(0)} vs ${round.micro[index]!.second.toFixed(0)}`).join('; ')} |`,
    ),
  );
  const lambdaRounds = rounds.flatMap((round) => (round.lambda ? [round.lambda] : []));
  if (lambdaRounds.length > 0) {
    lines.push(
      '',
      `## AWS Lambda handler, direct invocation (medians of ${meta.coldStarts} starts per round)`,
      '',
      'Cold start: a fresh Node.js process to the first answered LaunchRequest (linkbridge: the package `ask deploy` uploads, ' +
        'its secrets read from a Parameter Store fake on loopback; hello-world: `SkillBuilders.custom()…lambda()` from node_modules). ' +
        'Warm CPU: the process\'s own CPU time per invocation over 1000 invocations after 200.',
      '',
      ...formatLambdaRows(lambdaRounds),
    );
  }
  rounds.forEach((round, index) => {
    const coldStarts = round.coldStart.linkbridge.length > 0;
    lines.push('', `## Round ${index + 1}`, '', '| path | conn. | req/s | p50 ms | p99 ms | CPU µs/req | ratios |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of ROWS) {
      const m = round.measurements[row.id];
      if (!m) continue;
      const failures = m.failures > 0 ? ` (${m.failures} failed!)` : '';
      const connections = row.id.endsWith('C1') ? '1' : String(meta.connections);
      lines.push(
        `| ${row.label}${failures} | ${connections} | ${m.requestsPerSecond.toFixed(0)} | ${(m.p50 / 1000).toFixed(2)} | ${(m.p99 / 1000).toFixed(2)} | ${m.cpuPerRequest.toFixed(0)} | ${ratiosOf(row, round)} |`,
      );
    }
    if (!coldStarts) return;
    const hello = median(round.coldStart.helloWorld);
    const linkbridge = median(round.coldStart.linkbridge);
    lines.push(
      '',
      `Cold start to the first answered \`POST /alexa\` (median of ${round.coldStart.linkbridge.length}): hello-world ${hello.toFixed(0)} ms, ` +
        `linkbridge without the demo ${linkbridge.toFixed(0)} ms (${x(linkbridge / hello)}) as \`npm start\` runs it (one bundled file), ` +
        `${median(round.coldStart.unbundled ?? []).toFixed(0)} ms (${x(median(round.coldStart.unbundled ?? []) / hello)}) from the unbundled \`tsc\` build.`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** A row's ratios; empty when the round did not measure the row's baseline (`--only`). */
function ratiosOf(row: Row, round: Round): string {
  try {
    return row.ratios?.(round.measurements) ?? '';
  } catch {
    return '';
  }
}

/** A target's value in a round; not a number when the round did not measure what it needs. */
function valueOf(goal: Goal, round: Round): number {
  try {
    return goal.value(round);
  } catch {
    return Number.NaN;
  }
}

function rps(m: Readonly<Record<string, Measurement>>, id: string, baseline: string): number {
  return m[id]!.requestsPerSecond / m[baseline]!.requestsPerSecond;
}

/** How many requests of `id` the CPU time of one `baseline` request pays for: throughput as CPU-bound work would have it. */
function cpu(m: Readonly<Record<string, Measurement>>, baseline: string, id: string): number {
  return m[baseline]!.cpuPerRequest / m[id]!.cpuPerRequest;
}

function x(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
