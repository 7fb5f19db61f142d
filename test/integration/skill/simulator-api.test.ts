/**
 * The simulator's API and the pages around it, over real HTTP against linkbridge in demo mode: the
 * journey `npm run simulate` takes, the skill reached in-process while POST /alexa keeps checking
 * signatures, Alexa's state checked and single use, and the simulator off unless demo mode or SIMULATOR says so.
 */
import request from 'supertest';
import { createApp } from '../../../app';
import { ConfigError, loadConfig } from '../../../models/config';
import { runJourney, type JourneyEvent } from '../../../tools/simulator/headless-journey';
import { launchRequest } from '../../fixtures/skill/envelopes';
import { Cleanup } from '../../support/cleanup';
import { startDemoStack, type DemoStack } from '../../support/demo-stack';
import { BASE_TEST_ENV, testDeps } from '../../support/test-app';

const cleanup = new Cleanup();
let stack: DemoStack;
beforeAll(async () => {
  stack = cleanup.add(await startDemoStack(), (started) => started.close());
});
afterAll(() => cleanup.run());

/** A client of the simulator API that keeps its cookie, as a browser would. */
function client() {
  let cookie = '';
  return async (path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await fetch(`${stack.baseUrl}/simulator/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(body === undefined ? {} : headers), ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const set = response.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0];
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

test('the journey: link in German in the EU, then every answer comes from the skill in-process', async () => {
  const events: JourneyEvent[] = [];
  await runJourney(
    { baseUrl: stack.baseUrl, login: 'ada', password: 'x', locale: 'de-DE', region: 'EU', utterances: ['wie heiße ich', 'ist mein konto verknüpft', 'wann habe ich geburtstag'] },
    (event) => events.push(event),
  );
  const speech = events.flatMap((event) => (event.turn ? [event.turn.speech] : []));
  expect(speech).toEqual([
    'Dein Name ist Ada Lovelace.',
    'Ja, dein Konto ist verknüpft. Du bist als Ada Lovelace angemeldet, mit der E-Mail-Adresse ada@example.com.',
    'Geburtstag: 10. Dezember 1815.',
  ]);
  const turn = events.find((event) => event.turn)!.turn!;
  const sent = turn.requestJson as { context: { System: { apiEndpoint: string; user: { accessToken: string } } }; request: { locale: string } };
  expect(sent.context.System.apiEndpoint).toBe('https://api.eu.amazonalexa.com');
  expect(sent.request.locale).toBe('de-DE');
  expect(sent.context.System.user.accessToken).toMatch(/^\(linked access token, \d+ characters\)$/);
  // No HTTP request reached POST /alexa: the skill was called in-process.
  expect(stack.logs.entries.filter((entry) => entry.msg === 'request' && entry.path === '/alexa')).toEqual([]);
  expect(stack.logs.entries.some((entry) => entry.msg === 'request' && entry.path === '/oauth/token')).toBe(true);
});

test('POST /alexa still refuses an unsigned request while the simulator is on', async () => {
  const response = await fetch(`${stack.baseUrl}/alexa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(launchRequest()) });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'request verification failed' });
});

test('before linking there is nothing to talk to; while unlinked the skill asks to link and sends a LinkAccount card', async () => {
  const api = client();
  expect((await api('say', { words: "what's my name" })).status).toBe(404);
  const started = await api('link', { locale: 'en-GB', region: 'FE' });
  expect(started.status).toBe(200);
  const authorize = new URL(started.body.authorizeUrl);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    client_id: 'linkbridge-demo-alexa',
    response_type: 'code',
    redirect_uri: `${stack.baseUrl}/simulator/link`,
    code_challenge_method: 'S256',
  });
  expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const said = await api('say', { words: 'is my account linked' });
  expect(said.body.turn.speech).toContain("No, your account isn't linked yet.");
  expect(said.body.turn.card.type).toBe('LinkAccount');
});

test('a redirect with another state fails the linking, and the state cannot be used twice', async () => {
  const api = client();
  await api('link', {});
  const landed = await api('landing', { query: '?code=forged&state=not-the-one-alexa-sent' });
  expect(landed.status).toBe(200);
  expect(landed.body.session.linked).toBe(false);
  expect(landed.body.session.steps.at(-1)).toMatchObject({ title: 'Alexa checks the state', status: 'failed' });
  expect((await api('landing', { query: '?code=forged&state=again' })).status).toBe(409);
});

test('the API takes JSON only (other sites cannot post forms to it)', async () => {
  const api = client();
  const response = await api('link', 'locale=en-US', { 'content-type': 'application/x-www-form-urlencoded' });
  expect(response.status).toBe(415);
});

test('pages carry the error pages\' security headers; / points to the simulator; the privacy policy is served', async () => {
  for (const path of ['/', '/simulator', '/simulator/link', '/privacy']) {
    const response = await fetch(`${stack.baseUrl}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  }
  expect(await (await fetch(`${stack.baseUrl}/`)).text()).toContain('href="simulator"');
  // The page finds its script from every address it is served at.
  for (const [path, src] of [['/simulator', 'simulator/simulator.js'], ['/simulator/', 'simulator.js'], ['/simulator/link', 'simulator.js']]) {
    const html = await (await fetch(`${stack.baseUrl}${path}`)).text();
    expect(html).toContain(`<script src="${src}" defer></script>`);
    expect((await fetch(new URL(src, `${stack.baseUrl}${path}`))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  }
  const provider = await fetch(`${stack.provider.issuer}/interaction/unknown`);
  expect(provider.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(provider.headers.get('x-content-type-options')).toBe('nosniff');
});

describe('when the simulator is served', () => {
  test('not by default outside demo mode; SIMULATOR=true serves it, and it asks for its redirect URL to be allowed', async () => {
    expect((await request(createApp(await testDeps())).get('/simulator')).status).toBe(404);
    const enabled = createApp(await testDeps({ env: { SIMULATOR: 'true' } }));
    expect((await request(enabled).get('/simulator')).status).toBe(200);
    const refused = await request(enabled).post('/simulator/api/link').set('content-type', 'application/json').send('{}');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('ALEXA_REDIRECT_URLS');
  });

  test('demo mode serves it unless SIMULATOR=false; production never serves it by default', () => {
    const demo = { PORT: '3000' };
    expect(loadConfig(demo).simulator.enabled).toBe(true);
    expect(loadConfig({ ...demo, SIMULATOR: 'false' }).simulator.enabled).toBe(false);
    expect(loadConfig({ ...BASE_TEST_ENV, NODE_ENV: 'production' }).simulator.enabled).toBe(false);
    expect(loadConfig({ ...BASE_TEST_ENV, NODE_ENV: 'production', SIMULATOR: 'true' }).simulator.enabled).toBe(true);
    expect(loadConfig(BASE_TEST_ENV).simulator.enabled).toBe(false);
  });

  test('with the simulator off in demo mode, /simulator/link still says what Alexa received', async () => {
    const off = cleanup.add(await startDemoStack({ SIMULATOR: 'false' }), (started) => started.close());
    const response = await fetch(`${off.baseUrl}/simulator/link?state=s`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Account linked');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${off.baseUrl}/simulator`)).status).toBe(404);
  });
});

test('HOST: unset listens on all interfaces; a host or address is taken; anything else stops the start', () => {
  expect(loadConfig(BASE_TEST_ENV).host).toBeUndefined();
  expect(loadConfig({ ...BASE_TEST_ENV, HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  expect(loadConfig({ ...BASE_TEST_ENV, HOST: '[::1]' }).host).toBe('::1');
  expect(() => loadConfig({ ...BASE_TEST_ENV, HOST: 'http://example.com' })).toThrow(ConfigError);
});

test('the demo landing page (simulator off) says in plain words that access was not allowed', async () => {
  const off = await startDemoStack({ SIMULATOR: 'false' });
  try {
    const page = await (await fetch(`${off.baseUrl}/simulator/link?error=access_denied&error_description=The+user+declined.&state=s`)).text();
    expect(page).toContain('<h1 id="result">Linking cancelled</h1>');
    expect(page).toContain('<p>Access was not allowed: you cancelled at the sign-in page or chose Deny, so no account was linked.');
  } finally {
    await off.close();
  }
});

test('POST /simulator/api/locale switches the session\'s language; an unknown one is a 400, no session a 404', async () => {
  const api = client();
  expect((await api('locale', { locale: 'de-DE' })).status).toBe(404);
  await api('link', { locale: 'en-US' });
  const switched = await api('locale', { locale: 'de-DE' });
  expect(switched).toMatchObject({ status: 200, body: { session: { locale: 'de-DE' } } });
  expect((await api('session')).body.session.locale).toBe('de-DE');
  expect(await api('locale', { locale: 'xx' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('en-US, en-GB, de-DE') } });
});
