import { htmlPage } from '../../models/html-page';

/**
 * The simulator's page: one screen that works on a phone. Everything dynamic is filled in by
 * `simulator.js` with `textContent` (never as HTML), under a policy that allows only this origin's script.
 * @param scriptSrc the script's address relative to the page (`/simulator` and `/simulator/link` differ)
 */
export function simulatorPage(scriptSrc: string): string {
  return htmlPage({
    title: 'linkbridge simulator',
    scriptSrc,
    style: `  :root { color-scheme: light; --accent: #0b5cad; --ok: #1a7f37; --bad: #b42318; }
  * { box-sizing: border-box; }
  body { font-family: system-ui, -apple-system, sans-serif; margin: 0 auto; max-width: 44rem; padding: 1rem; color: #1b1b1b; line-height: 1.45; }
  h1 { font-size: 1.35rem; margin: 0.2rem 0; }
  h2 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
  .lead { margin-top: 0; color: #444; }
  .row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: end; }
  .row label { flex: 1 1 10rem; }
  label { display: block; font-weight: 600; font-size: 0.95rem; }
  select, input[type=text] { display: block; width: 100%; margin-top: 0.2rem; font: inherit; font-size: 16px; padding: 0.55rem; border: 1px solid #888; border-radius: 6px; background: #fff; }
  button { font: inherit; padding: 0.6rem 1.1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; min-height: 2.75rem; }
  button.secondary { background: #e8e8e8; color: #1b1b1b; }
  button.chip { background: #eef3fa; color: #0b3d73; padding: 0.3rem 0.7rem; min-height: 2.2rem; margin: 0.2rem 0.2rem 0 0; }
  button:disabled { opacity: 0.6; }
  ol { padding-left: 1.3rem; }
  .step { margin: 0.45rem 0; }
  .step .title { font-weight: 600; }
  .step.ok .mark { color: var(--ok); }
  .step.failed .mark { color: var(--bad); }
  .detail { color: #444; font-size: 0.92rem; overflow-wrap: anywhere; }
  .timing { font-variant-numeric: tabular-nums; font-size: 0.9rem; }
  .timing.over { color: var(--bad); font-weight: 600; }
  #say-form { display: flex; gap: 0.5rem; align-items: end; }
  #say-form label { flex: 1; }
  .turns { list-style: none; padding: 0; }
  .turn { border: 1px solid #ddd; border-radius: 8px; padding: 0.7rem 0.8rem; margin: 0.7rem 0; }
  .turn .said { font-weight: 600; }
  .turn .speech { font-size: 1.1rem; margin: 0.35rem 0; }
  .card { border-left: 4px solid var(--accent); background: #f3f7fc; padding: 0.4rem 0.6rem; margin: 0.4rem 0; font-size: 0.92rem; }
  details pre { background: #f5f5f5; padding: 0.6rem; overflow: auto; max-height: 24rem; font-size: 0.8rem; }
  #notice { padding: 0.6rem 0.8rem; border-radius: 6px; background: #fff4e5; }
  #notice:empty { display: none; }
  [hidden] { display: none !important; }`,
    body: `<header>
<h1>linkbridge simulator</h1>
<p class="lead">Plays Alexa against this linkbridge: links an account as the Alexa app does, then lets you talk to the skill.</p>
</header>
<main>
<p id="notice" role="status"></p>
<section id="setup" aria-labelledby="setup-title">
<h2 id="setup-title">1. Link an account</h2>
<div class="row">
<label for="locale">Language<select id="locale"></select></label>
<label for="region">Alexa region<select id="region"></select></label>
</div>
<p class="detail" id="mode"></p>
<button type="button" id="link">Link account</button>
</section>
<section id="linking" aria-labelledby="linking-title" hidden>
<h2 id="linking-title">What Alexa did</h2>
<ol id="steps"></ol>
<button type="button" class="secondary" id="refresh" hidden>Refresh the token again</button>
</section>
<section id="talk" aria-labelledby="talk-title" hidden>
<h2 id="talk-title">2. Talk to the skill</h2>
<form id="say-form" autocomplete="off">
<label for="utterance">You say<input type="text" id="utterance" name="utterance" maxlength="500" value="what's my name" enterkeyhint="send"></label>
<button type="submit" id="say">Say</button>
</form>
<div id="suggestions" aria-label="Things to try"></div>
<ol class="turns" id="turns" aria-live="polite"></ol>
</section>
</main>`,
  });
}
