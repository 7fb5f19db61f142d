import type { Response } from 'express';
import { escapeHtml, htmlPage, pageHeaders } from '../models/html-page';
import { LinkingPageError, type PageAdvice } from './errors';
import type { StateRejectedError } from './sealing';

/** What the person can do, in plain words; the reference follows. */
const ADVICE: Readonly<Record<PageAdvice, string>> = {
  start_over: "Close this page, then link the skill again from its page in the Alexa app. If this keeps happening, tell the skill's developer and give them the reference below.",
  retry: "Please try again in a few minutes: close this page and link the skill again from the Alexa app. If it keeps happening, tell the skill's developer and give them the reference below.",
  contact: "This is not something you can fix. Please tell the skill's developer, and give them the reference below so they can find out what happened.",
};

/**
 * Whether the page may show developer hints (setting names, parameters): only outside production.
 * `createApp` sets Express's `env` from the config's `production` (`NODE_ENV=production`).
 */
export function pagesShowHints(res: Response): boolean {
  return res.app.get('env') !== 'production';
}

/**
 * The page a user sees when linking cannot go back to Alexa safely. It says in plain words what went
 * wrong and what to do, and carries a reference the skill developer can find in the logs. The
 * developer's hint (which setting to check) is shown only outside production; the log always has it.
 * It never redirects.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function sendErrorPage(res: Response, error: LinkingPageError, reference: string): void {
  const hint = pagesShowHints(res) && error.hint ? `<p class="hint" id="error-hint">For the developer (not shown in production): ${escapeHtml(error.hint)}</p>\n` : '';
  res
    .status(error.status)
    .set(pageHeaders())
    .send(
      htmlPage({
        title: `Account linking failed: ${error.title}`,
        body: `<main>
<h1 id="error-title">${escapeHtml(error.title)}</h1>
<p id="error-explanation">${escapeHtml(error.explanation)}</p>
<p id="error-advice">${escapeHtml(ADVICE[error.advice])}</p>
<p class="reference">Reference: <code id="error-reference">${escapeHtml(reference)}</code></p>
${hint}</main>`,
      }),
    );
}

/**
 * The page for a sealed state that cannot be trusted, by why: a restart without `SEALING_KEYS` is said
 * as such, not as tampering.
 */
export function stateRejectedPage(error: StateRejectedError): LinkingPageError {
  switch (error.reason) {
    case 'expired':
      return new LinkingPageError('This sign-in took too long', 'More than ten minutes passed between starting to link and coming back from the sign-in page, so it was stopped for your safety.', {
        cause: error,
        hint: 'the sealed state expired (STATE_TTL_SECONDS)',
      });
    case 'restarted':
      return new LinkingPageError('The service restarted while you were signing in', 'Your sign-in was interrupted because the service restarted. Nothing is wrong with your account.', {
        cause: error,
        setting: 'SEALING_KEYS',
        hint: 'the state was sealed with a key made for one run of the server because SEALING_KEYS is not set, and the server has restarted since; set SEALING_KEYS (the same on every instance) so sign-ins in progress survive a restart',
      });
    case 'unknown_key':
      return new LinkingPageError('This sign-in answer cannot be trusted', 'The answer from the sign-in page was not made by this service, so it was refused for your safety.', {
        cause: error,
        setting: 'SEALING_KEYS',
        hint: 'the state was sealed with a key that is not in SEALING_KEYS: instances with different keys behind one address, or a key removed less than ten minutes after it was replaced',
      });
    default:
      return new LinkingPageError('This sign-in answer cannot be trusted', 'The answer from the sign-in page was changed on the way, so it was refused for your safety.', {
        cause: error,
        hint: `the state failed its integrity check (${error.reason}): altered on the way, or not a state this service made`,
      });
  }
}
