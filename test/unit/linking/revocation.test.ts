/**
 * Token revocation at the provider (RFC 7009): linkbridge's client revokes with the code grant's client
 * authentication, and reads 200 as done, 503 as a passing fault and anything else as the provider's refusal.
 * The endpoint comes from discovery's `revocation_endpoint` (here the demo's oidc-provider) or the preset.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 (the request), #section-2.2 and #section-2.2.1 (the answer)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveProviderProfile } from '../../../linking/providers/presets';
import { UpstreamClient, UpstreamRejectedError, UpstreamUnavailableError } from '../../../linking/upstream-client';
import { ProviderProfileSchema, type ProviderProfile } from '../../../models/provider-profile';
import { startDemoProvider, type DemoProvider } from '../../../tools/demo/demo-provider';
import { Cleanup } from '../../support/cleanup';
import { testConfig } from '../../support/test-app';

interface Seen {
  readonly path: string;
  readonly authorization?: string;
  readonly form: URLSearchParams;
}

const cleanup = new Cleanup();
let origin: string;
const seen: Seen[] = [];
/** What the endpoint answers next: status and body. */
let answer: { status: number; body: string } = { status: 200, body: '' };

beforeAll(async () => {
  const server: Server = cleanup.add(
    createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', authorization: req.headers.authorization, form: new URLSearchParams(body) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    }),
    (started) => new Promise((resolve) => started.close(resolve)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => cleanup.run());
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200, body: '' };
});

function client(profile: Partial<Record<string, unknown>>): UpstreamClient {
  const parsed: ProviderProfile = ProviderProfileSchema.parse({
    name: 'acme',
    authorization: { url: `${origin}/authorize` },
    token: { url: `${origin}/token` },
    ...profile,
  });
  return new UpstreamClient({ profile: parsed, clientId: 'linkbridge client', clientSecret: 's3cret', redirectUri: 'https://lb.test/oauth/callback', timeoutMs: 2000, fetch });
}

test('without a revocation endpoint nothing is sent, and the answer says so', async () => {
  expect(await client({}).revoke('refresh-1', 'refresh_token')).toBe(false);
  expect(seen).toEqual([]);
});

test('the token and its hint are posted with HTTP Basic, as the token request authenticates', async () => {
  expect(await client({ revocationUrl: `${origin}/revoke` }).revoke('refresh-1', 'refresh_token')).toBe(true);
  expect(seen).toHaveLength(1);
  expect(seen[0].path).toBe('/revoke');
  // RFC 6749 §2.3.1: each part form-encoded, then Basic.
  expect(seen[0].authorization).toBe(`Basic ${Buffer.from('linkbridge+client:s3cret').toString('base64')}`);
  expect(Object.fromEntries(seen[0].form)).toEqual({ token: 'refresh-1', token_type_hint: 'refresh_token' });
});

test('a provider that takes credentials in the body gets them there, under its own names', async () => {
  await client({ revocationUrl: `${origin}/revoke`, token: { url: `${origin}/token`, clientAuthentication: 'client_secret_post', parameterNames: { client_id: 'app' } } }).revoke('access-1', 'access_token');
  expect(seen[0].authorization).toBeUndefined();
  expect(Object.fromEntries(seen[0].form)).toEqual({ app: 'linkbridge client', client_secret: 's3cret', token: 'access-1', token_type_hint: 'access_token' });
});

test('503 is a passing fault; an error body is the provider refusing, read by its error map', async () => {
  const revoking = client({ revocationUrl: `${origin}/revoke` });
  answer = { status: 503, body: '' };
  await expect(revoking.revoke('t', 'refresh_token')).rejects.toEqual(expect.objectContaining({ reason: 'server', httpStatus: 503 }));
  await expect(revoking.revoke('t', 'refresh_token')).rejects.toBeInstanceOf(UpstreamUnavailableError);
  answer = { status: 400, body: JSON.stringify({ error: 'unsupported_token_type' }) };
  const refusal = await revoking.revoke('t', 'refresh_token').catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(UpstreamRejectedError);
  expect(refusal).toMatchObject({ error: 'unsupported_token_type', httpStatus: 400 });
  expect(String((refusal as Error).message)).not.toContain('s3cret');
});

describe('the endpoint comes from discovery', () => {
  let demo: DemoProvider;
  beforeAll(async () => {
    demo = cleanup.add(await startDemoProvider({ port: 0, clients: [] }), (started) => started.close());
  });

  test("an OpenID provider's revocation_endpoint becomes the profile's revocation URL", async () => {
    const config = testConfig({ UPSTREAM_PRESET: 'oidc', UPSTREAM_ISSUER: demo.issuer, UPSTREAM_AUTHORIZATION_URL: undefined, UPSTREAM_TOKEN_URL: undefined });
    const profile = await resolveProviderProfile(config.upstream, fetch);
    expect(profile.revocationUrl).toBe(`${demo.issuer}/token/revocation`);
  });
});
