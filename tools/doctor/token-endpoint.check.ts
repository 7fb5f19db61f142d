import { describeNoAnswer } from './http-probe';
import type { InvalidCodeAnswer, ProviderView } from './provider-adapter';
import type { Finding } from './report';

const CREDENTIALS = 'UPSTREAM_CLIENT_ID / UPSTREAM_CLIENT_SECRET';

/**
 * Sends the token request linkbridge sends, with a made-up code. A working endpoint refuses the code
 * with an OAuth error (RFC 6749 §5.2, normally `invalid_grant`) after accepting linkbridge's client
 * credentials; every other answer points at one setting.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function checkTokenEndpoint(provider: ProviderView, answer: InvalidCodeAnswer): Finding[] {
  const { exchange, oauthError } = answer;
  const url = exchange.url;
  const setting = provider.settings.tokenUrl;
  const error = (message: string, fix: string, errorSetting = setting): Finding[] => [
    { check: 'token-endpoint', severity: 'error', message, setting: errorSetting, fix },
  ];
  if (!exchange.answered) {
    return error(`${url}: ${describeNoAnswer(exchange)}`, 'check the scheme, host and port of the token URL; the service would answer Alexa 503 on every token request');
  }
  const said = `${url} answered HTTP ${exchange.status}${oauthError ? ` ${oauthError}` : ''}${answer.oauthErrorDescription ? ` ("${answer.oauthErrorDescription}")` : ''}`;
  if (exchange.status === 404 || exchange.status === 405) {
    return error(`${said}: there is no token endpoint at this path`, "copy the token endpoint from the provider's documentation or metadata; the path is usually /token or /oauth/token");
  }
  if (exchange.status >= 300 && exchange.status < 400) {
    return error(`${said}, a redirect to ${exchange.headers.location ?? '(no location)'}: token requests are not redirected`, 'set the token URL to where it redirects');
  }
  if (oauthError === 'invalid_client' || exchange.status === 401) {
    return error(
      `${said}: the provider refused linkbridge's client credentials`,
      'copy the client id and secret again from the provider\'s registration of linkbridge; if they are right, the provider may expect them in the body (LINKBRIDGE_CONFIG upstream.profile.token.clientAuthentication: "client_secret_post")',
      CREDENTIALS,
    );
  }
  if (oauthError === 'unauthorized_client') {
    return error(`${said}: this client may not use the authorization code grant`, 'allow the authorization code grant (and refresh tokens) for this client at the provider', CREDENTIALS);
  }
  if (oauthError === 'unsupported_grant_type') {
    return error(`${said}: the provider does not support the authorization code grant here`, 'check that this is the OAuth 2.0 token endpoint, not another API');
  }
  if (exchange.status >= 500) {
    return error(`${said}: the provider failed`, "the service would answer Alexa 503; check the provider's status, or whether this URL is its token endpoint");
  }
  if (answer.issuedTokens) {
    return [{ check: 'token-endpoint', severity: 'warning', message: `${url} issued tokens for a made-up code: this is not how an OAuth token endpoint behaves`, setting, fix: 'check that the URL is the provider\'s token endpoint' }];
  }
  if (oauthError === 'invalid_request') {
    return [
      {
        check: 'token-endpoint',
        severity: 'warning',
        message: `${said}: the endpoint answers, but finds linkbridge's request malformed, not only the code`,
        setting: 'UPSTREAM_PRESET / LINKBRIDGE_CONFIG (upstream.profile)',
        fix: 'compare the request the provider documents with the profile (parameter names, client authentication, redirect_uri, PKCE)',
      },
    ];
  }
  if (oauthError !== undefined) {
    return [{ check: 'token-endpoint', severity: 'ok', message: `${said}: it refuses a made-up code and accepts linkbridge's client credentials, as expected` }];
  }
  return error(`${said} without an OAuth error: this is not a token endpoint`, "copy the token endpoint from the provider's documentation or metadata");
}
