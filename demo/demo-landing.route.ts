import type { RequestHandler } from 'express';
import { escapeHtml } from '../linking/error-page';

/**
 * Demo mode only: stands in for Alexa's redirect page (`PUBLIC_URL/simulator/link`), so a linking flow
 * started from the URL printed at start-up ends on a page that says what Alexa received. It never
 * shows the code or a token.
 */
export function demoLandingRoute(): RequestHandler {
  return (req, res) => {
    const params = new URL(req.originalUrl, 'http://linkbridge.invalid').searchParams;
    const error = params.get('error');
    const linked = params.has('code');
    const title = error ? 'Linking failed' : linked ? 'Account linked' : 'Waiting for the answer';
    const detail = error
      ? `Alexa would receive error=${error}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}.`
      : linked
        ? 'linkbridge gave Alexa an authorization code. Alexa now exchanges it at POST /oauth/token for the account\'s tokens.'
        : 'In implicit mode the access token is in this page\'s URL fragment, which never reaches the server.';
    res
      .status(200)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }</style></head>
<body><main><h1 id="result">${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<p>Alexa's state: <code>${escapeHtml(params.get('state') ?? '')}</code></p></main></body></html>
`);
  };
}
