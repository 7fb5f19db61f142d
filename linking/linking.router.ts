import { Router } from 'express';
import { authorizeRoute } from './authorize.route';
import { callbackRoute } from './callback.route';
import type { LinkingDeps } from './linking-deps';
import { tokenRoute } from './token.route';

/** The linking middleware's routes: the contract Alexa and the provider are configured with. */
export function createLinkingRouter(deps: LinkingDeps): Router {
  const router = Router();
  router.get('/oauth/authorize', authorizeRoute(deps));
  router.get('/oauth/callback', callbackRoute(deps));
  router.post('/oauth/token', ...tokenRoute(deps));
  // RFC 6749 §3.2: the token endpoint takes POST only.
  router.all('/oauth/token', (_req, res) => {
    res.status(405).set({ Allow: 'POST', 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      error: 'invalid_request',
      error_description: 'the token endpoint accepts POST only',
    });
  });
  return router;
}
