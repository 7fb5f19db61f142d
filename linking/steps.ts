/**
 * One named step of a linking route: it checks one thing or does one thing over the request's flow
 * context, and may add what it learned to it. A refusal is thrown; the route decides how to answer it.
 * A route is an array of steps that reads like the spec, as node-oidc-provider's `lib/actions/token.js`.
 */
export type Step<Flow> = (flow: Flow) => void | Promise<void>;

/** Runs `steps` over `flow` in order; the first to throw ends the run with its error. */
export async function runSteps<Flow>(flow: Flow, steps: readonly Step<Flow>[]): Promise<void> {
  for (const step of steps) await step(flow);
}
