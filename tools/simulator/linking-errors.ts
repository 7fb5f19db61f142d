/**
 * What an OAuth error that comes back to Alexa's redirect URL means, in words a person reads: the
 * simulator's steps and the demo's landing page show these first and the RFC 6749 code after them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
const PLAIN_WORDS: Readonly<Record<string, string>> = {
  access_denied: 'Access was not allowed: you cancelled at the sign-in page or chose Deny, so no account was linked. Press Link account to try again.',
  invalid_scope: 'The provider refused the permissions linkbridge asked for, so no account was linked. The scope linkbridge requests (UPSTREAM_SCOPE) needs changing.',
  unauthorized_client: 'The provider does not let linkbridge link accounts this way, so no account was linked. Check linkbridge\u2019s registration at the provider.',
  unsupported_response_type: 'The provider does not support this kind of sign-in, so no account was linked.',
  invalid_request: 'The sign-in request was not one the provider or linkbridge could use, so no account was linked. Start linking again.',
  server_error: 'Something went wrong at the provider or in linkbridge, so no account was linked. Try again; the log says more.',
  temporarily_unavailable: 'The provider is busy or down just now, so no account was linked. Try again in a moment.',
};

/** A person's reading of an OAuth error, then the code and description as sent. */
export function plainLinkingError(error: string, description?: string | null): string {
  const words = PLAIN_WORDS[error] ?? 'Linking did not finish, so no account was linked. Start linking again.';
  const said = description?.trim().replace(/[.\s]+$/, '');
  return `${words} (Alexa received error=${error}${said ? `: ${said}` : ''}.)`;
}
