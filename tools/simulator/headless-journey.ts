import { SPEECH } from '../../skill/speech/speech-strings';
import { CookieJar, networkReason, signInWithForms } from '../browser/form-walker';
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
  const signIn = options.signIn ?? ((url: string, stopAt: string) => signInWithForms(url, stopAt, { fetch: http, login: options.login, password: options.password }));
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

