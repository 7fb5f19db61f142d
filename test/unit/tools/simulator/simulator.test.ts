/**
 * The simulator's Alexa side against a token endpoint whose answers each test sets (an injected fetch
 * and a clock the test moves): the requests are Alexa's, and each answer is judged as Alexa would judge
 * it, against its 4.5 s budget.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
import { createHash } from 'node:crypto';
import { createInProcessSkill } from '../../../../skill/in-process-skill';
import { Simulator, SimulatorError } from '../../../../tools/simulator/simulator';
import { FakeProvider, json } from '../../../support/fake-provider';
import { CapturedLogs, captureLogger, TestClock, testConfig } from '../../../support/test-app';

const TOKEN_URL = 'http://127.0.0.1:9/oauth/token';

function setUp(env: Record<string, string> = {}) {
  const config = testConfig({ ALEXA_REDIRECT_URLS: 'https://linkbridge.test/simulator/link', ...env });
  const clock = new TestClock();
  const tokenEndpoint = new FakeProvider();
  const skill = createInProcessSkill({ config, clock, logger: captureLogger(new CapturedLogs()) });
  return { config, clock, tokenEndpoint, simulator: new Simulator({ config, scopes: ['profile'], clock, fetch: tokenEndpoint.fetch, skill }) };
}

/** Starts linking and comes back to the redirect with a code and the state Alexa sent. */
async function linkWithCode(simulator: Simulator) {
  const { sessionId, authorizeUrl } = simulator.startLinking({ locale: 'en-US', region: 'NA' });
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  const view = await simulator.finishLinking(sessionId, { query: `?code=the-code&state=${state}` }, TOKEN_URL);
  return { sessionId, authorizeUrl, view };
}

test('the code exchange is Alexa\'s: HTTP Basic with the skill\'s credentials, the redirect URI, and the PKCE verifier of the challenge it sent', async () => {
  const { simulator, tokenEndpoint } = setUp();
  const { authorizeUrl, view } = await linkWithCode(simulator);
  expect(view.linked).toBe(true);
  const [exchange, refresh] = tokenEndpoint.requests;
  expect(exchange.url).toBe(TOKEN_URL);
  expect(exchange.headers.get('authorization')).toBe(`Basic ${Buffer.from('alexa-skill:alexa-secret-value').toString('base64')}`);
  expect(exchange.body.get('grant_type')).toBe('authorization_code');
  expect(exchange.body.get('code')).toBe('the-code');
  expect(exchange.body.get('redirect_uri')).toBe('https://linkbridge.test/simulator/link');
  const challenge = new URL(authorizeUrl).searchParams.get('code_challenge');
  expect(createHash('sha256').update(exchange.body.get('code_verifier')!).digest('base64url')).toBe(challenge);
  expect(refresh.body.get('grant_type')).toBe('refresh_token');
  expect(refresh.body.get('refresh_token')).toBe('upstream-refresh-token');
});

test('a refresh answer without a refresh token: Alexa keeps the one it holds', async () => {
  const { simulator, tokenEndpoint } = setUp();
  tokenEndpoint.respond = (recorded) =>
    recorded.body.get('grant_type') === 'refresh_token'
      ? json(200, { access_token: 'refreshed', token_type: 'Bearer', expires_in: 3600 })
      : json(200, { access_token: 'first', token_type: 'Bearer', expires_in: 3600, refresh_token: 'kept-refresh-token' });
  const { sessionId } = await linkWithCode(simulator);
  await simulator.refreshAgain(sessionId, TOKEN_URL);
  expect(tokenEndpoint.requests.map((recorded) => recorded.body.get('refresh_token'))).toEqual([null, 'kept-refresh-token', 'kept-refresh-token']);
});

test('a token answer slower than Alexa\'s 4.5 s fails the step, even if it succeeds', async () => {
  const { simulator, tokenEndpoint, clock } = setUp();
  tokenEndpoint.respond = () => {
    clock.advanceSeconds(4.6);
    return json(200, { access_token: 'late', token_type: 'Bearer', expires_in: 3600 });
  };
  const { view } = await linkWithCode(simulator);
  expect(view.linked).toBe(false);
  expect(view.steps.at(-1)).toEqual({
    title: 'Alexa exchanges the code at POST /oauth/token',
    status: 'failed',
    detail: 'answered after 4600 ms; Alexa gives up after 4500 ms',
    ms: 4600,
    budgetMs: 4500,
  });
});

test('an RFC 6749 error is shown with its code and description; a network failure says so', async () => {
  const { simulator, tokenEndpoint } = setUp();
  tokenEndpoint.respond = () => json(400, { error: 'invalid_grant', error_description: 'the code was already used' });
  expect((await linkWithCode(simulator)).view.steps.at(-1)?.detail).toBe('HTTP 400: invalid_grant (the code was already used)');
  tokenEndpoint.respond = () => Promise.reject(new TypeError('fetch failed'));
  expect((await linkWithCode(simulator)).view.steps.at(-1)?.detail).toBe('the token endpoint could not be reached');
});

test('implicit mode: no PKCE, and the token must come in the fragment with token_type Bearer', async () => {
  const { simulator, tokenEndpoint } = setUp({ LINK_MODE: 'implicit' });
  const started = simulator.startLinking({});
  const params = new URL(started.authorizeUrl).searchParams;
  expect(params.get('response_type')).toBe('token');
  expect(params.has('code_challenge')).toBe(false);
  const state = params.get('state')!;
  const inQuery = await simulator.finishLinking(started.sessionId, { query: `?state=${state}&access_token=t&token_type=Bearer` }, TOKEN_URL);
  expect(inQuery.steps.at(-1)?.status).toBe('failed');

  const again = simulator.startLinking({});
  const fresh = new URL(again.authorizeUrl).searchParams.get('state')!;
  const linked = await simulator.finishLinking(again.sessionId, { fragment: `#state=${fresh}&access_token=t&token_type=Bearer` }, TOKEN_URL);
  expect(linked.linked).toBe(true);
  expect(tokenEndpoint.requests).toEqual([]);
});

test('a simulator session lasts 30 minutes', async () => {
  const { simulator, clock } = setUp();
  const { sessionId } = await linkWithCode(simulator);
  clock.advanceSeconds(29 * 60);
  expect(simulator.current(sessionId)?.linked).toBe(true);
  clock.advanceSeconds(2 * 60);
  expect(simulator.current(sessionId)).toBeUndefined();
  await expect(simulator.say(sessionId, "what's my name")).rejects.toBeInstanceOf(SimulatorError);
});

test('a conversation stays open while the skill listens, and a new one starts after it ends', async () => {
  const { simulator } = setUp();
  const { sessionId } = await linkWithCode(simulator);
  const launch = await simulator.say(sessionId, 'help');
  expect(launch.sessionEnded).toBe(false);
  const next = await simulator.say(sessionId, 'stop');
  const sent = next.requestJson as { session: { new: boolean; sessionId: string } };
  expect(sent.session.new).toBe(false);
  expect(sent.session.sessionId).toBe((launch.requestJson as { session: { sessionId: string } }).session.sessionId);
  expect(next.sessionEnded).toBe(true);
  const after = (await simulator.say(sessionId, 'help')).requestJson as { session: { new: boolean } };
  expect(after.session.new).toBe(true);
});

test('a language change after linking takes effect at once: the next words are German, sent and answered in German, and the link is kept', async () => {
  const { simulator } = setUp();
  const { sessionId } = await linkWithCode(simulator);
  const english = await simulator.say(sessionId, 'help');
  expect(english.speech).toContain('You can ask me');

  const view = simulator.changeLocale(sessionId, 'de-DE');
  expect(view).toMatchObject({ locale: 'de-DE', linked: true });
  expect(view.steps.at(-1)).toEqual({ title: 'Alexa switches language', status: 'ok', detail: 'from en-US to de-DE; the account stays linked' });
  const german = await simulator.say(sessionId, 'wie heiße ich');
  expect(german.understood.intent).toBe('GetNameIntent');
  const sent = german.requestJson as { request: { locale: string }; session: { new: boolean }; context: { System: { user: { accessToken?: string } } } };
  expect(sent.request.locale).toBe('de-DE');
  // A new Alexa session in the new language, still carrying the linked token.
  expect(sent.session.new).toBe(true);
  expect(sent.context.System.user.accessToken).toMatch(/^\(linked access token/);
  expect(german.speech).toMatch(/^Entschuldigung/);
});

test('a language the simulator does not speak is refused; so is a change with no session', () => {
  const { simulator } = setUp();
  const { sessionId } = simulator.startLinking({});
  expect(() => simulator.changeLocale(sessionId, 'fr-FR')).toThrow(expect.objectContaining({ status: 400 }));
  expect(() => simulator.changeLocale('no-such-session', 'de-DE')).toThrow(expect.objectContaining({ status: 404 }));
});

test('a person who cancels or denies at the provider reads plain words first, the OAuth code after', async () => {
  const { simulator } = setUp();
  const { sessionId, authorizeUrl } = simulator.startLinking({});
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  const view = await simulator.finishLinking(sessionId, { query: `?error=access_denied&error_description=The+user+declined.&state=${state}` }, TOKEN_URL);
  expect(view.steps.at(-1)).toEqual({
    title: 'Alexa reads the answer',
    status: 'failed',
    detail:
      'Access was not allowed: you cancelled at the sign-in page or chose Deny, so no account was linked. Press Link account to try again. (Alexa received error=access_denied: The user declined.)',
  });
});
