/**
 * Tests reach nothing but loopback. Every TCP connection in Node, whoever opens it (`fetch` and undici,
 * axios, `node:http`/`https`, `net`, `tls`, database clients), goes through `net.Socket.prototype.connect`,
 * and every name is resolved by `dns.lookup`; both are wrapped here so that anything but a loopback
 * address or `localhost` fails at once with an error naming the host, as it would on a machine with no
 * network. DNS queries (`dns.resolve*`, `dns.Resolver`) have no loopback form and always fail.
 *
 * Code under test may swallow that error (a retry loop, a `catch` that logs), so each attempt is also
 * recorded, and the suite fails in `afterAll` when any test made one. Registered for every suite in
 * `jest.config.js` (`setupFilesAfterEnv`); `test/unit/support/network-guard.test.ts` proves a suite that
 * swallows the failure of `fetch('http://example.com')` still fails.
 *
 * Child processes a test starts (a linkbridge process, a browser) are not covered: they are pointed at
 * loopback by the test that starts them.
 */
import dns from 'node:dns';
import net from 'node:net';

type Connect = typeof net.Socket.prototype.connect;
type AnyFunction = (...args: unknown[]) => unknown;

/** The original functions and the attempts so far, kept on the `net` module: shared by every suite a worker runs. */
interface GuardState {
  readonly connect: Connect;
  readonly lookup: typeof dns.lookup;
  readonly promisesLookup: typeof dns.promises.lookup;
  readonly resolvers: ReadonlyArray<readonly [Record<string, unknown>, string, AnyFunction]>;
  readonly attempts: string[];
}

const STATE = Symbol.for('linkbridge.test.network-guard');

/** The `dns` functions that send a query to a name server. */
const QUERIES = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];

function guardState(): GuardState {
  const holder = net as unknown as { [STATE]?: GuardState };
  holder[STATE] ??= {
    connect: net.Socket.prototype.connect,
    lookup: dns.lookup,
    promisesLookup: dns.promises.lookup,
    resolvers: [dns, dns.Resolver.prototype, dns.promises, dns.promises.Resolver.prototype].flatMap((owner) =>
      QUERIES.filter((name) => typeof (owner as unknown as Record<string, unknown>)[name] === 'function').map(
        (name) => [owner as unknown as Record<string, unknown>, name, (owner as unknown as Record<string, AnyFunction>)[name]] as const,
      ),
    ),
    attempts: [],
  };
  return holder[STATE];
}

/** True for an address or name that stays on this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Where a `connect` call goes, from any of the forms `Socket.prototype.connect` takes. */
function connectTarget(args: unknown[]): { readonly local: boolean; readonly description: string } {
  // `net.connect` and the HTTP agents pass their arguments already normalized, as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return { local: true, description: options.path };
    const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost';
    return { local: isLoopback(host), description: `${host}:${String(options.port)}` };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { local: true, description: first };
  const host = typeof args[1] === 'string' ? args[1] : 'localhost';
  return { local: isLoopback(host), description: `${host}:${String(first)}` };
}

function refusal(what: string, code: string): Error {
  return Object.assign(new Error(`network blocked in tests: ${what} (only loopback addresses and localhost are allowed)`), { code });
}

/** Installs the guard for the suite about to run; returns how to read the attempts made since. */
function install(currentTest: () => string | undefined): () => string[] {
  const state = guardState();
  const record = (what: string) => state.attempts.push(`${what}, in "${currentTest() ?? 'the suite itself'}"`);
  const from = state.attempts.length;

  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const target = connectTarget(args);
    if (target.local) return (state.connect as unknown as AnyFunction).apply(this, args);
    record(`connect to ${target.description}`);
    // As a refused connection shows itself: an error on the socket, after the caller attached its listeners.
    process.nextTick(() => this.destroy(refusal(`connect to ${target.description}`, 'ENETUNREACH')));
    return this;
  } as Connect;

  const guardedLookup = function guardedLookup(this: unknown, hostname: string, ...rest: unknown[]) {
    if (isLoopback(String(hostname))) return (state.lookup as unknown as AnyFunction).call(this, hostname, ...rest);
    record(`DNS lookup of ${hostname}`);
    const callback = rest[rest.length - 1] as (error: Error) => void;
    process.nextTick(() => callback(refusal(`DNS lookup of ${hostname}`, 'ENOTFOUND')));
    return {};
  };
  // `util.promisify(dns.lookup)` resolves to `{ address, family }` by the original's own marker.
  for (const symbol of Object.getOwnPropertySymbols(state.lookup)) {
    Object.defineProperty(guardedLookup, symbol, Object.getOwnPropertyDescriptor(state.lookup, symbol)!);
  }
  dns.lookup = guardedLookup as unknown as typeof dns.lookup;
  dns.promises.lookup = async function guardedPromisesLookup(hostname: string, ...rest: unknown[]) {
    if (isLoopback(String(hostname))) return (state.promisesLookup as unknown as AnyFunction).call(dns.promises, hostname, ...rest);
    record(`DNS lookup of ${hostname}`);
    throw refusal(`DNS lookup of ${hostname}`, 'ENOTFOUND');
  } as typeof dns.promises.lookup;

  for (const [owner, name] of state.resolvers) {
    const promised = owner === (dns.promises as unknown) || owner === (dns.promises.Resolver.prototype as unknown);
    owner[name] = function guardedQuery(...args: unknown[]) {
      const what = `DNS query ${name}(${String(args[0])})`;
      record(what);
      if (promised) return Promise.reject(refusal(what, 'ECONNREFUSED'));
      const callback = args[args.length - 1];
      if (typeof callback === 'function') process.nextTick(() => (callback as (error: Error) => void)(refusal(what, 'ECONNREFUSED')));
      return undefined;
    };
  }
  return () => state.attempts.slice(from);
}

const attemptsSinceStart = install(() => expect.getState().currentTestName);

afterAll(() => {
  const attempts = attemptsSinceStart();
  if (attempts.length > 0) {
    throw new Error(`this suite reached the network outside loopback (tests may only use loopback addresses):\n  ${attempts.join('\n  ')}`);
  }
});
