import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the account API answers the next requests. */
export interface AccountApiBehaviour {
  status: number;
  body: unknown;
  /** Delay before answering, to exercise the client's timeout. */
  delayMs?: number;
}

/** A real HTTP account API on loopback whose answers each test sets. */
export class AccountApiServer {
  behaviour: AccountApiBehaviour = { status: 200, body: {} };
  readonly requests: IncomingHttpHeaders[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      const { status, body, delayMs } = this.behaviour;
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }, delayMs ?? 0);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/me`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
