import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClock } from '../test-app';

/**
 * The pieces every provider replica shares: a loopback HTTP server, one registered client, a user who
 * consents or refuses, codes that are single use and bound to the redirect URI and PKCE challenge, and
 * refresh tokens that may rotate. Each provider's replica (`<provider>.replica.ts`) speaks that
 * provider's documented wire format on top of these, in its own parameter names and error shapes.
 */

/** The client linkbridge is registered as at the provider. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The one redirect URI registered (linkbridge's `/oauth/callback`). */
  readonly redirectUri: string;
}

/** One request the replica received, for tests to inspect. */
export interface ReplicaCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: URLSearchParams;
}

/** A code the replica issued at its authorization endpoint. */
export interface IssuedCode {
  readonly redirectUri: string;
  readonly scope: string;
  readonly codeChallenge?: string;
  /** When it dies, by the replica's clock (milliseconds). */
  readonly expiresAt: number;
  used: boolean;
}

/** What a replica is told about its provider. */
export interface ReplicaOptions {
  /** How long the provider's codes live, as its documentation says. */
  readonly codeLifetimeSeconds: number;
}

/** A grant's tokens, as the replica keeps them. */
export interface Grant {
  readonly scope: string;
  readonly userId: string;
  refreshToken?: string;
}

/** What a route answers. */
export interface ReplicaAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type Route = (call: ReplicaCall) => ReplicaAnswer | Promise<ReplicaAnswer>;

/** State and helpers shared by a replica's routes. */
export class ReplicaState {
  readonly calls: ReplicaCall[] = [];
  readonly codes = new Map<string, IssuedCode>();
  /** Refresh token → grant; a rotated token is removed (single use). */
  readonly refreshTokens = new Map<string, Grant>();
  readonly accessTokens = new Map<string, Grant>();
  /** What the user does at the consent screen. */
  decision: 'allow' | 'deny' = 'allow';
  /** The next token call fails with this answer (a provider outage), then the replica recovers. */
  failNext?: ReplicaAnswer;
  origin = '';
  /** The replica's time: codes expire and tokens are dated by it, and tests move it (never the calendar). */
  readonly clock = new TestClock();

  constructor(
    readonly client: RegisteredClient,
    /** Each replica passes its provider's documented lifetime; the default is RFC 6749 §4.1.2's ten-minute maximum. */
    readonly options: ReplicaOptions = { codeLifetimeSeconds: 600 },
  ) {}

  issueCode(code: Omit<IssuedCode, 'used' | 'expiresAt'>): string {
    const value = token('code');
    this.codes.set(value, { ...code, expiresAt: this.clock.now() + this.options.codeLifetimeSeconds * 1000, used: false });
    return value;
  }

  /** What became of a code: never issued, already redeemed, past its lifetime, or still good. */
  codeStatus(value: string | undefined): 'unknown' | 'used' | 'expired' | 'live' {
    const code = value === undefined ? undefined : this.codes.get(value);
    if (!code) return 'unknown';
    if (code.used) return 'used';
    return this.clock.now() >= code.expiresAt ? 'expired' : 'live';
  }

  /**
   * The first parameter the call carries twice, in its query or its form body. RFC 6749 §3.1 and §3.2:
   * "Request and response parameters MUST NOT be included more than once"; oidc-provider refuses them
   * (`'code' parameter must not be provided twice`), and so does every replica, in its provider's shape.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
   */
  repeatedParameter(call: ReplicaCall): string | undefined {
    for (const params of [call.query, call.body]) {
      const names = [...params.keys()];
      const repeated = names.find((name, index) => names.indexOf(name) !== index);
      if (repeated !== undefined) return repeated;
    }
    return undefined;
  }

  /** Marks every issued code as redeemed, as if each had been exchanged already (or had expired). */
  burnIssuedCodes(): void {
    for (const code of this.codes.values()) code.used = true;
  }

  /** Redeems a code once; `undefined` when unknown, already used or expired. */
  redeem(value: string | undefined): IssuedCode | undefined {
    if (this.codeStatus(value) !== 'live') return undefined;
    const code = this.codes.get(value!)!;
    code.used = true;
    return code;
  }

  grant(scope: string, options: { refresh: boolean; userId?: string }): { accessToken: string; refreshToken?: string; grant: Grant } {
    const grant: Grant = { scope, userId: options.userId ?? 'user-1', refreshToken: options.refresh ? token('refresh') : undefined };
    const accessToken = token('access');
    this.accessTokens.set(accessToken, grant);
    if (grant.refreshToken) this.refreshTokens.set(grant.refreshToken, grant);
    return { accessToken, refreshToken: grant.refreshToken, grant };
  }

  /** Uses a refresh token; with `rotate`, it dies and a new one is issued. */
  useRefreshToken(value: string | undefined, rotate: boolean): { accessToken: string; refreshToken: string; grant: Grant } | undefined {
    const grant = value === undefined ? undefined : this.refreshTokens.get(value);
    if (!grant || value === undefined) return undefined;
    let refreshToken = value;
    if (rotate) {
      this.refreshTokens.delete(value);
      refreshToken = token('refresh');
      grant.refreshToken = refreshToken;
      this.refreshTokens.set(refreshToken, grant);
    }
    const accessToken = token('access');
    this.accessTokens.set(accessToken, grant);
    return { accessToken, refreshToken, grant };
  }

  /** The client credentials in an HTTP Basic header (RFC 6749 §2.3.1 form-decoding), if any. */
  basicCredentials(call: ReplicaCall): { id: string; secret: string } | undefined {
    const header = call.headers.authorization;
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at < 0) return undefined;
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, at)), secret: decode(decoded.slice(at + 1)) };
  }

  /** Where the user's browser goes after the consent screen. */
  redirect(redirectUri: string, params: Record<string, string | undefined>): ReplicaAnswer {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return { status: 302, headers: { location: url.toString() } };
  }
}

/**
 * RFC 7636 §4.1: a code verifier is 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`. oidc-provider refuses
 * any other (`code_verifier must be a string with a minimum length of 43 characters`, `… contains invalid
 * characters`) even when its hash matches the challenge, and so do the replicas of providers with PKCE.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function wellFormedVerifier(verifier: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}

/** RFC 7636 §4.6: S256 of the verifier, base64url. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function json(status: number, body: unknown, contentType = 'application/json; charset=utf-8'): ReplicaAnswer {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

export function form(status: number, body: Record<string, string>): ReplicaAnswer {
  return { status, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: new URLSearchParams(body).toString() };
}

/** The page a provider shows when the authorization request itself is wrong (it never redirects then). */
export function errorPage(text: string): ReplicaAnswer {
  return { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><p>${text}</p>` };
}

function token(kind: string): string {
  return `${kind}-${randomBytes(12).toString('hex')}`;
}

/** A running replica: its origin, its state, and `close`. */
export interface RunningReplica {
  readonly origin: string;
  readonly state: ReplicaState;
  close(): Promise<void>;
}

/** Serves `routes` (`GET /path`, `POST /path`) on 127.0.0.1; anything else is a 404. */
export async function startReplica(state: ReplicaState, routes: (state: ReplicaState) => Record<string, Route>): Promise<RunningReplica> {
  const table = routes(state);
  const server: Server = createServer((req, res) => {
    void handle(req, res, state, table);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin: state.origin,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, state: ReplicaState, table: Record<string, Route>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://replica.invalid');
  const raw = Buffer.concat(chunks).toString('utf8');
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const call: ReplicaCall = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: new URLSearchParams(isForm ? raw : '') };
  state.calls.push(call);
  const route = table[`${call.method} ${call.path}`];
  let answer: ReplicaAnswer;
  try {
    answer = route ? await route(call) : { status: 404, body: 'not found' };
  } catch (error) {
    answer = { status: 500, body: String(error) };
  }
  res.writeHead(answer.status, answer.headers ?? {});
  res.end(answer.body ?? '');
}

/** A token call answered with the outage the test queued, if any. */
export function takeQueuedFailure(state: ReplicaState): ReplicaAnswer | undefined {
  const failure = state.failNext;
  state.failNext = undefined;
  return failure;
}
