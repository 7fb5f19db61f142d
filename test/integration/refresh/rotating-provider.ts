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
  /** The user the grant is for (the token answer's `openid` when `identityField` is set). */
  readonly user: string;
}

/** How a {@link RotatingProvider} behaves beyond rotating: its clock and access-token lifetime, and what it adds to its answers. */
export interface RotatingProviderOptions {
  /** The provider's time (ms since the epoch), for access-token expiry at `/me`; `Date.now` when absent. */
  readonly now?: () => number;
  /** `expires_in` of its access tokens; 3600 when absent. */
  readonly accessTokenSeconds?: number;
  /** A field naming the user in every token answer (WeChat's `openid`); none when absent. */
  readonly identityField?: string;
}

/** A hook the token endpoint runs for one request, given its grant type. */
export type TokenHook = (grantType: string) => Promise<void> | void;

export class RotatingProvider {
  private server?: Server;
  private readonly grants = new Map<string, Grant>();
  /** refresh token → grant id, for current and rotated tokens alike. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly codes = new Map<string, { grantId?: string; used: boolean }>();
  private readonly accessTokens = new Map<string, { grantId: string; expiresAt: number }>();
  /** Every code, token and secret this provider issued or knows, for scans of what linkbridge stores. */
  readonly secrets = new Set<string>();

  baseUrl = '';
  /** Token requests received, by grant type (including those that failed before processing). */
  readonly calls = { authorization_code: 0, refresh_token: 0 };
  /** Grants revoked because a rotated refresh token or a used code came back. */
  revocations = 0;
  /** RFC 7009 revocation requests received at `/revoke`, with the hint each carried. */
  readonly revocationRequests: Array<{ readonly tokenTypeHint: string | null; readonly known: boolean }> = [];
  /** Requests to the account API at `/me`, each with its query (the `openid` a WeChat-style call carries). */
  readonly accountCalls: Array<{ readonly query: string; readonly status: number }> = [];
  /** Runs before the request is processed: throw `ProviderOutage` to answer 503 without processing. */
  beforeProcessing: TokenHook = () => undefined;
  /** Runs after the tokens were rotated and before the answer is sent (a slow provider). */
  beforeAnswering: TokenHook = () => undefined;

  private readonly now: () => number;
  private readonly accessTokenSeconds: number;

  constructor(
    readonly client: ProviderClient = { clientId: 'linkbridge-client', clientSecret: 'upstream-secret-value' },
    private readonly options: RotatingProviderOptions = {},
  ) {
    this.secrets.add(client.clientSecret);
    this.now = options.now ?? Date.now;
    this.accessTokenSeconds = options.accessTokenSeconds ?? 3600;
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

  /** Whether `accessToken` was issued, has not expired and its grant is not revoked. */
  accessTokenValid(accessToken: string): boolean {
    const issued = this.accessTokens.get(accessToken);
    return issued !== undefined && issued.expiresAt > this.now() && this.grants.get(issued.grantId)?.revoked === false;
  }

  /** Revokes every grant, as a user removing the app's access at the provider would. */
  revokeAll(): void {
    for (const grant of this.grants.values()) this.revoke(grant.id);
  }

  /** How many grants are still alive. */
  get liveGrants(): number {
    return [...this.grants.values()].filter((grant) => !grant.revoked).length;
  }

  /** Issues a grant directly, as if a user had linked: returns its first pair. */
  issueGrant(): { accessToken: string; refreshToken: string } {
    const grant: Grant = { id: token('grant'), revoked: false, current: '', user: token('user') };
    this.grants.set(grant.id, grant);
    return this.rotate(grant);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    try {
      if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url, res);
      if (req.method === 'POST' && url.pathname === '/token') return await this.token(req, res);
      if (req.method === 'POST' && url.pathname === '/revoke') return await this.revocation(req, res);
      if (req.method === 'GET' && url.pathname === '/me') return this.me(req, url, res);
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
    let grantUser = '';
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code) return send(res, 400, { error: 'invalid_grant' });
      if (code.used) {
        this.revoke(code.grantId);
        return send(res, 400, { error: 'invalid_grant', error_description: 'code replayed; grant revoked' });
      }
      code.used = true;
      const grant: Grant = { id: token('grant'), revoked: false, current: '', user: token('user') };
      this.grants.set(grant.id, grant);
      code.grantId = grant.id;
      pair = this.rotate(grant);
      grantUser = grant.user;
    } else if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.grants.get(this.refreshTokens.get(presented) ?? '');
      if (!grant || grant.revoked) return send(res, 400, { error: 'invalid_grant', error_description: 'unknown or revoked refresh token' });
      if (grant.current !== presented) {
        this.revoke(grant.id);
        return send(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused; grant revoked' });
      }
      pair = this.rotate(grant);
      grantUser = grant.user;
    } else {
      return send(res, 400, { error: 'unsupported_grant_type' });
    }
    await this.beforeAnswering(grantType);
    const identity = this.options.identityField ? { [this.options.identityField]: grantUser } : {};
    send(res, 200, { access_token: pair.accessToken, token_type: 'Bearer', expires_in: this.accessTokenSeconds, refresh_token: pair.refreshToken, ...identity });
  }

  /** RFC 7009: revokes the grant of a refresh or access token; 200 whatever the token (§2.2). */
  private async revocation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (!this.authenticated(req, form)) return send(res, 401, { error: 'invalid_client' });
    const presented = form.get('token') ?? '';
    const grantId = this.refreshTokens.get(presented) ?? this.accessTokens.get(presented)?.grantId;
    this.revocationRequests.push({ tokenTypeHint: form.get('token_type_hint'), known: grantId !== undefined });
    if (grantId !== undefined) this.revoke(grantId);
    res.writeHead(200).end();
  }

  /** The account API: the user of a valid access token; with `identityField`, only when the query names that user too. */
  private me(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const issued = this.accessTokens.get(presented);
    const grant = issued && this.accessTokenValid(presented) ? this.grants.get(issued.grantId) : undefined;
    const field = this.options.identityField;
    const status = !grant ? 401 : field && url.searchParams.get(field) !== grant.user ? 400 : 200;
    this.accountCalls.push({ query: url.search, status });
    if (!grant) return send(res, 401, { error: 'invalid_token' });
    if (status === 400) return send(res, 400, { errcode: 40003, errmsg: `invalid ${field}` });
    send(res, 200, { sub: grant.user, name: 'Ada Lovelace', email: 'ada@example.com' });
  }

  /** The user a token answer names (`identityField`), for the grant of `refreshToken`. */
  userOf(refreshToken: string): string | undefined {
    const grantId = this.refreshTokens.get(refreshToken);
    return grantId === undefined ? undefined : this.grants.get(grantId)?.user;
  }

  private rotate(grant: Grant): { accessToken: string; refreshToken: string } {
    const accessToken = token('at');
    const refreshToken = token('rt');
    grant.current = refreshToken;
    this.refreshTokens.set(refreshToken, grant.id);
    this.accessTokens.set(accessToken, { grantId: grant.id, expiresAt: this.now() + this.accessTokenSeconds * 1000 });
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
