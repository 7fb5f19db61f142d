import type { RequestListener } from 'node:http';
import serverless from 'serverless-http';
import type { FunctionUrlEvent, FunctionUrlResult, LambdaContext } from './lambda-events';

/** Serves one Function URL event with a request listener (the Express app) and gives back its answer. */
export type FunctionUrlAdapter = (event: FunctionUrlEvent, context: LambdaContext) => Promise<FunctionUrlResult>;

/** The body stays in the request stream only, where a server's request has it. */
function unread(request: object): void {
  delete (request as { body?: unknown }).body;
}

/**
 * The Express app behind the function's URL, through serverless-http: the request reaches the app as the
 * server would see it (method, raw path and query, headers, the cookies joined back into one `Cookie`
 * header, the body's exact bytes, a base64 one decoded, the caller's address), and the app's answer goes
 * back as the response payload. Three of serverless-http's own habits are turned off: it hands the app the
 * body already read, as `req.body` (routes that read the raw body, as `POST /alexa` must for the signature
 * check, take that for a body parser that ran before them: the request reaches the app unread, as from a
 * socket); it would add an `x-request-id` request header (the app makes its own request ids); and it would
 * guess from the content type whether a body is text (every answer body is sent base64 instead, so its
 * bytes arrive as the app wrote them whatever they are).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 * @see https://github.com/dougmoscrop/serverless-http
 */
export function functionUrlAdapter(app: RequestListener): FunctionUrlAdapter {
  const handle = serverless(app, { requestId: '', binary: true, request: unread });
  return async (event, context) => {
    // serverless-http writes defaults into the event it is given; the caller's event stays as it was.
    const result = (await handle(structuredClone(event), context)) as FunctionUrlResult;
    return { statusCode: result.statusCode, headers: result.headers, cookies: result.cookies ?? [], body: result.body, isBase64Encoded: result.isBase64Encoded };
  };
}
