/**
 * The two kinds of event the function receives, as AWS and Alexa document them, and how to tell them apart.
 * Only the fields linkbridge reads are typed; everything else passes through untouched.
 */

/**
 * A request through the function's URL: the API Gateway HTTP API payload format 2.0. The body is text, or
 * base64 when `isBase64Encoded`; `cookies` holds the request's cookies (Lambda takes them out of `headers`);
 * a header sent several times arrives once, its values joined by commas.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly requestContext: {
    /** `<url-id>.lambda-url.<region>.on.aws` */
    readonly domainName: string;
    readonly requestId: string;
    readonly http: { readonly method: string; readonly path: string; readonly protocol: string; readonly sourceIp: string; readonly userAgent?: string };
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/**
 * What the function answers a Function URL request with: the response payload format. Set-Cookie headers
 * go in `cookies`; a base64 body is decoded by Lambda before it is sent.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload
 */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/**
 * The parts of Lambda's context object the handler uses.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export interface LambdaContext {
  /** Milliseconds left before the invocation times out. */
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** A Function URL event: version 2.0 with the HTTP request's method and path. */
export function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
  if (!isObject(event) || event.version !== '2.0' || typeof event.rawPath !== 'string') return false;
  const context = event.requestContext;
  return isObject(context) && isObject(context.http) && typeof context.http.method === 'string';
}

/**
 * A direct invocation by Alexa (the Alexa Skills Kit trigger): the request envelope itself is the event, as
 * `POST /alexa` would receive it in its body. Recognised by the envelope's `request.type`, which no Function
 * URL event has; whether it is a well-formed envelope for this skill is the skill's own check.
 * @see https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-an-aws-lambda-function.html
 * @see https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html
 */
export function isAlexaInvocation(event: unknown): boolean {
  return isObject(event) && isObject(event.request) && typeof event.request.type === 'string' && !('requestContext' in event);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
