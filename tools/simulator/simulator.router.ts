import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../../models/clock';
import { describeCause } from '../../models/logger';
import { pageHeaders } from '../../models/html-page';
import { linkingScopes, type ProviderProfile } from '../../models/provider-profile';
import { createInProcessSkill } from '../../skill/in-process-skill';
import type { SkillHostDeps } from '../../skill/skill-deps';
import { ALEXA_REGIONS } from './alexa-request';
import { simulatorPage } from './simulator-page';
import { SIMULATOR_SCRIPT } from './simulator-script';
import { Simulator, SimulatorError, SUPPORTED_LOCALES } from './simulator';

/** What the simulator's routes need: the skill's host deps, a clock for timings, fetch for the token endpoint. */
export interface SimulatorRouterDeps extends SkillHostDeps {
  readonly clock: Clock;
  /** The provider profile as resolved at start: the scopes the simulator sends, as Alexa would, come from it. */
  readonly upstream: { readonly profile: ProviderProfile };
  readonly fetch?: typeof fetch;
}

const COOKIE = 'linkbridge_simulator';

/**
 * `GET /simulator`: a page that plays Alexa against this linkbridge (and `/simulator/link`, the redirect
 * URL it links with), plus the JSON API the page and `npm run simulate` use. Mounted only in demo mode or
 * with `SIMULATOR=true`. The API takes JSON only and its cookie is `SameSite=Lax`, so other sites cannot
 * drive it; the skill is reached in-process, so `POST /alexa` keeps checking every signature.
 */
export function createSimulatorRouter(deps: SimulatorRouterDeps): Router {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'simulator' });
  const simulator = new Simulator({ config, scopes: linkingScopes(deps.upstream.profile), clock: deps.clock, fetch: deps.fetch ?? fetch, skill: createInProcessSkill(deps) });
  const secure = config.publicUrl.startsWith('https://');
  const pages = { main: simulatorPage('simulator/simulator.js'), link: simulatorPage('simulator.js') };
  const router = Router();

  router.get(['/simulator', '/simulator/link'], (req, res) => {
    res.status(200).set(pageHeaders({ script: true })).send(req.path === '/simulator' ? pages.main : pages.link);
  });
  router.get('/simulator/simulator.js', (_req, res) => {
    res.status(200).set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).send(SIMULATOR_SCRIPT);
  });

  const api = Router();
  api.use(express.json({ limit: '16kb', type: 'application/json' }));
  api.use((req, res, next) => {
    res.set('Cache-Control', 'no-store');
    if (req.method === 'POST' && !req.is('application/json')) return void res.status(415).json({ error: 'send JSON (Content-Type: application/json)' });
    next();
  });

  api.get('/session', (req, res) => {
    res.json({
      session: simulator.current(sessionIdOf(req)) ?? null,
      settings: {
        linkMode: config.linkMode,
        demo: config.demo,
        locales: SUPPORTED_LOCALES,
        regions: Object.entries(ALEXA_REGIONS).map(([id, region]) => ({ id, label: region.label })),
        publicUrl: config.publicUrl,
      },
    });
  });
  api.post('/link', (req, res) => {
    const body = bodyOf(req);
    const started = simulator.startLinking({ locale: body.locale, region: body.region, redirect: body.redirect });
    res.cookie(COOKIE, started.sessionId, { httpOnly: true, sameSite: 'lax', secure, path: '/simulator', maxAge: 30 * 60 * 1000 });
    res.json({ authorizeUrl: started.authorizeUrl, session: started.view });
  });
  api.post('/landing', async (req, res) => {
    const body = bodyOf(req);
    res.json({ session: await simulator.finishLinking(sessionIdOf(req), { query: body.query, fragment: body.fragment }, tokenUrl(req)) });
  });
  api.post('/locale', (req, res) => {
    res.json({ session: simulator.changeLocale(sessionIdOf(req), bodyOf(req).locale) });
  });
  api.post('/refresh', async (req, res) => {
    res.json({ session: await simulator.refreshAgain(sessionIdOf(req), tokenUrl(req)) });
  });
  api.post('/say', async (req, res) => {
    res.json({ turn: await simulator.say(sessionIdOf(req), bodyOf(req).words) });
  });
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof SimulatorError) return void res.status(error.status).json({ error: error.message });
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: 'the request body is not JSON the simulator understands' });
    logger.error({ cause: describeCause(error) }, 'simulator request failed');
    res.status(500).json({ error: 'the simulator failed; see the log' });
  });
  router.use('/simulator/api', api);
  return router;
}

function bodyOf(req: Request): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

function sessionIdOf(req: Request): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    // The value is the simulator's own (base64url), never percent-encoded: read as it is, so no cookie can make decoding throw.
    if (pair.slice(0, at).trim() === COOKIE) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * linkbridge's token endpoint as this process reaches it: the address and port this request came in
 * on, so the call never leaves the machine whatever PUBLIC_URL says.
 */
function tokenUrl(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}/oauth/token`;
}
