import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer being trickled. */
export interface Trickle {
  /** Resolves once `bytes` bytes of the body, after its first few, went out. */
  sent(bytes: number): Promise<void>;
  /** Resolves when the connection ends: the client gave up. */
  readonly closed: Promise<void>;
}

/** A server on loopback that answers some paths at once and trickles every other answer forever. */
export interface TrickleServer {
  readonly url: string;
  /** The paths requested, in order. */
  readonly paths: readonly string[];
  /** Resolves once the next trickled answer has sent `bytes` bytes of its body. */
  nextTrickle(bytes: number): Promise<Trickle>;
  close(): Promise<void>;
}

/**
 * Starts a {@link TrickleServer}: `routes` answer their path at once; any other path gets a 200 with JSON
 * headers, the start of a JSON object, then one more byte every few milliseconds until the client hangs
 * up. A test waits for bytes to flow and then fires the client's deadline itself.
 */
export async function startTrickleServer(routes: Readonly<Record<string, (res: ServerResponse) => void>> = {}): Promise<TrickleServer> {
  const paths: string[] = [];
  const waitingForTrickle: Array<(trickle: Trickle) => void> = [];
  const started: Trickle[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    paths.push(path);
    if (Object.hasOwn(routes, path)) {
      routes[path](res);
      return;
    }
    const trickle = trickleForever(res);
    const waiting = waitingForTrickle.shift();
    if (waiting) waiting(trickle);
    else started.push(trickle);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    async nextTrickle(bytes) {
      const trickle = started.shift() ?? (await new Promise<Trickle>((resolve) => waitingForTrickle.push(resolve)));
      await trickle.sent(bytes);
      return trickle;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function trickleForever(res: ServerResponse): Trickle {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"name":"');
  let sent = 0;
  const waiting: Array<{ readonly bytes: number; readonly reached: () => void }> = [];
  const timer = setInterval(() => {
    res.write('a');
    sent += 1;
    for (const waiter of waiting.filter((candidate) => candidate.bytes <= sent)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.reached();
    }
  }, 5);
  const closed = new Promise<void>((resolve) => res.on('close', resolve));
  void closed.then(() => clearInterval(timer));
  return {
    sent: (bytes) => new Promise<void>((reached) => (bytes <= sent ? reached() : waiting.push({ bytes, reached }))),
    closed,
  };
}
