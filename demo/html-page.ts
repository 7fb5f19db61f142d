const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * Headers for the demo's pages, the same as linkbridge's error pages: no caching, no referrer, no
 * framing (`frame-ancestors 'none'`), no MIME sniffing, and a policy that allows only inline styles.
 */
export const DEMO_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** A small page that reads well on a phone (where people link accounts) and on a desktop. */
export function demoPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.5; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin: 0.8rem 0 0.2rem; font-weight: 600; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: 0.6rem; border: 1px solid #888; border-radius: 6px; }
  button, .button { font: inherit; display: inline-block; margin-top: 1rem; padding: 0.6rem 1.2rem; border: 0; border-radius: 6px; background: #0b5cad; color: #fff; text-decoration: none; cursor: pointer; }
  .secondary { background: #e8e8e8; color: #1b1b1b; }
  .hint { background: #f3f7fc; border-left: 4px solid #0b5cad; padding: 0.6rem 0.8rem; }
  code { background: #f2f2f2; padding: 0 0.2rem; overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
