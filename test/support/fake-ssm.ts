/**
 * A stand-in for AWS Systems Manager Parameter Store on a loopback port, enough for `GetParameters` as AWS
 * documents it: an AWS JSON 1.1 request (`POST /`, `X-Amz-Target: AmazonSSM.GetParameters`,
 * `Content-Type: application/x-amz-json-1.1`, body `{"Names": [...], "WithDecryption": true}`) answered with
 * `{"Parameters": [{Name, Type, Value, Version, LastModifiedDate, ARN, DataType}], "InvalidParameters": [...]}`;
 * names that do not exist come back in `InvalidParameters`, not as an error. An error is HTTP 400 with
 * `{"__type": "<code>", "message": "…"}`.
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server';
import { SSMClient } from '@aws-sdk/client-ssm';
import { withoutNodeVersionNotice } from '../../models/aws-sdk-notice';

/** One request the fake received, as it arrived. */
export interface ParameterRequest {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  /** The SigV4 `Authorization` header's scheme and credential scope (never the signature). */
  readonly authorization: string | undefined;
  readonly names: readonly string[];
  readonly withDecryption: boolean;
}

export class FakeParameterStore {
  private server?: Server;
  private readonly parameters = new Map<string, { value: string; type: 'String' | 'SecureString' }>();
  readonly requests: ParameterRequest[] = [];
  /** `hang`: never answer; an error code: answer every request with that AWS error. */
  mode: 'answer' | 'hang' | { readonly error: string; readonly status: number } = 'answer';
  endpoint = '';

  /** Adds a parameter, a SecureString unless said otherwise. */
  set(name: string, value: string, type: 'String' | 'SecureString' = 'SecureString'): this {
    this.parameters.set(name, { value, type });
    return this;
  }

  /** An SDK client of this fake (the caller destroys it), signing with made-up credentials. */
  client(region = 'us-east-1', accessKeyId = 'test'): SSMClient {
    return withoutNodeVersionNotice(() => new SSMClient({ region, endpoint: this.endpoint, credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 }));
  }

  delete(name: string): this {
    this.parameters.delete(name);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.endpoint = await listenOnLoopback(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Names?: string[]; WithDecryption?: boolean };
    const authorization = req.headers.authorization?.replace(/Signature=[0-9a-f]+/, 'Signature=…');
    this.requests.push({
      target: header(req, 'x-amz-target'),
      contentType: header(req, 'content-type'),
      authorization,
      names: body.Names ?? [],
      withDecryption: body.WithDecryption === true,
    });
    if (this.mode === 'hang') return;
    if (typeof this.mode === 'object') return answer(res, this.mode.status, { __type: this.mode.error, message: `${this.mode.error} (fake Parameter Store)` });
    if (header(req, 'x-amz-target') !== 'AmazonSSM.GetParameters') return answer(res, 400, { __type: 'UnknownOperationException', message: 'only GetParameters' });
    const names = body.Names ?? [];
    const found = names.filter((name) => this.parameters.has(name));
    answer(res, 200, {
      // The service lists parameters in alphabetical order, whatever the order asked.
      Parameters: [...found].sort().map((name, index) => {
        const { value, type } = this.parameters.get(name)!;
        return {
          Name: name,
          Type: type,
          Value: type === 'SecureString' && body.WithDecryption !== true ? Buffer.from(`encrypted:${name}`).toString('base64') : value,
          Version: 1 + index,
          LastModifiedDate: 1_764_979_200,
          ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
          DataType: 'text',
        };
      }),
      InvalidParameters: names.filter((name) => !this.parameters.has(name)),
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-request-id' });
  res.end(JSON.stringify(body));
}
