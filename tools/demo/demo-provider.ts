import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { requestTarget } from '../../models/request-target';
import { demoMemoryAdapter } from './demo-memory.adapter';
import { escapeHtml, htmlPage, pageHeaders } from '../../models/html-page';

/** A client registered at the demo provider (linkbridge, as the provider's OAuth client). */
export interface DemoClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export interface DemoProviderOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Host name in the issuer URL (what the browser is sent to). */
  readonly publicHost?: string;
  readonly clients: readonly DemoClient[];
  readonly accessTokenTtlSeconds?: number;
}

export interface DemoProvider {
  /** The issuer URL; discovery is at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The userinfo endpoint: the demo account API. */
  readonly userinfoUrl: string;
  close(): Promise<void>;
}

/** The people who can sign in at the demo provider. Any other login name signs in as a new person. */
export const DEMO_ACCOUNTS: Readonly<Record<string, Readonly<Record<string, string | boolean>>>> = {
  ada: {
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    preferred_username: 'ada',
    email: 'ada@example.com',
    email_verified: true,
    locale: 'en-GB',
    zoneinfo: 'Europe/London',
    birthdate: '1815-12-10',
  },
};

/**
 * A real OpenID Connect provider (node-oidc-provider) with a sign-in form that accepts any name and
 * password, standing in for the upstream when none is configured, and serving the demo account API
 * as its userinfo endpoint.
 */
export async function startDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  // oidc-provider is an ES module: imported, not required.
  const { default: Provider } = await import('oidc-provider');
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.publicHost ?? options.host ?? '127.0.0.1'}:${port}`;

  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [...client.redirectUris],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      const known = DEMO_ACCOUNTS[id];
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...(known ?? { name: id, preferred_username: id }) };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'zoneinfo', 'birthdate'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email'],
    // The sign-in and consent pages are the demo's own (below), so they can say which user to try.
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, revocation: { enabled: true } },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    adapter: demoMemoryAdapter(),
    pkce: { methods: ['S256'], required: () => false },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      IdToken: 3600,
      AuthorizationCode: 300,
      RefreshToken: 30 * 24 * 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 30 * 24 * 3600,
    },
    cookies: { keys: ['linkbridge-demo-provider-cookie-key'] },
    // A signing key made at start, so no development key is shipped.
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'demo', use: 'sig', alg: 'RS256' }] },
    // Refuse nothing for lack of TLS: the demo runs on loopback over plain HTTP.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = htmlPage({ title: 'Demo provider error', body: `<main>\n<h1>${escapeHtml(String(out.error))}</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p>\n</main>` });
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', () => undefined);
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // A listener of a bare server: nothing here may throw, whatever the request target is.
    const target = requestTarget(req);
    if (!target) return sendPage(res, 400, 'Bad request', '<h1>This address cannot be read</h1>');
    const interaction = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(target.pathname);
    if (!interaction) return void callback(req, res);
    handleInteraction(provider, req, res, interaction[2]).catch(() => {
      if (!res.headersSent) sendPage(res, 400, 'Sign-in expired', '<h1>This sign-in has expired</h1><p>Go back and start linking again.</p>');
    });
  });

  return {
    issuer,
    userinfoUrl: `${issuer}/me`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type DemoOidcProvider = InstanceType<(typeof import('oidc-provider'))['default']>;

/** The longest login name accepted; it becomes the account id (`sub`). */
const MAX_LOGIN_LENGTH = 64;

/**
 * The demo's sign-in and consent pages (oidc-provider's interaction API): any name and password sign
 * in; `ada` has a full profile, which the page says.
 * @see https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#user-flows
 */
async function handleInteraction(provider: DemoOidcProvider, req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const base = `/interaction/${encodeURIComponent(details.uid)}`;
  if (action === undefined && req.method === 'GET') {
    if (details.prompt.name === 'login') return sendPage(res, 200, 'Sign in to the demo provider', signInPage(base));
    return sendPage(res, 200, 'Allow access', consentPage(base, String(details.params.client_id ?? '')));
  }
  if (action === 'abort') {
    return void (await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user declined.' }, { mergeWithLastSubmission: false }));
  }
  if (req.method !== 'POST') return sendPage(res, 405, 'Not allowed', '<h1>Use the form on the sign-in page</h1>');
  if (action === 'login') {
    const login = new URLSearchParams(await readBody(req)).get('login')?.trim() ?? '';
    if (!login || login.length > MAX_LOGIN_LENGTH) return sendPage(res, 400, 'Sign in to the demo provider', signInPage(base, 'Enter a name of up to 64 characters.'));
    return void (await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false }));
  }
  const { session, params, prompt, grantId } = details;
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
  if (!grant) throw new Error('grant not found');
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

function signInPage(base: string, problem?: string): string {
  return `<h1>Sign in to the demo provider</h1>
<p class="hint" id="demo-hint">Try <strong>ada</strong> with any password: Ada Lovelace, with an email address, time zone and language.
Any other name signs in as a new person who has only that name.</p>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="${escapeHtml(base)}/login" autocomplete="off">
<label for="login">Name</label><input id="login" name="login" value="ada" required maxlength="${MAX_LOGIN_LENGTH}" autocapitalize="none">
<label for="password">Password (anything)</label><input id="password" name="password" type="password">
<button type="submit">Sign in</button>
</form>
<p><a href="${escapeHtml(base)}/abort">Cancel</a></p>`;
}

function consentPage(base: string, clientId: string): string {
  return `<h1>Allow access?</h1>
<p><code>${escapeHtml(clientId)}</code> (linkbridge) asks to read your name, email address and profile, so Alexa can answer questions about your account.</p>
<form method="post" action="${escapeHtml(base)}/confirm"><button type="submit">Allow</button></form>
<p><a class="button secondary" href="${escapeHtml(base)}/abort">Deny</a></p>`;
}

function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, pageHeaders({ forms: true })).end(htmlPage({ title, body: `<main>\n${body}\n</main>` }));
}

/** A form body of at most 8 kB (a name and a password). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 8192) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
