/**
 * The body reader of `POST /alexa` and `POST /oauth/token`: the exact UTF-8 text, a limit counted on
 * what arrives (not only on Content-Length), and a 4xx for what it does not read.
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { readBodyText } from '../../../models/read-body';
import { Cleanup } from '../../support/cleanup';

const LIMIT = 64;
const cleanup = new Cleanup();
let server: Server;
let port: number;
/** What the route saw of the last request (or the error the reader gave). */
let seen: { body?: unknown; error?: { status: number; type: string } } = {};

beforeAll(async () => {
  const app = express();
  app.post('/', readBodyText(LIMIT), (req: Request, res: Response) => {
    seen = { body: req.body };
    res.json({ ok: true });
  });
  app.use((error: { status: number; type: string }, _req: Request, res: Response, _next: NextFunction) => {
    seen = { error: { status: error.status, type: error.type } };
    res.status(error.status).json({ error: error.type });
  });
  server = cleanup.add(createServer(app), (s) => new Promise((resolve) => s.close(resolve)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => cleanup.run());
beforeEach(() => {
  seen = {};
});

/** Sends `chunks` (chunked when there are several and no Content-Length is given) and returns the status. */
function send(chunks: Array<string | Buffer>, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    // The server may answer 413 and stop reading before everything is sent.
    outgoing.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

test('the body is the exact UTF-8 text sent, multi-byte characters split across chunks included', async () => {
  const text = '{"name":"Zoë Kontobrücke ✓"}';
  const bytes = Buffer.from(text, 'utf8');
  // Split inside "ë" so a per-chunk decode would corrupt it.
  const split = bytes.indexOf(Buffer.from('ë', 'utf8')) + 1;
  expect(await send([bytes.subarray(0, split), bytes.subarray(split)])).toBe(200);
  expect(seen.body).toBe(text);
});

test('charset utf-8 and us-ascii are read; no body leaves req.body undefined', async () => {
  expect(await send(['{"a":1}'], { 'content-type': 'application/json; charset=UTF-8' })).toBe(200);
  expect(seen.body).toBe('{"a":1}');
  expect(await send(['a=1'], { 'content-type': 'application/x-www-form-urlencoded;charset="us-ascii"' })).toBe(200);
  expect(seen.body).toBe('a=1');
  expect(await send([], { 'content-length': '0' })).toBe(200);
  expect(seen).toEqual({ body: undefined });
});

test('a declared length over the limit is 413 before anything is read', async () => {
  expect(await send(['x'.repeat(LIMIT + 1)], { 'content-length': String(LIMIT + 1) })).toBe(413);
  expect(seen.error).toEqual({ status: 413, type: 'entity.too.large' });
});

test('a chunked body that grows over the limit is 413, whatever Content-Length would have said', async () => {
  expect(await send(['x'.repeat(40), 'x'.repeat(40)])).toBe(413);
  expect(seen.error).toEqual({ status: 413, type: 'entity.too.large' });
  // Exactly at the limit is read.
  expect(await send(['x'.repeat(32), 'x'.repeat(32)])).toBe(200);
  expect(seen.body).toBe('x'.repeat(LIMIT));
});

test.each([['gzip'], ['deflate'], ['br']])('Content-Encoding %s is 415, not read', async (encoding) => {
  expect(await send(['{}'], { 'content-encoding': encoding })).toBe(415);
  expect(seen.error).toEqual({ status: 415, type: 'encoding.unsupported' });
});

test('a charset other than UTF-8 is 415', async () => {
  expect(await send(['{}'], { 'content-type': 'application/json; charset=iso-8859-1' })).toBe(415);
  expect(seen.error).toEqual({ status: 415, type: 'charset.unsupported' });
});

test('a body cut short by the client is a 400 to the error handler, and the server goes on', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"partial":');
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  for (let waited = 0; !seen.error && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(seen.error).toEqual({ status: 400, type: 'request.aborted' });
  expect(await send(['{"after":true}'])).toBe(200);
  expect(seen.body).toBe('{"after":true}');
});

/** Sends `raw` on one connection and returns the status of every answer that came back on it. */
async function statusesOnOneConnection(raw: string[]): Promise<number[]> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  for (const piece of raw) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (let waited = 0; (received.match(/HTTP\/1\.1 \d+/g) ?? []).length < raw.length && waited < 2000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  socket.destroy();
  return (received.match(/HTTP\/1\.1 (\d+)/g) ?? []).map((line) => Number(line.slice(9)));
}

/** Large enough that the server reads it in many pieces, so stopping after the first would leave the rest unread. */
const LARGE = 400_000;
const chunkedLarge = `${Array.from({ length: 8 }, () => `${(LARGE / 8).toString(16)}\r\n${'x'.repeat(LARGE / 8)}\r\n`).join('')}0\r\n\r\n`;

test.each([
  ['grows over the limit', 'Transfer-Encoding: chunked', chunkedLarge],
  ['declares more than the limit', `Content-Length: ${LARGE}`, 'x'.repeat(LARGE)],
  ['is compressed', `Content-Encoding: gzip\r\nContent-Length: ${LARGE}`, 'x'.repeat(LARGE)],
])('a refused body that %s is read off, so the next request on the same connection is answered', async (_what, header, body) => {
  const statuses = await statusesOnOneConnection([
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${header}\r\n\r\n${body}`,
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}',
  ]);
  expect(statuses).toEqual([header.startsWith('Content-Encoding') ? 415 : 413, 200]);
  expect(seen.body).toBe('{"a":1}');
});
