import type { RequestHandler } from 'express';
import { escapeHtml, htmlPage, pageHeaders } from '../models/html-page';

export interface HomePageOptions {
  readonly demo: boolean;
  readonly simulator: boolean;
  readonly linkMode: string;
  /** Where the privacy policy is: this service's `/privacy`, or the operator's own page. */
  readonly privacyPolicyUrl: string;
}

/** `GET /`: what this service is, where to try it (the simulator, when on) and where the docs are. */
export function homePageRoute(options: HomePageOptions): RequestHandler {
  const body = `<h1>linkbridge is running</h1>
<p>An Alexa skill backend with account linking built in: <code>/oauth/authorize</code> and <code>/oauth/token</code> for Alexa,
<code>/oauth/callback</code> for the provider, <code>POST /alexa</code> for the skill.</p>
<p>Mode: ${options.demo ? 'demo (an embedded provider stands in for a real one)' : 'connected to a provider'}, ${escapeHtml(options.linkMode)} grant.</p>
${
  options.simulator
    ? `<p><a class="button" id="open-simulator" href="simulator">Open the simulator</a></p>
<p>It plays Alexa: links an account through linkbridge, then lets you ask the skill "what's my name".</p>`
    : '<p>The simulator is off (set <code>SIMULATOR=true</code> to serve it).</p>'
}
<p>Documentation: the <code>README.md</code> of this project and its <code>docs/</code> (configuration, routes, deploying the skill with ask-cli).
Health: <a href="healthz"><code>/healthz</code></a>. <a href="${escapeHtml(options.privacyPolicyUrl)}">Privacy policy</a>.</p>`;
  const page = htmlPage({ title: 'linkbridge', body: `<main>\n${body}\n</main>` });
  return (_req, res) => {
    res.status(200).set(pageHeaders()).send(page);
  };
}
