import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ResponseEnvelope } from 'ask-sdk-model';
import type { Clock } from '../../models/clock';
import type { Config } from '../../models/config';
import type { InProcessSkill } from '../../skill/in-process-skill';
import { ALEXA_REGIONS, alexaRequest, newSimulatedSession, newSimulatedUser, type AlexaRegion, type SimulatedSession, type SimulatedUser } from './alexa-request';
import { ALEXA_SKILL_BUDGET_MS, ALEXA_TOKEN_BUDGET_MS, requestToken, startLinking, type LinkingAttempt, type TokenAnswer } from './alexa-linking';
import { INTERACTION_MODELS } from './interaction-models';
import { plainLinkingError } from './linking-errors';
import { resolveUtterance, type Understood } from './utterance-resolver';

/** One thing Alexa did, as the simulator shows it. Never holds a code or a token. */
export interface Step {
  readonly title: string;
  readonly status: 'ok' | 'failed';
  readonly detail: string;
  readonly ms?: number;
  /** Alexa's time limit for this step. */
  readonly budgetMs?: number;
}

/** One exchange with the skill: what was typed, what Alexa understood, what it sent and got back. */
export interface Turn {
  readonly said: string;
  readonly understood: { readonly request: Understood['type']; readonly intent?: string; readonly slots?: Readonly<Record<string, string | undefined>>; readonly sample?: string };
  readonly status: number;
  readonly ms: number;
  readonly budgetMs: number;
  /** The spoken answer as text; the reprompt if the skill keeps listening. */
  readonly speech?: string;
  readonly reprompt?: string;
  readonly card?: { readonly type: string; readonly title?: string; readonly content?: string };
  readonly sessionEnded: boolean;
  /** The JSON sent to the skill (access token masked) and the JSON it answered. */
  readonly requestJson: unknown;
  readonly responseJson: unknown;
}

/** Where Alexa is sent back to after sign-in. */
export type RedirectChoice = 'page' | 'regional';

interface SessionState {
  readonly id: string;
  readonly createdAt: number;
  /** The language Alexa speaks; changing it keeps the link, as a person changing the device's language would. */
  locale: string;
  readonly region: AlexaRegion;
  user: SimulatedUser;
  linking?: LinkingAttempt & { readonly startedAt: number };
  tokens?: { accessToken: string; refreshToken?: string };
  conversation?: SimulatedSession;
  steps: Step[];
}

/** A summary of a simulator session the page and the command line show. */
export interface SessionView {
  readonly locale: string;
  readonly region: AlexaRegion;
  readonly linkMode: Config['linkMode'];
  readonly linked: boolean;
  readonly linkingInProgress: boolean;
  readonly steps: readonly Step[];
}

export interface SimulatorDeps {
  readonly config: Config;
  /** The scopes Alexa sends: those `skill:package` writes into Alexa's account-linking settings (`linkingScopes`). */
  readonly scopes: readonly string[];
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly skill: InProcessSkill;
}

/** Simulator sessions live this long without use. */
const SESSION_TTL_MS = 30 * 60 * 1000;
/** Most sessions kept at once; the oldest is dropped first. */
const MAX_SESSIONS = 500;
export const SUPPORTED_LOCALES = Object.keys(INTERACTION_MODELS);

/** A problem with what the page or the command line asked; the message is safe to show. */
export class SimulatorError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Alexa, played inside linkbridge: it links an account through linkbridge's own authorization and token
 * endpoints over HTTP (state, PKCE S256, the redirect URI, the code exchange with the skill's client
 * credentials or the implicit fragment, a refresh), timing each answer against Alexa's budgets; then it
 * turns typed words into the requests Alexa would send, using the skill's own interaction models, and
 * hands them to the skill in-process. Sessions are kept in memory, one per browser (cookie) or command line run.
 */
export class Simulator {
  private readonly sessions = new Map<string, SessionState>();

  constructor(private readonly deps: SimulatorDeps) {}

  /** The redirect URI the simulator's own page receives: Alexa's regional page cannot come back here. */
  get pageRedirectUri(): string {
    return `${this.deps.config.publicUrl}/simulator/link`;
  }

  /**
   * Starts linking: a new session (the previous one is forgotten), the authorization URL to open, and
   * the first step. `regional` uses the allowlisted `https://{region host}/api/skill/link/{vendor id}`
   * when there is one (for callers that read the redirect without following it).
   */
  startLinking(options: { locale?: unknown; region?: unknown; redirect?: unknown }): { sessionId: string; authorizeUrl: string; view: SessionView } {
    const { config } = this.deps;
    const locale = supportedLocale(options.locale) ?? 'en-US';
    const region: AlexaRegion = typeof options.region === 'string' && Object.hasOwn(ALEXA_REGIONS, options.region) ? (options.region as AlexaRegion) : 'NA';
    const regional = options.redirect === 'regional' ? this.regionalRedirectUri(region) : undefined;
    const redirectUri = regional ?? this.pageRedirectUri;
    if (!config.alexa.redirectUrls.has(redirectUri)) {
      throw new SimulatorError(
        409,
        `linkbridge does not allow the simulator's redirect URL ${redirectUri}: add it to ALEXA_REDIRECT_URLS (demo mode allows it already)`,
      );
    }
    const attempt = startLinking({
      authorizationUrl: `${config.publicUrl}/oauth/authorize`,
      clientId: config.alexa.clientId,
      responseType: config.linkMode === 'code' ? 'code' : 'token',
      redirectUri,
      scope: this.deps.scopes.join(' ') || undefined,
    });
    const session = this.newSession(locale, region);
    session.linking = { ...attempt, startedAt: this.deps.clock.now() };
    const standIn = regional ? '' : ` (standing in for Alexa's ${ALEXA_REGIONS[region].label} page https://${ALEXA_REGIONS[region].redirectHost}/api/skill/link/…)`;
    session.steps.push({
      title: 'Alexa opens the authorization URL',
      status: 'ok',
      detail: `GET /oauth/authorize with response_type=${attempt.responseType}, a new state, ${attempt.responseType === 'code' ? 'PKCE S256, ' : ''}redirect_uri ${redirectUri}${standIn}`,
    });
    return { sessionId: session.id, authorizeUrl: attempt.authorizeUrl, view: this.view(session) };
  }

  /**
   * The redirect back to Alexa: the query (code mode) or fragment (implicit mode) it carried. Checks
   * the state, then in code mode exchanges the code and refreshes once, as Alexa does.
   * @param tokenUrl linkbridge's token endpoint as reachable from this process
   */
  async finishLinking(sessionId: string | undefined, landing: { query?: unknown; fragment?: unknown }, tokenUrl: string): Promise<SessionView> {
    const session = this.session(sessionId);
    const linking = session.linking;
    if (!linking) throw new SimulatorError(409, 'no linking is in progress in this simulator session: start linking again');
    session.linking = undefined; // Alexa's state is single use
    const query = new URLSearchParams(typeof landing.query === 'string' ? landing.query.replace(/^\?/, '') : '');
    const fragment = new URLSearchParams(typeof landing.fragment === 'string' ? landing.fragment.replace(/^#/, '') : '');
    const params = linking.responseType === 'token' ? fragment : query;
    const seconds = Math.round((this.deps.clock.now() - linking.startedAt) / 1000);
    session.steps.push({ title: 'The user signs in at the provider', status: 'ok', detail: `back at Alexa's redirect URL after ${seconds} s (the person's time; Alexa sets no limit)` });

    if (!sameText(params.get('state') ?? '', linking.state)) {
      return this.fail(session, 'Alexa checks the state', params.has('state') ? 'the state that came back is not the one Alexa sent' : 'no state came back');
    }
    const error = params.get('error') ?? query.get('error');
    if (error) {
      const description = params.get('error_description') ?? query.get('error_description');
      return this.fail(session, 'Alexa reads the answer', plainLinkingError(error, description));
    }
    if (linking.responseType === 'token') {
      const accessToken = fragment.get('access_token');
      if (!accessToken || (fragment.get('token_type') ?? '').toLowerCase() !== 'bearer') {
        return this.fail(session, 'Alexa reads the token from the fragment', 'the fragment has no access_token with token_type=Bearer');
      }
      session.tokens = { accessToken };
      const expiresIn = fragment.get('expires_in');
      session.steps.push({
        title: 'Alexa reads the token from the URL fragment',
        status: 'ok',
        detail: `state matches; token_type=Bearer${expiresIn ? `, expires_in=${expiresIn}` : ''}. Implicit grant: there is no refresh token, so Alexa asks the user to link again when the token expires`,
      });
      return this.view(session);
    }

    const code = query.get('code');
    if (!code) return this.fail(session, 'Alexa reads the code', 'the redirect carries no code');
    session.steps.push({ title: 'Alexa reads the code', status: 'ok', detail: 'state matches; an authorization code came back in the query' });
    const exchanged = await this.token(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: linking.redirectUri, code_verifier: linking.codeVerifier });
    if (!this.tokenStep(session, 'Alexa exchanges the code at POST /oauth/token', exchanged)) return this.view(session);
    session.tokens = { accessToken: String(exchanged.body.access_token), refreshToken: optionalText(exchanged.body.refresh_token) };
    await this.refresh(session, tokenUrl);
    return this.view(session);
  }

  /** Refreshes the linked token again, as Alexa does before it expires. */
  async refreshAgain(sessionId: string | undefined, tokenUrl: string): Promise<SessionView> {
    const session = this.session(sessionId);
    if (!session.tokens) throw new SimulatorError(409, 'no account is linked in this simulator session');
    await this.refresh(session, tokenUrl);
    return this.view(session);
  }

  /**
   * Alexa now speaks another language: the next words are resolved against that locale's model and sent
   * with that locale, the link is kept, and a conversation under way ends (Alexa starts a new session).
   */
  changeLocale(sessionId: string | undefined, locale: unknown): SessionView {
    const chosen = supportedLocale(locale);
    if (!chosen) throw new SimulatorError(400, `the language must be one of ${SUPPORTED_LOCALES.join(', ')}`);
    const session = this.session(sessionId);
    if (chosen !== session.locale) {
      session.steps.push({ title: 'Alexa switches language', status: 'ok', detail: `from ${session.locale} to ${chosen}; the account stays linked` });
      session.locale = chosen;
      session.user = { ...session.user, locale: chosen };
      session.conversation = undefined;
    }
    return this.view(session);
  }

  /** What the user says: resolved against the locale's interaction model, sent to the skill as Alexa would. */
  async say(sessionId: string | undefined, words: unknown): Promise<Turn> {
    if (typeof words !== 'string' || words.trim() === '' || words.length > 500) {
      throw new SimulatorError(400, 'say something (up to 500 characters)');
    }
    const session = this.session(sessionId);
    const understood = resolveUtterance(words, INTERACTION_MODELS[session.locale], session.locale, session.user.applicationId);
    const conversation = session.conversation ?? newSimulatedSession();
    const user = { ...session.user, accessToken: session.tokens?.accessToken };
    const envelope = alexaRequest(understood, user, conversation, new Date(this.deps.clock.now()));
    const started = this.deps.clock.now();
    const answer = await this.deps.skill.invoke(envelope);
    const ms = this.deps.clock.now() - started;
    const response = answer.status === 200 ? answer.body.response : undefined;
    const sessionEnded = response?.shouldEndSession !== false;
    session.conversation = sessionEnded ? undefined : { sessionId: conversation.sessionId, new: false };
    return {
      said: words,
      understood: describe(understood),
      status: answer.status,
      ms,
      budgetMs: ALEXA_SKILL_BUDGET_MS,
      speech: spokenText(response?.outputSpeech),
      reprompt: spokenText(response?.reprompt?.outputSpeech),
      card: cardOf(answer.status === 200 ? answer.body : undefined),
      sessionEnded,
      requestJson: maskTokens(envelope),
      responseJson: answer.body,
    };
  }

  /** The session's state, or `undefined` when there is none. */
  current(sessionId: string | undefined): SessionView | undefined {
    const session = sessionId === undefined ? undefined : this.find(sessionId);
    return session && this.view(session);
  }

  private regionalRedirectUri(region: AlexaRegion): string | undefined {
    const prefix = `https://${ALEXA_REGIONS[region].redirectHost}/api/skill/link/`;
    return [...this.deps.config.alexa.redirectUrls].find((url) => url.startsWith(prefix));
  }

  private async refresh(session: SessionState, tokenUrl: string): Promise<void> {
    const refreshToken = session.tokens?.refreshToken;
    if (!refreshToken) {
      session.steps.push({ title: 'Alexa refreshes the token', status: 'ok', detail: 'no refresh token was issued, so Alexa cannot refresh; the user links again when the token expires' });
      return;
    }
    const refreshed = await this.token(tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
    if (!this.tokenStep(session, 'Alexa refreshes the token at POST /oauth/token', refreshed)) return;
    session.tokens = {
      accessToken: String(refreshed.body.access_token),
      // Alexa keeps the refresh token it holds when the answer carries none.
      refreshToken: optionalText(refreshed.body.refresh_token) ?? refreshToken,
    };
  }

  private token(tokenUrl: string, form: Record<string, string>): Promise<TokenAnswer> {
    const { config, clock } = this.deps;
    return requestToken(tokenUrl, form, { clientId: config.alexa.clientId, clientSecret: config.alexa.clientSecret }, { fetch: this.deps.fetch, clock });
  }

  /** Records a token call as a step; true when it gave Alexa a usable token in time. */
  private tokenStep(session: SessionState, title: string, answer: TokenAnswer): boolean {
    const timing = { ms: answer.ms, budgetMs: ALEXA_TOKEN_BUDGET_MS };
    const failed = (detail: string): false => {
      session.steps.push({ title, status: 'failed', detail, ...timing });
      return false;
    };
    if (answer.failure) return failed(answer.failure);
    if (answer.status !== 200) {
      const error = optionalText(answer.body.error) ?? 'no RFC 6749 error';
      const description = optionalText(answer.body.error_description);
      return failed(`HTTP ${answer.status}: ${error}${description ? ` (${description})` : ''}`);
    }
    const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, refresh_token: refreshToken } = answer.body;
    if (typeof accessToken !== 'string' || !accessToken || String(tokenType).toLowerCase() !== 'bearer') {
      return failed('the answer has no access_token with token_type Bearer');
    }
    if (answer.ms > ALEXA_TOKEN_BUDGET_MS) {
      return failed(`answered after ${answer.ms} ms; Alexa gives up after ${ALEXA_TOKEN_BUDGET_MS} ms`);
    }
    const lifetime = typeof expiresIn === 'number' ? `expires_in=${expiresIn}` : 'no expires_in (Alexa uses the skill\'s default)';
    session.steps.push({
      title,
      status: 'ok',
      detail: `HTTP 200, token_type=${String(tokenType)}, ${lifetime}, ${typeof refreshToken === 'string' ? 'with' : 'without'} a refresh token`,
      ...timing,
    });
    return true;
  }

  private fail(session: SessionState, title: string, detail: string): SessionView {
    session.steps.push({ title, status: 'failed', detail });
    return this.view(session);
  }

  private newSession(locale: string, region: AlexaRegion): SessionState {
    this.sweep();
    const id = randomBytes(24).toString('base64url');
    const applicationId = this.deps.config.skill.skillId ?? 'amzn1.ask.skill.linkbridge-simulator';
    const session: SessionState = { id, createdAt: this.deps.clock.now(), locale, region, user: newSimulatedUser(region, locale, applicationId), steps: [] };
    this.sessions.set(id, session);
    return session;
  }

  private session(sessionId: string | undefined): SessionState {
    const session = sessionId === undefined ? undefined : this.find(sessionId);
    if (!session) throw new SimulatorError(404, 'no simulator session: start linking first (sessions last 30 minutes)');
    return session;
  }

  private find(sessionId: string): SessionState | undefined {
    const session = this.sessions.get(sessionId);
    if (session && this.deps.clock.now() - session.createdAt > SESSION_TTL_MS) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  private sweep(): void {
    const now = this.deps.clock.now();
    for (const [id, session] of this.sessions) if (now - session.createdAt > SESSION_TTL_MS) this.sessions.delete(id);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }

  private view(session: SessionState): SessionView {
    return {
      locale: session.locale,
      region: session.region,
      linkMode: this.deps.config.linkMode,
      linked: session.tokens !== undefined,
      linkingInProgress: session.linking !== undefined,
      steps: [...session.steps],
    };
  }
}

function supportedLocale(locale: unknown): string | undefined {
  return typeof locale === 'string' && SUPPORTED_LOCALES.includes(locale) ? locale : undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describe(understood: Understood): Turn['understood'] {
  if (understood.type === 'LaunchRequest') return { request: 'LaunchRequest' };
  const slots = understood.intent.slots && Object.fromEntries(Object.entries(understood.intent.slots).map(([name, slot]) => [name, slot.value]));
  return { request: 'IntentRequest', intent: understood.intent.name, slots, sample: understood.matchedSample };
}

/** SSML as the words Alexa speaks. */
export function spokenText(speech: ResponseEnvelope['response']['outputSpeech'] | undefined): string | undefined {
  if (!speech) return undefined;
  if (speech.type === 'PlainText') return speech.text;
  return speech.ssml
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|apos|amp);/g, (_entity, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '');
}

function cardOf(envelope: ResponseEnvelope | undefined): Turn['card'] {
  const card = envelope?.response.card;
  if (!card) return undefined;
  if (card.type === 'LinkAccount') return { type: 'LinkAccount', title: 'Link Account', content: 'The Alexa app shows a card that opens account linking.' };
  if (card.type === 'Simple') return { type: card.type, title: card.title, content: card.content };
  if (card.type === 'Standard') return { type: card.type, title: card.title, content: card.text };
  return { type: card.type };
}

/** The envelope with its access tokens masked: the page shows the JSON, never the token. */
function maskTokens(envelope: unknown): unknown {
  return JSON.parse(JSON.stringify(envelope), (key, value: unknown) =>
    key === 'accessToken' && typeof value === 'string' ? `(linked access token, ${value.length} characters)` : value,
  );
}
