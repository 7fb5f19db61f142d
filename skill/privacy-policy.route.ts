import type { RequestHandler } from 'express';
import { escapeHtml, htmlPage, pageHeaders } from '../models/html-page';

/**
 * `GET /privacy`: the privacy policy the skill manifest points to when `PRIVACY_POLICY_URL` is not set
 * (skills with account linking must have one). It says what this service does with account data; an
 * operator with their own policy sets `PRIVACY_POLICY_URL` and this page is not served.
 * @see https://developer.amazon.com/docs/custom-skills/certification-requirements-for-custom-skills.html
 */
export function privacyPolicyRoute(serviceUrl: string): RequestHandler {
  const page = htmlPage({
    title: 'Privacy policy',
    style: '  body { max-width: 40rem; }',
    body: `<main>
<h1>Privacy policy</h1>
<p>This Alexa skill is served by linkbridge at <code>${escapeHtml(serviceUrl)}</code>. It answers questions about the account you link to it.</p>
<h2>What is kept</h2>
<ul>
<li>When you link your account, the tokens your account provider issues are kept so that Alexa can renew your link. They are deleted when they expire or are replaced.</li>
<li>Your profile (name, email address and the other details you ask about) is read from your account provider each time you ask, spoken to you, and not stored.</li>
<li>Service logs record requests with a random reference and your Alexa user id, never your tokens, codes or passwords.</li>
</ul>
<h2>What is shared</h2>
<p>Nothing is sold or shared. Your answers go to Alexa, which speaks them to you.</p>
<h2>Stopping</h2>
<p>Disable the skill in the Alexa app to unlink your account, and revoke its access at your account provider.</p>
</main>`,
  });
  return (_req, res) => {
    res.status(200).set(pageHeaders()).send(page);
  };
}
