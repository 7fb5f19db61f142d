/**
 * A server on loopback that takes connections and does not answer: `silent` never writes a byte;
 * `stall-body` sends a 200 with headers and half a body, then nothing. It stands for a peer that hangs
 * (a blackholed route, a stuck load balancer) where a client without deadlines would wait for ever.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface UnansweringServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** How many connections it has taken. */
  connections(): number;
  close(): Promise<void>;
}

export async function startUnansweringServer(mode: 'silent' | 'stall-body'): Promise<UnansweringServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    if (mode === 'stall-body') {
      // Once the request has arrived: a status, headers promising 100 bytes, and 10 of them.
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 100\r\n\r\n{"Item":{"'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => sockets.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
