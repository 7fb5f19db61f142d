/**
 * A small, strict OAuth 2.0 provider for the refresh tests: it rotates refresh tokens on every use and,
 * like Auth0 with rotation or node-oidc-provider, treats the reuse of a rotated token (or of a code) as
 * a replay and revokes the whole grant. Hooks let a test make it slow, fail before processing, or hold
 * its answer after it already rotated.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh token rotation, reuse detection)
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Grant {
  readonly id: string;
  revoked: boolean;
  /** The one refresh token that may be used next. */
  current: string;
}

/** A hook the token endpoint runs for one request, given its grant type. */
export type TokenHook = (grantType: string) => Promise<void> | void;

export class RotatingProvider {
  private server?: Server;
  private readonly grants = new Map<string, Grant>();
  /** refresh token → grant id, for current and rotated tokens alike. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly codes = new Map<string, { grantId?: string; used: boolean }>();
  private readonly accessTokens = new Map<string, string>();
  /** Every code, token and secret this provider issued or knows, for scans of what linkbridge stores. */
  readonly secrets = new Set<string>();

  baseUrl = '';
  /** Token requests received, by grant type (including those that failed before processing). */
  readonly calls = { authorization_code: 0, refresh_token: 0 };
  /** Grants revoked because a rotated refresh token or a used code came back. */
  revocations = 0;
  /** Runs before the request is processed: throw `ProviderOutage` to answer 503 without processing. */
  beforeProcessing: TokenHook = () => undefined;
  /** Runs after the tokens were rotated and before the answer is sent (a slow provider). */
  beforeAnswering: TokenHook = () => undefined;

  constructor(readonly client: ProviderClient = { clientId: 'linkbridge-client', clientSecret: 'upstream-secret-value' }) {
    this.secrets.add(client.clientSecret);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** Whether the grant this refresh token belongs to is still alive (not revoked by a replay). */
  grantIntact(refreshToken: string): boolean {
    const grantId = this.refreshTokens.get(refreshToken);
    return grantId !== undefined && this.grants.get(grantId)?.revoked === false;
  }

  /** The refresh token the provider will accept next for the grant of `refreshToken`. */
  currentRefreshToken(refreshToken: string): string | undefined {
    const grantId = this.refreshTokens.get(refreshToken);
    return grantId === undefined ? undefined : this.grants.get(grantId)?.current;
  }

  /** Whether `accessToken` was issued and its grant not revoked. */
  accessTokenValid(accessToken: string): boolean {
    const grantId = this.accessTokens.get(accessToken);
    return grantId !== undefined && this.grants.get(grantId)?.revoked === false;
  }

  /** Issues a grant directly, as if a user had linked: returns its first pair. */
  issueGrant(): { accessToken: string; refreshToken: string } {
    const grant: Grant = { id: token('grant'), revoked: false, current: '' };
    this.grants.set(grant.id, grant);
    return this.rotate(grant);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    try {
      if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url, res);
      if (req.method === 'POST' && url.pathname === '/token') return await this.token(req, res);
      send(res, 404, { error: 'not_found' });
    } catch (error) {
      // An outage as load balancers answer it: a 503 page, not an OAuth error body.
      if (error instanceof ProviderOutage) res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>503 Service Unavailable</body></html>');
      else if (!res.headersSent) send(res, 500, { error: 'server_error' });
    }
  }

  /** Signs the user in at once and sends them back with a code. */
  private authorize(url: URL, res: ServerResponse): void {
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== this.client.clientId || !redirectUri) return send(res, 400, { error: 'invalid_request' });
    const code = token('code');
    this.codes.set(code, { used: false });
    this.secrets.add(code);
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.toString() }).end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get('grant_type') ?? '';
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.calls[grantType] += 1;
    if (!this.authenticated(req, form)) return send(res, 401, { error: 'invalid_client' });
    await this.beforeProcessing(grantType);

    let pair: { accessToken: string; refreshToken: string };
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code) return send(res, 400, { error: 'invalid_grant' });
      if (code.used) {
        this.revoke(code.grantId);
        return send(res, 400, { error: 'invalid_grant', error_description: 'code replayed; grant revoked' });
      }
      code.used = true;
      const grant: Grant = { id: token('grant'), revoked: false, current: '' };
      this.grants.set(grant.id, grant);
      code.grantId = grant.id;
      pair = this.rotate(grant);
    } else if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.grants.get(this.refreshTokens.get(presented) ?? '');
      if (!grant || grant.revoked) return send(res, 400, { error: 'invalid_grant', error_description: 'unknown or revoked refresh token' });
      if (grant.current !== presented) {
        this.revoke(grant.id);
        return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused; grant revoked' });
      }
      pair = this.rotate(grant);
    } else {
      return send(res, 400, { error: 'unsupported_grant_type' });
    }
    await this.beforeAnswering(grantType);
    send(res, 200, { access_token: pair.accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: pair.refreshToken });
  }

  private rotate(grant: Grant): { accessToken: string; refreshToken: string } {
    const accessToken = token('at');
    const refreshToken = token('rt');
    grant.current = refreshToken;
    this.refreshTokens.set(refreshToken, grant.id);
    this.accessTokens.set(accessToken, grant.id);
    this.secrets.add(accessToken);
    this.secrets.add(refreshToken);
    return { accessToken, refreshToken };
  }

  private revoke(grantId: string | undefined): void {
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    if (grant && !grant.revoked) {
      grant.revoked = true;
      this.revocations += 1;
    }
  }

  private authenticated(req: IncomingMessage, form: URLSearchParams): boolean {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return id === this.client.clientId && secret === this.client.clientSecret;
    }
    return form.get('client_id') === this.client.clientId && form.get('client_secret') === this.client.clientSecret;
  }
}

/** Thrown by a `beforeProcessing` hook: the provider answers 503 and processes nothing. */
export class ProviderOutage extends Error {}

/** A promise a test resolves when it wants the provider to go on. */
export class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  /** Resolves when something reached the gate. */
  readonly reached: Promise<void>;
  private arrive!: () => void;

  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.arrive = resolve));
  }

  /** For a hook: marks arrival and waits until the test opens the gate. */
  pass = (): Promise<void> => {
    this.arrive();
    return this.opened;
  };
}

function token(prefix: string): string {
  return `${prefix}-${randomBytes(24).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
