import request from 'supertest';
import type { Express } from 'express';
import { ALEXA_REDIRECT_URI, BASE_TEST_ENV } from './test-app';

/** One request the fake provider's token endpoint received. */
export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: URLSearchParams;
}

/**
 * A provider token endpoint behind an injected `fetch`, for compliance tests that need exact control of
 * what the upstream answers (errors, timeouts, missing fields). The end-to-end tests use a real one.
 */
export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  /** What the token endpoint answers next; a standard RFC 6749 §5.1 success by default. */
  respond: (request: RecordedRequest, signal?: AbortSignal) => Promise<Response> | Response = () =>
    json(200, { access_token: 'upstream-access-token', token_type: 'bearer', expires_in: 3600, refresh_token: 'upstream-refresh-token' });

  readonly fetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const recorded: RecordedRequest = {
      url,
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: new URLSearchParams(typeof init?.body === 'string' ? init.body : ''),
    };
    this.requests.push(recorded);
    return this.respond(recorded, init?.signal ?? undefined);
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A fetch answer that never comes: it only ends when the caller's timeout aborts it. */
export function hang(signal?: AbortSignal): Promise<Response> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason));
  });
}

/** Alexa's authorization request parameters, with any of them replaced or removed (`undefined`). */
export function authorizeQuery(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const query: Record<string, string | undefined> = {
    client_id: BASE_TEST_ENV.ALEXA_CLIENT_ID,
    response_type: 'code',
    redirect_uri: ALEXA_REDIRECT_URI,
    state: 'alexa-state-123',
    scope: 'profile',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Runs authorize and a successful upstream callback; returns the code linkbridge gave Alexa. */
export async function obtainAlexaCode(app: Express, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const sealedState = await startFlow(app, overrides);
  const callback = await request(app).get('/oauth/callback').query({ code: 'upstream-code', state: sealedState });
  expect(callback.status).toBe(302);
  const code = new URL(callback.headers.location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.headers.location}`);
  return code;
}

/** Runs authorize; returns the sealed state linkbridge sent upstream. */
export async function startFlow(app: Express, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const authorize = await request(app).get('/oauth/authorize').query(authorizeQuery(overrides));
  expect(authorize.status).toBe(302);
  const state = new URL(authorize.headers.location).searchParams.get('state');
  if (!state) throw new Error('no state sent upstream');
  return state;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
