import { SPEECH } from '../../skill/speech/speech-strings';
import type { SessionView, Step, Turn } from './simulator';

/** What the headless journey is told. */
export interface JourneyOptions {
  /** linkbridge's address, such as http://localhost:3000. */
  readonly baseUrl: string;
  readonly login: string;
  readonly password: string;
  readonly locale: string;
  readonly region: string;
  /** What the user says once linked, in order. */
  readonly utterances: readonly string[];
  /** Signs in at the provider; the default fills the provider's sign-in and consent forms. */
  readonly signIn?: (authorizeUrl: string, redirectUri: string) => Promise<string>;
  readonly fetch?: typeof fetch;
}

/** A step of the journey as printed. */
export interface JourneyEvent {
  readonly kind: 'step' | 'turn';
  readonly step?: Step;
  readonly turn?: Turn;
}

/** The first thing that went wrong: the step's name and why. */
export class JourneyFailure extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step}: ${reason}`);
  }
}

/** What the skill says when it could not answer, in every locale: an answer like this fails the journey. */
const NO_ANSWER = new Set(Object.values(SPEECH).flatMap((strings) => [strings.accountUnavailable, strings.error, strings.notConfigured, strings.linkExpired, strings.notLinked]));

/**
 * The simulator's journey without a browser: start linking at `/simulator/api/link`, sign in at the
 * provider by following redirects and filling its forms, hand the redirect back, then say each utterance.
 * Reports every step to `report` and throws a {@link JourneyFailure} naming the first step that failed.
 */
export async function runJourney(options: JourneyOptions, report: (event: JourneyEvent) => void): Promise<void> {
  const http = options.fetch ?? fetch;
  const jar = new CookieJar();
  const base = options.baseUrl.replace(/\/+$/, '');

  const reach = Date.now();
  const health = await attempt('reach linkbridge', () => http(`${base}/healthz`), (code) =>
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `nothing answers at ${base} (${code}): linkbridge must be running at that address. Start it with npm start in another terminal, or give its address with --url or LINKBRIDGE_URL`
      : undefined,
  );
  if (!health.ok) throw new JourneyFailure('reach linkbridge', `${base}/healthz answered HTTP ${health.status}`);
  report({ kind: 'step', step: { title: 'reach linkbridge', status: 'ok', detail: `${base} answers`, ms: Date.now() - reach } });

  const started = await attempt('start linking', () =>
    jar.fetch(http, `${base}/simulator/api/link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: options.locale, region: options.region, redirect: 'regional' }) }),
  );
  if (started.status === 404) throw new JourneyFailure('start linking', `${base} serves no simulator: run it in demo mode, or with SIMULATOR=true`);
  const link = (await started.json()) as { authorizeUrl?: string; session?: SessionView; error?: string };
  if (!started.ok || !link.authorizeUrl || !link.session) throw new JourneyFailure('start linking', link.error ?? `HTTP ${started.status}`);
  for (const step of link.session.steps) report({ kind: 'step', step });

  const redirectUri = new URL(link.authorizeUrl).searchParams.get('redirect_uri') ?? '';
  const signIn = options.signIn ?? ((url: string, stopAt: string) => signInWithForms(http, url, stopAt, options.login, options.password));
  let landing: URL;
  try {
    landing = new URL(await signIn(link.authorizeUrl, redirectUri));
  } catch (error) {
    throw new JourneyFailure(`sign in at the provider as "${options.login}"`, error instanceof Error ? error.message : String(error));
  }

  const finished = await attempt('finish linking', () =>
    jar.fetch(http, `${base}/simulator/api/landing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: landing.search, fragment: landing.hash }) }),
  );
  const result = (await finished.json()) as { session?: SessionView; error?: string };
  if (!finished.ok || !result.session) throw new JourneyFailure('finish linking', result.error ?? `HTTP ${finished.status}`);
  for (const step of result.session.steps.slice(link.session.steps.length)) {
    report({ kind: 'step', step });
    if (step.status === 'failed') throw new JourneyFailure(step.title, step.detail);
  }
  if (!result.session.linked) throw new JourneyFailure('finish linking', 'Alexa holds no token');

  for (const words of options.utterances) {
    const said = await attempt(`say "${words}"`, () =>
      jar.fetch(http, `${base}/simulator/api/say`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ words }) }),
    );
    const answer = (await said.json()) as { turn?: Turn; error?: string };
    if (!said.ok || !answer.turn) throw new JourneyFailure(`say "${words}"`, answer.error ?? `HTTP ${said.status}`);
    report({ kind: 'turn', turn: answer.turn });
    const { turn } = answer;
    if (turn.status !== 200) throw new JourneyFailure(`say "${words}"`, `the skill answered HTTP ${turn.status}`);
    if (turn.ms > turn.budgetMs) throw new JourneyFailure(`say "${words}"`, `the skill took ${turn.ms} ms; Alexa gives up after ${turn.budgetMs} ms`);
    if (turn.speech && NO_ANSWER.has(turn.speech)) throw new JourneyFailure(`say "${words}"`, `the skill could not answer: "${turn.speech}"`);
  }
}

/**
 * Runs one request of a step; a network failure becomes a {@link JourneyFailure} for that step, in the
 * words `explain` has for its error code, if any.
 */
async function attempt(step: string, request: () => Promise<Response>, explain: (code: string) => string | undefined = () => undefined): Promise<Response> {
  try {
    return await request();
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
    throw new JourneyFailure(step, (typeof code === 'string' && explain(code)) || networkReason(error));
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `the connection failed (${cause.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Cookies per host, enough for a provider's sign-in and the simulator's session cookie. */
class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  async fetch(http: typeof fetch, url: string, init: RequestInit = {}): Promise<Response> {
    const { host } = new URL(url);
    const jar = this.jars.get(host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await http(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.jars.set(host, jar);
    return response;
  }
}

/**
 * Signs in the way a person would with the provider's plain HTML pages: follows redirects, fills
 * `login` and `password` in the first form of each page and submits it (sign-in, then consent), until
 * it is sent to `redirectUri`, which it returns without requesting it (Alexa's own page).
 */
export async function signInWithForms(http: typeof fetch, startUrl: string, redirectUri: string, login: string, password: string, maxSteps = 15): Promise<string> {
  const jar = new CookieJar();
  let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: startUrl, method: 'GET' };
  for (let step = 0; step < maxSteps; step += 1) {
    if (next.url.startsWith(redirectUri)) return next.url;
    const where = new URL(next.url);
    let response: Response;
    try {
      response = await jar.fetch(http, next.url, {
        method: next.method,
        headers: next.body === undefined ? { accept: 'text/html' } : { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: next.body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(`cannot reach ${where.origin}${where.pathname}: ${networkReason(error)}`);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      next = { url: new URL(location, next.url).toString(), method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = firstForm(html, next.url);
    if (!form) {
      const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim();
      throw new Error(`stopped at ${where.origin}${where.pathname} (HTTP ${response.status}${heading ? `: ${heading}` : ''}) with no form to submit`);
    }
    const fields = new URLSearchParams(form.fields);
    if (fields.has('login')) fields.set('login', login);
    if (fields.has('password')) fields.set('password', password);
    next = { url: form.action, method: 'POST', body: fields.toString() };
  }
  throw new Error(`the sign-in did not come back to ${redirectUri} within ${maxSteps} pages`);
}

function firstForm(html: string, pageUrl: string): { action: string; fields: Array<[string, string]> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /action="([^"]*)"/i.exec(form[0])?.[1] ?? pageUrl;
  const fields: Array<[string, string]> = [];
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields.push([name, decodeEntities(/value="([^"]*)"/i.exec(input[0])?.[1] ?? '')]);
  }
  return { action: new URL(decodeEntities(action), pageUrl).toString(), fields };
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
