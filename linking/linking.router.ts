import { randomUUID } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { Clock } from '../models/clock';
import { authorizeRoute } from './authorize.route';
import { callbackRoute } from './callback.route';
import { sendErrorPage } from './error-page';
import { LinkingPageError } from './errors';
import { callbacksRateLimited } from './flow-log';
import type { LinkingDeps } from './linking-deps';
import { tokenMethodNotAllowed, tokenRoute } from './token.route';

/** The linking middleware's routes: the contract Alexa and the provider are configured with. */
export function createLinkingRouter(deps: LinkingDeps): Router {
  const router = Router();
  router.get('/oauth/authorize', authorizeRoute(deps));
  // The callback is the one route anyone can make write to the store (a state mark and a code), so
  // how often one address may do so is bounded.
  router.get('/oauth/callback', callbackRateLimit(deps), callbackRoute(deps));
  router.post('/oauth/token', ...tokenRoute(deps));
  // RFC 6749 §3.2: the token endpoint takes POST only.
  router.all('/oauth/token', ...tokenMethodNotAllowed(deps));
  return router;
}

/**
 * `429` with an error page once an address has used up its callbacks for now (`CALLBACK_RATE_BURST` at
 * once, then `CALLBACK_RATE_PER_SECOND`). The address is Express's `req.ip`: the connection's, or with
 * `TRUST_PROXY` the client's as the trusted proxies report it, so that users behind one proxy are counted
 * apart.
 */
function callbackRateLimit(deps: LinkingDeps): RequestHandler {
  const { burst, perSecond } = deps.config.callbackRate;
  const buckets = new TokenBuckets(deps.clock, burst, perSecond);
  return (req, res, next) => {
    if (buckets.take(req.ip ?? req.socket.remoteAddress ?? 'unknown')) return next();
    const reference = randomUUID();
    callbacksRateLimited(deps.logger, reference);
    deps.metrics.callback('rate_limited');
    res.set('Retry-After', '10');
    sendErrorPage(res, new LinkingPageError('Too many sign-in answers', 'This address sent more sign-in answers than anyone linking an account would. Wait a few seconds and try again.', { status: 429, advice: 'retry' }), reference);
  };
}

/** One token bucket per key, in a map of bounded size (the oldest key goes first). */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key`; `false` when none is left. */
  take(key: string): boolean {
    const now = this.clock.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond) : this.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return true;
  }
}
