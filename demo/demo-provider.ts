import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

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
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
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
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'zoneinfo'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email'],
    features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
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
      ctx.body = `<!doctype html><title>Demo provider error</title><h1>${escape(String(out.error))}</h1><p>${escape(String(out.error_description ?? ''))}</p>`;
    },
  };
  const provider = new Provider(issuer, configuration);
  // The demo provider's own warnings (development keys, dev interactions) are expected here.
  provider.on('server_error', () => undefined);
  server.on('request', provider.callback());

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

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
