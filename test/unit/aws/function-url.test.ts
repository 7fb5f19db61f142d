/**
 * A Function URL event reaches the app as the same request would reach it over HTTP: method, raw path and
 * query, headers, cookies, the body's exact bytes (base64 too) and the caller's address; the app's answer
 * goes back as the documented response payload.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import { createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionUrlAdapter } from '../../../aws/function-url';
import type { FunctionUrlEvent } from '../../../aws/lambda-events';
import { DOCUMENTED_REQUEST_EVENT, functionUrlEvent } from '../../fixtures/aws/function-url-events';
import { lambdaContext } from '../../support/lambda-function';

/** What a server sees of a request. */
interface Seen {
  /** What the request carried as `req.body` before anything read it (a server's request: nothing). */
  preread: unknown;
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  remoteAddress?: string;
}

/** Records the request it gets and answers with `answer`. */
function recorder(answer: (res: ServerResponse) => void = (res) => res.end('ok')): { listener: RequestListener; seen: Seen[] } {
  const seen: Seen[] = [];
  const listener: RequestListener = (req: IncomingMessage, res) => {
    const preread = (req as { body?: unknown }).body;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // serverless-http may emit 'end' twice for a request without a body; the first counts.
    req.once('end', () => {
      seen.push({ preread, method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString('hex'), remoteAddress: req.socket.remoteAddress });
      answer(res);
    });
  };
  return { listener, seen };
}

/** The same request over real HTTP on loopback, as a server behind its own socket sees it. */
async function overHttp(listener: RequestListener, method: string, target: string, headers: Record<string, string>, body: Buffer): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method, path: target, headers, agent: false }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test("AWS's documented request event reaches the app as that request: path and query raw, cookies in one Cookie header, headers and body as sent", async () => {
  const { listener, seen } = recorder();
  await functionUrlAdapter(listener)(DOCUMENTED_REQUEST_EVENT as unknown as FunctionUrlEvent, lambdaContext());
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({
    method: 'POST',
    url: '/my/path?parameter1=value1&parameter1=value2&parameter2=value',
    body: Buffer.from('Hello from client!').toString('hex'),
    remoteAddress: '123.123.123.123',
  });
  expect(seen[0]!.headers).toMatchObject({ cookie: 'cookie1; cookie2', header1: 'value1', header2: 'value1,value2' });
  // The adapter adds no request id of its own: the app makes one.
  expect(seen[0]!.headers['x-request-id']).toBeUndefined();
});

test('a form body sent base64, with cookies and an encoded query, is seen exactly as a server sees the same request over HTTP', async () => {
  const body = Buffer.from('grant_type=refresh_token&refresh_token=r%2Bt%3D%3D&x=%C3%A9', 'utf8');
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from('alexa-skill:secret').toString('base64')}`,
    'user-agent': 'Apache-HttpClient/UNAVAILABLE (Java/1.8.0_412)',
    cookie: 'a=1; b=two%20words',
    host: 'abc.lambda-url.us-east-1.on.aws',
    'content-length': String(body.length),
  };
  const target = '/oauth/token?q=%2Fa%20b&q=c';

  const viaHttp = recorder();
  await overHttp(viaHttp.listener, 'POST', target, headers, body);
  const viaLambda = recorder();
  await functionUrlAdapter(viaLambda.listener)(functionUrlEvent({ method: 'POST', target, headers, body, base64: true }), lambdaContext());

  const [http, lambda] = [viaHttp.seen[0]!, viaLambda.seen[0]!];
  // Unread, as from a socket: a route that reads the raw body (POST /alexa) finds no parsed body before it.
  expect(lambda.preread).toBeUndefined();
  expect(lambda.preread).toBe(http.preread);
  expect(lambda.method).toBe(http.method);
  expect(lambda.url).toBe(http.url);
  expect(lambda.body).toBe(http.body);
  for (const name of Object.keys(headers)) expect([name, lambda.headers[name]]).toEqual([name, http.headers[name]]);
});

test('bytes that are not UTF-8 arrive intact, both ways: the answer body goes back base64, its cookies in `cookies`', async () => {
  const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a]);
  const { listener, seen } = recorder((res) => {
    res.statusCode = 201;
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('set-cookie', ['one=1; Path=/; HttpOnly', 'two=2; Secure']);
    res.setHeader('cache-control', 'no-store');
    res.end(bytes);
  });
  const result = await functionUrlAdapter(listener)(
    functionUrlEvent({ method: 'PUT', target: '/upload', headers: { 'content-type': 'application/octet-stream' }, body: bytes, base64: true }),
    lambdaContext(),
  );
  expect(seen[0]!.body).toBe(bytes.toString('hex'));
  expect(result.statusCode).toBe(201);
  expect(result.isBase64Encoded).toBe(true);
  expect(Buffer.from(result.body, 'base64')).toEqual(bytes);
  expect(result.cookies).toEqual(['one=1; Path=/; HttpOnly', 'two=2; Secure']);
  expect(result.headers['cache-control']).toBe('no-store');
  expect(Object.keys(result.headers).map((name) => name.toLowerCase())).not.toContain('set-cookie');
});

test("the caller's event is left as it was", async () => {
  const event = functionUrlEvent({ method: 'GET', target: '/healthz' });
  const copy = structuredClone(event);
  await functionUrlAdapter(recorder().listener)(event, lambdaContext());
  expect(event).toEqual(copy);
});
