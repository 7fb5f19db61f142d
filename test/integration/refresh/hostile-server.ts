/**
 * An HTTP server on loopback that answers badly on purpose: stalls in the middle of the body, sends far
 * too much, or sends a small compressed body that inflates to far too much.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/** 16 MiB of zeros: a few kilobytes compressed, far past any answer limit inflated. */
const INFLATED_BYTES = 16 * 1024 * 1024;
const bombs = {
  gzip: gzipSync(Buffer.alloc(INFLATED_BYTES), { level: 9 }),
  deflate: deflateSync(Buffer.alloc(INFLATED_BYTES), { level: 9 }),
  br: brotliCompressSync(Buffer.alloc(INFLATED_BYTES)),
};

export interface HostileServer {
  readonly url: string;
  /** Compressed size of each bomb, to show it is small on the wire. */
  readonly bombSizes: Readonly<Record<keyof typeof bombs, number>>;
  close(): Promise<void>;
}

/**
 * Paths: `/stall` (headers and half a JSON body, then nothing), `/huge` (1 MiB JSON with a length),
 * `/huge-chunked` (the same without a length), `/bomb/gzip|deflate|br`, `/ok` (a small token answer).
 */
export async function startHostileServer(): Promise<HostileServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // The request body is read first, as a real provider would.
    req.resume();
    req.on('end', () => {
      if (path === '/stall' || path === '/token/stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"access_token":"stalled-access-token","token_type":"Bearer","expires_in":');
        return; // never ends
      }
      if (path === '/huge' || path === '/token/huge') {
        const body = JSON.stringify({ access_token: 'x'.repeat(1024 * 1024), token_type: 'Bearer' });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      if (path === '/huge-chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'x'.repeat(1024 * 1024), token_type: 'Bearer' }));
        return;
      }
      const bomb = /^\/(?:token\/)?bomb\/(gzip|deflate|br)$/.exec(path)?.[1] as keyof typeof bombs | undefined;
      if (bomb) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': bomb, 'content-length': bombs[bomb].length }).end(bombs[bomb]);
        return;
      }
      if (path === '/ok' || path === '/token/ok') {
        const body = gzipSync(JSON.stringify({ access_token: 'fine-access-token', token_type: 'Bearer', expires_in: 3600, name: 'Ada' }));
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(body);
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bombSizes: { gzip: bombs.gzip.length, deflate: bombs.deflate.length, br: bombs.br.length },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
