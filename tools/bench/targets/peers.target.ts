/**
 * The outside parties, on loopback: the file server standing in for s3.amazonaws.com/echo.api/
 * (serving the bench's test certificate chain), the account API the skill calls with a linked
 * token, and the OAuth provider's token endpoint (a fresh access and refresh token per request).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerTheBench, listenOnLoopback } from './child-process';

const chainPem = process.env.BENCH_CERTIFICATE_CHAIN ?? '';

const certificates = createServer((req, res) => {
  if (req.url?.startsWith('/echo.api/')) res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(chainPem);
  else res.writeHead(404).end();
});

const PROFILE = JSON.stringify({ sub: 'bench-user', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' });
const accountApi = createServer((req, res) => {
  if (!req.headers.authorization?.startsWith('Bearer ')) res.writeHead(401).end();
  else res.writeHead(200, { 'content-type': 'application/json' }).end(PROFILE);
});

const provider = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({
      access_token: randomBytes(24).toString('base64url'),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: randomBytes(24).toString('base64url'),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  });
});

void Promise.all([listenOnLoopback(certificates, 0), listenOnLoopback(accountApi, 0), listenOnLoopback(provider, 0)]).then(([certificatePort, accountApiPort, providerPort]) =>
  answerTheBench({ certificates: certificatePort, accountApi: accountApiPort, provider: providerPort }),
);
