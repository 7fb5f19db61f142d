import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Messages between the bench and a target process (over the IPC channel `fork` opens). */
export type ToTarget = { readonly type: 'cpu' };
export type FromTarget =
  | { readonly type: 'ready'; readonly ports: Readonly<Record<string, number>> }
  | { readonly type: 'cpu'; readonly microseconds: number };

/** Messages from `lambda-invoke.target.ts` to the bench. */
export type FromLambdaInvoke = { readonly type: 'answered'; readonly answered: boolean } | { readonly type: 'warm'; readonly microseconds: number };

/**
 * Lets the bench read this process's own CPU time (user + system) before and after a load phase,
 * and tells it which ports the process listens on. Without an IPC channel (a plain `node` start,
 * as the cold-start measurement does) it does nothing.
 */
export function answerTheBench(ports: Readonly<Record<string, number>>): void {
  if (!process.send) return;
  // Exit normally when the bench stops this process, so `--cpu-prof` and the like can write their files.
  process.once('SIGTERM', () => process.exit(0));
  process.on('message', (message: ToTarget) => {
    if (message.type !== 'cpu') return;
    const usage = process.cpuUsage();
    process.send!({ type: 'cpu', microseconds: usage.user + usage.system } satisfies FromTarget);
  });
  process.send({ type: 'ready', ports } satisfies FromTarget);
}

/** Listens on loopback, on `PORT` when given (cold start) or any free port. */
export function listenOnLoopback(server: Server, port = Number(process.env.PORT ?? 0)): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
