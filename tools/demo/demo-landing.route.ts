import type { RequestHandler } from 'express';
import { requestQuery } from '../../models/request-target';
import { escapeHtml, htmlPage, pageHeaders } from '../../models/html-page';
import { plainLinkingError } from '../simulator/linking-errors';

/**
 * Demo mode with the simulator switched off: stands in for Alexa's redirect page
 * (`PUBLIC_URL/simulator/link`) and says what Alexa received. It never shows the code or a token.
 * (With the simulator on, the simulator serves this address and finishes the linking as Alexa does.)
 */
export function demoLandingRoute(): RequestHandler {
  return (req, res) => {
    const params = requestQuery(req);
    const error = params.get('error');
    const linked = params.has('code');
    const title = error === 'access_denied' ? 'Linking cancelled' : error ? 'Linking failed' : 'Account linked';
    const detail = error
      ? plainLinkingError(error, params.get('error_description'))
      : linked
        ? 'linkbridge gave Alexa an authorization code. Alexa now exchanges it at POST /oauth/token for the account\'s tokens.'
        : 'In implicit mode linkbridge put the access token in this page\'s URL fragment (after #), where Alexa reads it; the fragment never reaches a server.';
    res
      .status(200)
      .set(pageHeaders())
      .send(htmlPage({ title, body: `<main>\n<h1 id="result">${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<p>Alexa's state: <code>${escapeHtml(params.get('state') ?? '')}</code></p>
<p>To finish linking and talk to the skill as Alexa would, start linkbridge with the simulator on (<code>SIMULATOR=true</code>) and open <code>/simulator</code>.</p>
</main>` }));
  };
}
