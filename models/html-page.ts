/**
 * The one page module: every HTML page linkbridge and its tools serve (error pages, the home and privacy
 * pages, the demo provider's sign-in, the simulator) is escaped, framed and sent with the headers here.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML content or an attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * Headers for every page: no caching, no referrer, no framing, no MIME sniffing, and a content security
 * policy that allows inline styles only (`script`: plus this origin's own script files and API, for the
 * simulator). Forms are refused unless the page has some (`forms`: the demo provider's sign-in, whose form
 * ends in a redirect to another origin, which `form-action` would also govern).
 */
export function pageHeaders(options: { readonly script?: boolean; readonly forms?: boolean } = {}): Record<string, string> {
  const forms = options.forms ? '' : " form-action 'none';";
  const policy = options.script
    ? "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    : `default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';${forms} frame-ancestors 'none'`;
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  };
}

/** The styles every page shares: readable on a phone, where people link accounts, and on a desktop. */
const BASE_STYLE = `  body { font-family: system-ui, -apple-system, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.5; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin: 0.8rem 0 0.2rem; font-weight: 600; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: 0.6rem; border: 1px solid #888; border-radius: 6px; }
  button, .button { font: inherit; display: inline-block; margin-top: 1rem; padding: 0.6rem 1.2rem; border: 0; border-radius: 6px; background: #0b5cad; color: #fff; text-decoration: none; cursor: pointer; }
  .secondary { background: #e8e8e8; color: #1b1b1b; }
  .hint { background: #f3f7fc; border-left: 4px solid #0b5cad; padding: 0.6rem 0.8rem; }
  .reference { color: #555; font-size: 0.9rem; }
  code { background: #f2f2f2; padding: 0 0.2rem; overflow-wrap: anywhere; }`;

/** What one page holds. `body` is HTML the caller built (its values escaped); `title` is text. */
export interface PageContent {
  readonly title: string;
  readonly body: string;
  /** Styles of this page only, added after the shared ones. */
  readonly style?: string;
  /** A script file of this origin (the simulator's), loaded deferred. */
  readonly scriptSrc?: string;
}

/** A whole HTML document: one head for every page. */
export function htmlPage(content: PageContent): string {
  const script = content.scriptSrc === undefined ? '' : `<script src="${escapeHtml(content.scriptSrc)}" defer></script>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(content.title)}</title>
<style>
${BASE_STYLE}${content.style ? `\n${content.style}` : ''}
</style>
${script}</head>
<body>
${content.body}
</body>
</html>
`;
}
