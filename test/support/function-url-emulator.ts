/**
 * A function's URL on a loopback port: each HTTP request becomes a Function URL event in the documented
 * shape (`test/fixtures/aws/function-url-events.ts`), the handler answers, and its response payload goes
 * back as the HTTP response, as Lambda's front end does. A handler that throws is a `502`, as Lambda
 * answers it. Bodies of the types Lambda treats as text arrive as text, every other body as base64.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server';
import type { FunctionUrlResult, LambdaContext } from '../../aws/lambda-events';
import { functionUrlEvent } from '../fixtures/aws/function-url-events';

export type UrlHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)\b)/;

export class FunctionUrlEmulator {
  private server?: Server;
  /** What answers; set after start, since the handler's configuration needs this URL. */
  handler?: UrlHandler;
  baseUrl = '';
  /** Each invocation, resolved when the handler returned (the process could be frozen from then on). */
  readonly invocations: Array<Promise<unknown>> = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.baseUrl = await listenOnLoopback(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, readonly string[]> = {};
    for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;
    const event = functionUrlEvent({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers,
      body: body.length > 0 ? body : undefined,
      base64: !TEXT_TYPES.test(req.headers['content-type'] ?? ''),
      sourceIp: req.socket.remoteAddress,
      domainName: req.headers.host,
    });
    const invocation = this.handler!(event, { getRemainingTimeInMillis: () => 30_000, awsRequestId: event.requestContext.requestId });
    this.invocations.push(invocation.catch(() => undefined));
    let result: FunctionUrlResult;
    try {
      result = (await invocation) as FunctionUrlResult;
    } catch {
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      return;
    }
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    if (result.cookies?.length) res.setHeader('set-cookie', [...result.cookies]);
    res.writeHead(result.statusCode);
    res.end(Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
  }
}
