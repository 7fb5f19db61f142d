/**
 * The authorization endpoint toward Alexa.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 (request), #section-4.1.2.1 (errors)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.2 and RFC 9700 §4.1.3 (exact redirect URI match)
 */
import request from 'supertest';
import { createApp } from '../../app';
import { MAX_ALEXA_STATE_LENGTH } from '../../linking/authorize.route';
import { s256Challenge } from '../../linking/pkce';
import { authorizeQuery } from '../support/fake-provider';
import { ALEXA_REDIRECT_URI, CapturedLogs, testDeps } from '../support/test-app';

const CHALLENGE = s256Challenge('a'.repeat(43));

async function appFor(env: Record<string, string> = {}) {
  return createApp(await testDeps({ env }));
}

describe('redirect URI allowlist (RFC 6749 §3.1.2.2, §4.1.2.1; RFC 9700 §4.1.3)', () => {
  test.each([
    ['another vendor id', 'https://layla.amazon.com/api/skill/link/OTHERVENDOR1'],
    ['a trailing slash', `${ALEXA_REDIRECT_URI}/`],
    ['plain http', ALEXA_REDIRECT_URI.replace('https:', 'http:')],
    ['an attacker host', 'https://evil.example/api/skill/link/M3BVP74N95SP1F'],
    ['a look-alike host', 'https://layla.amazon.com.evil.example/api/skill/link/M3BVP74N95SP1F'],
    ['an added query', `${ALEXA_REDIRECT_URI}?next=https://evil.example`],
    ['the legacy status page', 'https://pitangui.amazon.com/spa/skill/account-linking-status.html?vendorId=M3BVP74N95SP1F'],
  ])('refuses %s with an error page and no redirect', async (_label, redirectUri) => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: redirectUri }));
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('This skill cannot send you back to the Alexa app');
    expect(response.text).toContain('ALEXA_VENDOR_IDS');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  test.each(['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp'])('accepts the %s redirect URI for a configured vendor id', async (host) => {
    const response = await request(await appFor())
      .get('/oauth/authorize')
      .query(authorizeQuery({ redirect_uri: `https://${host}/api/skill/link/M3BVP74N95SP1F` }));
    expect(response.status).toBe(302);
    expect(response.headers.location).toMatch(/^https:\/\/provider\.test\/authorize\?/);
  });

  test('accepts an exact URL from ALEXA_REDIRECT_URLS', async () => {
    const app = await appFor({ ALEXA_REDIRECT_URLS: 'http://localhost:4000/alexa-sim' });
    const response = await request(app).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: 'http://localhost:4000/alexa-sim' }));
    expect(response.status).toBe(302);
  });

  test('a missing redirect_uri gets an error page', async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ redirect_uri: undefined }));
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  test('a repeated redirect_uri gets an error page (RFC 6749 §3.1)', async () => {
    const query = new URLSearchParams(authorizeQuery());
    query.append('redirect_uri', 'https://evil.example/');
    const response = await request(await appFor()).get(`/oauth/authorize?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });
});

describe('client_id (RFC 6749 §4.1.2.1: no redirect for an invalid client)', () => {
  test.each([
    ['unknown', 'someone-else'],
    ['missing', undefined],
  ])('an %s client_id gets an error page naming the setting to check', async (_label, clientId) => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ client_id: clientId }));
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.text).toMatch(/client_id/);
  });

  test('the error page escapes what it shows and carries a reference that is in the logs', async () => {
    const logs = new CapturedLogs();
    const app = createApp(await testDeps({ logs }));
    const response = await request(app).get('/oauth/authorize').query(authorizeQuery({ client_id: '<script>alert(1)</script>' }));
    expect(response.text).not.toContain('<script>alert(1)</script>');
    const reference = /id="error-reference">([^<]+)</.exec(response.text)?.[1];
    expect(reference).toBeDefined();
    expect(logs.entries.some((entry) => entry.flowId === reference)).toBe(true);
  });
});

describe('errors after the redirect URI is trusted go back to Alexa (RFC 6749 §4.1.2.1)', () => {
  test('response_type token in code mode is unsupported_response_type, with Alexa\'s state', async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ response_type: 'token' }));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('alexa-state-123');
  });

  test('a missing response_type is invalid_request', async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ response_type: undefined }));
    expect(new URL(response.headers.location).searchParams.get('error')).toBe('invalid_request');
  });

  test('a repeated state is invalid_request', async () => {
    const query = new URLSearchParams(authorizeQuery());
    query.append('state', 'second');
    const response = await request(await appFor()).get(`/oauth/authorize?${query}`);
    expect(new URL(response.headers.location).searchParams.get('error')).toBe('invalid_request');
  });

  test('a missing state is refused to Alexa\'s redirect_uri: Alexa always sends one', async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ state: undefined }));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(ALEXA_REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/state/);
    expect(location.searchParams.has('state')).toBe(false);
  });

  test('a missing state with a redirect_uri off the allowlist still gets only the error page', async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ state: undefined, redirect_uri: 'https://evil.example/cb' }));
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  test(`a state longer than ${MAX_ALEXA_STATE_LENGTH} characters is refused at the door, without echoing it`, async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ state: 'a'.repeat(12_000) }));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.location);
    expect(location.origin).toBe('https://layla.amazon.com');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('state')).toBe(false);
  });

  test(`a state of exactly ${MAX_ALEXA_STATE_LENGTH} characters is accepted`, async () => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery({ state: 's'.repeat(MAX_ALEXA_STATE_LENGTH) }));
    expect(response.headers.location).toMatch(/^https:\/\/provider\.test\/authorize\?/);
  });

  test('in implicit mode errors go in the fragment, never the query (RFC 6749 §4.2.2.1)', async () => {
    const response = await request(await appFor({ LINK_MODE: 'implicit' })).get('/oauth/authorize').query(authorizeQuery({ response_type: 'code' }));
    const location = new URL(response.headers.location);
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error')).toBe('unsupported_response_type');
    expect(fragment.get('state')).toBe('alexa-state-123');
  });
});

describe('PKCE from Alexa (RFC 7636 §4.3, §4.4.1)', () => {
  test('an S256 challenge is accepted', async () => {
    const response = await request(await appFor())
      .get('/oauth/authorize')
      .query(authorizeQuery({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }));
    expect(response.headers.location).toMatch(/^https:\/\/provider\.test\//);
  });

  test.each([
    ['plain method', { code_challenge: CHALLENGE, code_challenge_method: 'plain' }],
    ['a challenge without a method (which means plain)', { code_challenge: CHALLENGE }],
    ['a malformed challenge', { code_challenge: 'short', code_challenge_method: 'S256' }],
    ['a method without a challenge', { code_challenge_method: 'S256' }],
  ])('%s is invalid_request sent back to Alexa', async (_label, pkce) => {
    const response = await request(await appFor()).get('/oauth/authorize').query(authorizeQuery(pkce));
    const location = new URL(response.headers.location);
    expect(location.origin).toBe('https://layla.amazon.com');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });
});

describe('the request sent upstream (RFC 6749 §4.1.1, RFC 7636 §4.3)', () => {
  test('carries our client, our callback, a sealed state and our own S256 challenge', async () => {
    const response = await request(await appFor({ UPSTREAM_SCOPE: 'read:user' })).get('/oauth/authorize').query(authorizeQuery());
    const upstream = new URL(response.headers.location);
    expect(upstream.searchParams.get('response_type')).toBe('code');
    expect(upstream.searchParams.get('client_id')).toBe('linkbridge-client');
    expect(upstream.searchParams.get('redirect_uri')).toBe('https://linkbridge.test/oauth/callback');
    expect(upstream.searchParams.get('scope')).toBe('read:user');
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
    expect(upstream.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = upstream.searchParams.get('state')!;
    // A compact JWE: five parts, and Alexa's state is not readable in it.
    expect(state.split('.')).toHaveLength(5);
    expect(state).not.toContain('alexa-state-123');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  test('UPSTREAM_PKCE=false sends no challenge upstream', async () => {
    const response = await request(await appFor({ UPSTREAM_PKCE: 'false' })).get('/oauth/authorize').query(authorizeQuery());
    expect(new URL(response.headers.location).searchParams.has('code_challenge')).toBe(false);
  });
});
