import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { demoLandingRoute } from './tools/demo/demo-landing.route';
import { homePageRoute } from './skill/home-page.route';
import { createLinkingRouter } from './linking/linking.router';
import type { LinkingDeps } from './linking/linking-deps';
import { errorBody } from './models/error-body';
import { describeCause } from './models/logger';
import { BodyReadError } from './models/read-body';
import { requestTarget } from './models/request-target';
import { privacyPolicyRoute } from './skill/privacy-policy.route';
import { createSimulatorRouter } from './tools/simulator/simulator.router';
import { createSkillRouter } from './skill/skill.router';
import type { SkillDeps } from './skill/skill-deps';

/** Everything the app reaches the outside through. Built by `buildDeps`, or by tests. */
export interface AppDeps extends LinkingDeps {
  /** Parts of the skill half that tests replace (the account API client); built from config when absent. */
  readonly skill?: Partial<SkillDeps>;
}

/**
 * The composition root: one Express app serving the linking middleware and the skill. Never listens.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are API JSON and per-request pages, never revalidated: no ETag hashing of every body.
  app.set('etag', false);
  // Express's own `env` (which error pages read) follows the config, not a second reading of NODE_ENV.
  app.set('env', deps.config.production ? 'production' : 'development');
  // Whose X-Forwarded-For tells the client's address (`req.ip`: the callback rate limit, the request log).
  // Off by default: the address is the connection's. PUBLIC_URL, never a forwarded header, is the external URL.
  app.set('trust proxy', deps.config.trustProxy === false || typeof deps.config.trustProxy === 'number' ? deps.config.trustProxy : [...deps.config.trustProxy]);
  app.use(requestLog(deps));
  app.use(refuseUnreadableTarget);

  app.get('/healthz', liveness(deps));
  app.get('/readyz', readiness(deps));
  // The skill first: Alexa's requests are the most frequent, and each router a request passes costs it.
  // The skill route parses its own raw body (signature verification needs the exact bytes).
  app.use(createSkillRouter(deps));
  app.use(createLinkingRouter(deps));
  const { config } = deps;
  const privacyPolicyUrl = config.skill.privacyPolicyUrl ?? `${config.publicUrl}/privacy`;
  app.get('/', homePageRoute({ demo: config.demo, simulator: config.simulator.enabled, linkMode: config.linkMode, privacyPolicyUrl }));
  // The skill manifest's default privacy policy URL is PUBLIC_URL/privacy; an operator's own URL replaces the page.
  if (!config.skill.privacyPolicyUrl) app.get('/privacy', privacyPolicyRoute(config.publicUrl));
  if (config.simulator.enabled) app.use(createSimulatorRouter(deps));
  else if (config.demo) app.get('/simulator/link', demoLandingRoute());

  app.use((_req, res) => {
    res.status(404).json(errorBody('not_found', 'there is nothing at this address'));
  });
  app.use(lastErrorHandler(deps));
  return app;
}

/**
 * `GET /healthz`, liveness: the process is up and answering. It reaches nothing outside, so a store or
 * provider outage never gets a healthy process restarted; `GET /readyz` says whether it can serve.
 */
function liveness(deps: AppDeps) {
  return (_req: Request, res: Response): void => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', mode: deps.config.linkMode, provider: deps.upstream.providerName });
  };
}

/**
 * `GET /readyz`, readiness: `200` when this instance can serve (the store answers, and the provider's
 * profile is loaded, discovery included), else `503` naming what cannot, so a load balancer or the
 * image's `HEALTHCHECK` stops sending it traffic until it can. Discovery runs before linkbridge listens and
 * a failed one stops the start, so a listening instance has its provider; the store is asked each time.
 */
function readiness(deps: AppDeps) {
  const provider = deps.config.upstream.issuer ? 'discovered' : 'configured';
  return async (_req: Request, res: Response): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    try {
      await deps.store.ping();
    } catch {
      res.status(503).json({ status: 'unavailable', store: 'unavailable', provider });
      return;
    }
    res.json({ status: 'ready', store: 'ok', provider });
  };
}

/**
 * What no route answered itself: a body the reader refused, by its type (its status and description),
 * else `500 server_error` with a generic description, the cause only in the log.
 */
function lastErrorHandler(deps: AppDeps) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof BodyReadError) {
      res.status(error.status).json(errorBody('invalid_request', error.message));
      return;
    }
    deps.logger.error({ cause: describeCause(error) }, 'unhandled error');
    res.status(500).json(errorBody('server_error', 'linkbridge could not answer this request'));
  };
}

/**
 * One line per request: method, path without the query (it can hold codes), status, duration, and the
 * client's address (the connection's, or with `TRUST_PROXY` the one the trusted proxies report).
 */
function requestLog(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = deps.clock.now();
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      // The query is dropped (it can hold codes); a target that does not parse is logged as such, not as text.
      const path = requestTarget(req)?.pathname ?? UNREADABLE_TARGET;
      deps.logger.info({ requestId, method: req.method, path, status: res.statusCode, ms: deps.clock.now() - started, clientAddress: req.ip }, 'request');
    });
    next();
  };
}

/** What the request log says for a request target that does not parse. */
const UNREADABLE_TARGET = '(unreadable request target)';

/**
 * A request target that does not parse (an absolute-form URL with a bad authority, authority-form,
 * asterisk-form) is a client's fault: 400 before any route runs, so no route ever sees one.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 */
function refuseUnreadableTarget(req: Request, res: Response, next: NextFunction): void {
  if (requestTarget(req)) return next();
  res.status(400).set('Cache-Control', 'no-store').json(errorBody('invalid_request', 'the request target cannot be read'));
}
