import type { GrantRequest, TokenParameter } from '../../models/provider-profile';
import type { OutgoingRequest } from './http-transport';

/** linkbridge's identity at the provider. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Builds one token request from a grant's profile: client authentication, the provider's parameter
 * names, fixed extras, and the method (a `GET` carries everything in the query).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 (code), #section-6 (refresh), #section-2.3.1 (client auth)
 */
export function buildTokenRequest(
  grant: GrantRequest,
  client: ClientCredentials,
  grantParameters: Partial<Record<TokenParameter, string>>,
): OutgoingRequest {
  const headers: Record<string, string> = { accept: 'application/json', ...lowerCaseKeys(grant.headers) };
  const standard: Partial<Record<TokenParameter, string>> = {};
  switch (grant.clientAuthentication) {
    case 'client_secret_basic':
      headers.authorization = basicAuthorization(client);
      break;
    case 'client_secret_basic_with_client_id':
      headers.authorization = basicAuthorization(client);
      standard.client_id = client.clientId;
      break;
    case 'client_secret_post':
      standard.client_id = client.clientId;
      standard.client_secret = client.clientSecret;
      break;
    case 'none':
      standard.client_id = client.clientId;
      break;
  }
  Object.assign(standard, grantParameters);

  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(standard) as Array<[TokenParameter, string | undefined]>) {
    if (value === undefined || grant.omitParameters.includes(name)) continue;
    params.set(grant.parameterNames[name] ?? name, value);
  }
  for (const [name, value] of Object.entries(grant.parameters)) params.set(name, value);

  if (grant.method === 'GET') {
    const url = new URL(grant.url);
    params.forEach((value, name) => url.searchParams.set(name, value));
    return { method: 'GET', url: url.toString(), headers };
  }
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return { method: 'POST', url: grant.url, headers, body: params.toString() };
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before it is joined and base64-encoded. */
function basicAuthorization(client: ClientCredentials): string {
  return `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}`;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
