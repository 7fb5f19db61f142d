import type { Response } from 'express';
import { LinkingPageError } from './errors';
import { StateRejectedError } from './sealing';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * The page a user sees when linking cannot go back to Alexa safely. It says what went wrong and what
 * to do, and carries a reference the skill developer can find in the logs. It never redirects.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function sendErrorPage(res: Response, error: LinkingPageError, reference: string): void {
  res
    .status(error.status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
    })
    .send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Account linking failed: ${escapeHtml(error.title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.5; }
  h1 { font-size: 1.4rem; }
  .reference { color: #555; font-size: 0.9rem; }
  code { background: #f2f2f2; padding: 0 0.2rem; }
</style>
</head>
<body>
<main>
<h1 id="error-title">${escapeHtml(error.title)}</h1>
<p id="error-explanation">${escapeHtml(error.explanation)}</p>
<p>Close this page and start linking again from the skill's page in the Alexa app.</p>
<p class="reference">Reference: <code id="error-reference">${escapeHtml(reference)}</code></p>
</main>
</body>
</html>
`);
}

/**
 * The one mapper from a failure to the page a user sees: a page error as it is, a sealed state that
 * cannot be trusted explained, anything else a generic page with its cause kept for the log.
 */
export function toLinkingPage(error: unknown): LinkingPageError {
  if (error instanceof LinkingPageError) return error;
  if (error instanceof StateRejectedError) {
    return error.reason === 'expired'
      ? new LinkingPageError('This sign-in took too long', 'The linking flow expired before the account provider sent you back.', 400, error)
      : new LinkingPageError('This sign-in answer cannot be trusted', 'The state the account provider sent back was altered or was not made by this server.', 400, error);
  }
  return new LinkingPageError('Something went wrong', 'linkbridge could not finish this request.', 500, error);
}
