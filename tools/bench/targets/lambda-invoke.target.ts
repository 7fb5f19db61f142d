/**
 * Plays Lambda's Node.js runtime for one handler, in a fresh process: imports the handler file, invokes it once
 * with the event (the cold start ends when the bench hears of that answer), then invokes it `warm` more times
 * in a row and reports the process's CPU time per warm invocation. Callback-style handlers (the ASK SDK's
 * `.lambda()`) and async ones alike.
 *
 *   node lambda-invoke.target.js <handler file> <event JSON> <warm invocations>
 */
import { pathToFileURL } from 'node:url';
import type { FromLambdaInvoke } from './child-process';

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => Promise<unknown> | void;

const [file, eventJson, warm] = process.argv.slice(2);
const event: unknown = JSON.parse(eventJson!);
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: true };
let handler: Handler;

function invoke(): Promise<unknown> {
  if (handler.length >= 3) return new Promise((resolve, reject) => void handler(event, context, (error, result) => (error ? reject(error) : resolve(result))));
  return Promise.resolve(handler(event, context));
}

const send = (message: FromLambdaInvoke) => process.send!(message);

void (async () => {
  // Loaded as Lambda loads it: an ES module (.mjs) by import, a CommonJS file either way.
  ({ handler } = (await import(pathToFileURL(file!).href)) as { handler: Handler });
  const first = (await invoke()) as { response?: unknown } | undefined;
  send({ type: 'answered', answered: first?.response !== undefined });
  const count = Number(warm);
  // Warm-up, then the measured run: the JIT has seen the path before it is timed.
  for (let i = 0; i < Math.min(200, count); i += 1) await invoke();
  const before = process.cpuUsage();
  for (let i = 0; i < count; i += 1) await invoke();
  const used = process.cpuUsage(before);
  send({ type: 'warm', microseconds: (used.user + used.system) / count });
})().catch((error: unknown) => {
  process.stderr.write(`lambda-invoke: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
